"""Machine-readable times (ISO 8601, RFC 822/2822, epoch, JavaScript's and C's date strings)
read in microseconds.

Pages and feeds carry their times twice: as text for people ("3 hours ago") and in a
machine form (JSON-LD ``datePublished``, ``<time datetime>``, an RSS ``pubDate``). The
machine form needs no language and no dateparser, only a few anchored patterns, and it
says exactly how precise it is: ``2025-07-30T16:20Z`` is that minute, ``2025-07-30`` that
whole day. A time without an offset is a wall time in the site's zone, read through
``windows.clock`` so a wall time repeated or skipped by DST keeps both readings.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from crawler.timestamps import EARLIEST_YEAR, FUTURE_TOLERANCE, Timestamp, windows, zones
from crawler.timestamps.windows import UTC, Window

#: Longer text is no machine time (and is not worth matching).
MAX_LENGTH = 80

_ZONE = (
    r"(?P<zone>[zZ]|[+\-\u2212]\d{1,2}(?::?\d{2})?"
    r"|(?:UTC|GMT|UT)\s*(?:[+\-\u2212]\s*\d{1,2}(?::?\d{2})?)?|[A-Za-z]{2,5})"
)
_CLOCK = (
    r"(?P<hour>\d{1,2})"
    r"(?::?(?P<minute>\d{2})(?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?)?"
)
_TAIL = rf"\s*{_ZONE}?\s*(?:\[[^\]]{{1,40}}\]|\([^)]{{1,40}}\))?"

# 2025-07-30T16:20:00+09:00, 2025-07-30 16:20, 2025-07-30, 2025-07, 2025/7/30, 2025.07.30
_EXTENDED = re.compile(
    r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?:(?P=sep)(?P<day>\d{1,2}))?"
    rf"(?:(?:[Tt]|\s+){_CLOCK})?{_TAIL}",
    re.ASCII,
)
# 20250730T162000Z, 20250730, 202507301620
_BASIC = re.compile(
    r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
    r"(?:[Tt]?(?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2})?(?:[.,](?P<fraction>\d{1,9}))?)?"
    rf"{_TAIL}",
    re.ASCII,
)
# Wed, 30 Jul 2025 07:20:00 GMT, 30 Jul 25 07:20 +0900, Wednesday, 30-Jul-25 07:20:00 GMT
_RFC822 = re.compile(
    r"(?:[A-Za-z]{3,9},?\s+)?(?P<day>\d{1,2})[\s-]+(?P<mon>[A-Za-z]{3,9})\.?[\s-]+"
    r"(?P<year>\d{4}|\d{2})"
    r"(?:,?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
    rf"{_TAIL}",
    re.ASCII,
)
# JavaScript's Date.toString(): Tue Mar 12 2024 10:30:00 GMT+0900 (Japan Standard Time)
_JAVASCRIPT = re.compile(
    r"[A-Za-z]{3}\s+(?P<mon>[A-Za-z]{3})\s+(?P<day>\d{1,2})\s+(?P<year>\d{4})\s+"
    rf"(?P<hour>\d{{2}}):(?P<minute>\d{{2}}):(?P<second>\d{{2}}){_TAIL}",
    re.ASCII,
)
# C's asctime(), as some servers print it: Tue Mar 12 10:30:00 2024
_ASCTIME = re.compile(
    r"[A-Za-z]{3}\s+(?P<mon>[A-Za-z]{3})\s+(?P<day>\d{1,2})\s+"
    r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})\s+(?P<year>\d{4})"
    rf"{_TAIL}",
    re.ASCII,
)
_EPOCH = re.compile(r"(?P<seconds>\d{10})(?:\.(?P<fraction>\d{1,6}))?|(?P<millis>\d{13})", re.ASCII)

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_FULL_MONTHS = frozenset({
    "january", "february", "march", "april", "june", "july", "august", "september", "sept",
    "october", "november", "december",
})  # fmt: skip

_SECOND = timedelta(seconds=1)
_WIDTHS = {
    "second": _SECOND,
    "minute": windows.STEPS["minute"],
    "hour": windows.STEPS["hour"],
}


def machine(raw: str, *, tz: str, via: str, fetched_at: datetime) -> Timestamp | None:
    """Read a machine-readable time found ``via`` some source (``jsonld``, ``rss``, ...).

    A time without an offset is in the IANA zone ``tz``; the window is what the text shows
    (that second, minute or hour; a date alone is that whole day in its zone, and its
    value that day's midday). Returns None
    for text that is no such time, one before 1990 or implausibly far past ``fetched_at``.
    Never raises for any ``raw`` string; a naive ``fetched_at`` or an unknown zone raise
    ValueError, as ``normalise`` does.
    """
    if fetched_at.utcoffset() is None:
        raise ValueError("fetched_at must be timezone-aware")
    site = _site(tz)
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > MAX_LENGTH:
        return None
    try:
        window = _read(text, site, fetched_at)
    except (ValueError, OverflowError, KeyError):  # 31 June, hour 25, year 0, odd zone
        return None
    if window is None or window.earliest > fetched_at + FUTURE_TOLERANCE:
        return None
    value = window.value
    if window.precision == "day":
        # A date alone: its midday, so that the value falls on that date whatever zone
        # (UTC-11 to UTC+11) a reader takes it in, when the page's own zone is unknown.
        value = window.earliest + (window.latest - window.earliest) / 2
    return Timestamp(raw, value, window.earliest, window.latest, window.precision,
                     f"machine:{via}")  # fmt: skip


@lru_cache(maxsize=64)
def _site(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown IANA time zone {tz!r}") from exc


def _read(text: str, site: ZoneInfo, fetched_at: datetime) -> Window | None:
    """The window of ``text`` in the first form that matches all of it."""
    if text.isdigit() or "." in text[:11]:
        match = _EPOCH.fullmatch(text)
        if match is not None:
            return _epoch(match)
    match = _EXTENDED.fullmatch(text) or _BASIC.fullmatch(text)
    if match is not None:
        parts = match.groupdict()
        return _wall(int(parts["year"]), int(parts["month"]), parts, site, fetched_at)
    match = _RFC822.fullmatch(text) or _JAVASCRIPT.fullmatch(text) or _ASCTIME.fullmatch(text)
    if match is not None:
        parts = match.groupdict()
        month = _month(parts["mon"])
        year = int(parts["year"])
        if len(parts["year"]) == 2:  # RFC 822's two-digit years
            year += 1900 if year >= 70 else 2000
        return None if month is None else _wall(year, month, parts, site, fetched_at)
    return None


def _month(name: str) -> int | None:
    """An English month name or abbreviation, any case."""
    name = name.lower()
    if len(name) > 3 and name not in _FULL_MONTHS:
        return None
    return _MONTHS.get(name[:3])


def _epoch(match: re.Match[str]) -> Window | None:
    """Seconds (ten digits, maybe a fraction) or milliseconds (thirteen) since 1970."""
    if match["millis"]:
        value = datetime.fromtimestamp(int(match["millis"]) / 1000, UTC)
    else:
        value = datetime.fromtimestamp(int(match["seconds"]), UTC)
        if match["fraction"]:
            value += timedelta(microseconds=int(match["fraction"].ljust(6, "0")))
    if value.year < EARLIEST_YEAR:
        return None
    earliest = value.replace(microsecond=0)
    return Window(value, earliest, earliest + _SECOND, "second")


def _wall(
    year: int, month: int, parts: dict[str, str | None], site: ZoneInfo, fetched_at: datetime
) -> Window | None:
    """A calendar date, maybe with a clock time and a zone; the zone defaults to ``site``."""
    if year < EARLIEST_YEAR:
        return None
    zone = _zone(parts["zone"], site, fetched_at.year)
    if zone is None:
        return None
    if parts["day"] is None:
        first = date(year, month, 1)
        end = windows.add_months(first, 1)
        return windows.days(first, end, zone, "month", first, None)
    on = date(year, month, int(parts["day"]))
    if parts["hour"] is None:
        return windows.day(on, zone, None)
    if parts["minute"] is None:
        at, precision = time(int(parts["hour"])), "hour"
    elif parts["second"] is None:
        at, precision = time(int(parts["hour"]), int(parts["minute"])), "minute"
    else:
        at = time(int(parts["hour"]), int(parts["minute"]), int(parts["second"]))
        precision = "second"
    found = windows.clock(on, at, zone, _WIDTHS[precision], precision)
    fraction = parts.get("fraction")
    if fraction:
        found = found._replace(
            value=found.value + timedelta(microseconds=int(fraction[:6].ljust(6, "0")))
        )
    return found


def _zone(token: str | None, site: ZoneInfo, year: int) -> tzinfo | None:
    """The zone written after the time: Z, an offset, UTC+9, a name; none means the site's."""
    if token is None:
        return site
    token = token.replace("\u2212", "-").replace(" ", "").lower()
    if token in ("z", "utc", "gmt", "ut"):
        return UTC
    if token[0] in "+-" and token[1:].isdigit() and len(token) in (4, 6):
        hours, minutes = int(token[1:3]), int(token[3:] or 0)  # RFC 822 "+0900"
        offset = timedelta(hours=hours, minutes=minutes)
        return timezone(-offset if token[0] == "-" else offset)
    return zones.resolve(token, site, year, ())
