"""Displayed publication times turned into instants with honest windows.

Every time is resolved against the instant its page was fetched, never the clock, so a
replay a year later gives the same answer. A humanised time is a bucket, not a point:
"27 minutes ago" means 27 to 28 minutes before the fetch, "Yesterday" the whole previous
calendar day in the site's zone. ``Timestamp`` keeps the raw text, a representative
``value``, the window ``[earliest, latest]`` that must hold the true instant, its
precision and the path that produced it.

Elapsed units (seconds to hours) are exact durations on the UTC instant; calendar units
(days, weeks, months, years, weekday names, clock times) are calendar arithmetic in the
site's IANA zone. The common English forms take a regex fast path; everything else goes to
dateparser with the languages always given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser
from dateparser.timezone_parser import pop_tz_offset_from_string

UTC = timezone.utc

#: How far past the fetch instant a parsed time may lie before it is taken as nonsense.
FUTURE_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Timestamp:
    """A displayed time resolved against the fetch instant: all datetimes aware, in UTC."""

    raw: str
    value: datetime
    earliest: datetime
    latest: datetime
    precision: str
    method: str

    def to_json(self) -> dict[str, str]:
        """The JSON form used in items: instants as ISO 8601 with their UTC offset."""
        return {
            "raw": self.raw,
            "value": iso_utc(self.value),
            "earliest": iso_utc(self.earliest),
            "latest": iso_utc(self.latest),
            "precision": self.precision,
            "method": self.method,
        }


def unparsed_json(raw: str) -> dict[str, str | None]:
    """The JSON form of a time that was shown but could not be read: the raw text survives."""
    return {
        "raw": raw,
        "value": None,
        "earliest": None,
        "latest": None,
        "precision": None,
        "method": None,
    }


def iso_utc(instant: datetime) -> str:
    """An instant as ISO 8601 in UTC, always with microseconds and ``+00:00``."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def normalise(
    raw: str,
    fetched_at: datetime,
    *,
    tz: str = "UTC",
    languages: Sequence[str] = ("en",),
) -> Timestamp | None:
    """Resolve ``raw`` against ``fetched_at`` (aware) in the site zone ``tz``.

    Returns None for text that holds no time, or a time implausibly far in the future.
    Never raises for any input string.
    """
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be timezone-aware")
    text = _clean(raw)
    if not text:
        return None
    zone = _zone(tz)
    try:
        found = _fast_path(text, fetched_at, zone) or _dateparser(
            text, fetched_at, zone, tuple(languages)
        )
    except (ValueError, OverflowError):
        return None
    if found is None:
        return None
    value, earliest, latest, precision, method = found
    if earliest > fetched_at + FUTURE_TOLERANCE:
        return None
    return Timestamp(
        raw=raw,
        value=value.astimezone(UTC),
        earliest=earliest.astimezone(UTC),
        latest=latest.astimezone(UTC),
        precision=precision,
        method=method,
    )


_Found = tuple[datetime, datetime, datetime, str, str]

_SPACES = re.compile(r"\s+")
_PREFIX = re.compile(r"^(?:updated|published|posted|about|around|approximately)\s+")
_SUFFIX = re.compile(r"\s*[·•|]\s.*$")


def _clean(raw: str) -> str:
    """Lower-case, fold spaces, drop "Updated"/"about" prefixes and "· Source" suffixes."""
    text = _SPACES.sub(" ", raw).strip().lower()
    text = _SUFFIX.sub("", text)
    while True:
        shorter = _PREFIX.sub("", text)
        if shorter == text:
            return text
        text = shorter


@lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


_ELAPSED_UNITS = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
}
_UNIT_NAMES = {
    "s": "second", "sec": "second", "secs": "second", "second": "second", "seconds": "second",
    "m": "minute", "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "d": "day", "day": "day", "days": "day",
    "w": "week", "wk": "week", "wks": "week", "week": "week", "weeks": "week",
    "mo": "month", "month": "month", "months": "month",
    "y": "year", "yr": "year", "yrs": "year", "year": "year", "years": "year",
}  # fmt: skip
_AGO = re.compile(
    r"^(?P<n>\d+|an?|one)\s*(?P<unit>" + "|".join(sorted(_UNIT_NAMES, key=len, reverse=True))
    + r")\.?(?:\s+ago)?$"
)
_NOW = re.compile(r"^(?:just now|now|moments? ago|a few seconds ago|seconds ago)$")
_CLOCK = r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORD = re.compile(
    r"^(?P<day>today|yesterday|" + "|".join(_WEEKDAYS) + r")(?:,?\s+(?:at\s+)?" + _CLOCK + r")?$"
)


def _fast_path(text: str, fetched_at: datetime, zone: ZoneInfo) -> _Found | None:
    """The common aggregator forms, computed exactly without dateparser."""
    if _NOW.match(text):
        return fetched_at, fetched_at - timedelta(minutes=1), fetched_at, "minute", "fast:now"
    match = _AGO.match(text)
    if match and (text.endswith("ago") or (match["n"].isdigit() and len(match["unit"]) <= 2)):
        n = 1 if match["n"] in ("a", "an", "one") else int(match["n"])
        unit = _UNIT_NAMES[match["unit"]]
        if unit in _ELAPSED_UNITS:
            step = _ELAPSED_UNITS[unit]
            value = fetched_at - n * step
            return value, value - step, value, unit, "fast:elapsed"
        return _calendar_ago(n, unit, fetched_at.astimezone(zone))
    match = _DAY_WORD.match(text)
    if match:
        return _day_word(match, fetched_at.astimezone(zone))
    return None


def _calendar_ago(n: int, unit: str, local: datetime) -> _Found:
    """"3 days ago": the calendar day three days back; weeks, months, years likewise."""
    today = local.date()
    if unit == "day":
        day = today - timedelta(days=n)
        return _day_window(day, local, "day", "fast:calendar")
    if unit == "week":
        first, last = today - timedelta(days=7 * n + 6), today - timedelta(days=7 * n)
    elif unit == "month":
        first, last = _add_months(today, -n - 1) + timedelta(days=1), _add_months(today, -n)
    else:
        first, last = _add_months(today, -12 * n - 12) + timedelta(days=1), _add_months(
            today, -12 * n
        )
    value = datetime.combine(last, local.timetz()).replace(tzinfo=local.tzinfo)
    earliest = _start_of(first, local.tzinfo)
    latest = _start_of(last + timedelta(days=1), local.tzinfo)
    return value, earliest, latest, unit, "fast:calendar"


def _day_word(match: re.Match[str], local: datetime) -> _Found:
    """"yesterday", "Tuesday", "yesterday at 5:30 PM": a calendar day, or a minute on it."""
    word = match["day"]
    if word == "today":
        back = 0
    elif word == "yesterday":
        back = 1
    else:
        # A weekday name means the most recent such day strictly before the fetch day:
        # "Tuesday" read on a Tuesday is last week's.
        back = (local.weekday() - _WEEKDAYS.index(word)) % 7 or 7
    day = local.date() - timedelta(days=back)
    if match["hour"] is None:
        return _day_window(day, local, "day", "fast:day")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if ampm and not 1 <= hour <= 12:
        raise ValueError("12-hour clock out of range")
    if ampm == "pm" and hour != 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    value = datetime.combine(day, time(hour, minute), tzinfo=local.tzinfo)
    return value, value, value + timedelta(minutes=1), "minute", "fast:day"


def _day_window(day: date, local: datetime, precision: str, method: str) -> _Found:
    value = datetime.combine(day, local.timetz())
    earliest = _start_of(day, local.tzinfo)
    latest = _start_of(day + timedelta(days=1), local.tzinfo)
    return min(max(value, earliest), latest), earliest, latest, precision, method


def _start_of(day: date, zone) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError("unreachable month arithmetic")


_HAS_LETTER = re.compile(r"[^\W\d_]")
_CLOCK_IN_TEXT = re.compile(r"\d{1,2}[:h]\d{2}|\d\s*(?:am|pm|a\.m\.|p\.m\.)\b")
_SECONDS_IN_TEXT = re.compile(r"\d{1,2}:\d{2}:\d{2}")


def _dateparser(
    text: str, fetched_at: datetime, zone: ZoneInfo, languages: tuple[str, ...]
) -> _Found | None:
    """Everything the fast path does not know, through dateparser anchored to the fetch."""
    if not _HAS_LETTER.search(text) and not re.search(r"\d[-/.]\d", text):
        return None  # digit-only strings ("12345") are not dates, whatever dateparser says
    local_base = fetched_at.astimezone(zone).replace(tzinfo=None)
    settings = {
        "RELATIVE_BASE": local_base,
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TIMEZONE": "UTC",
    }
    data = DateDataParser(languages=list(languages), settings=settings).get_date_data(text)
    parsed = data.date_obj
    if parsed is None:
        return None
    _, zone_in_text = pop_tz_offset_from_string(text)
    if zone_in_text is None:
        # No zone in the text: the wall time is the site's own.
        parsed = parsed.replace(tzinfo=None).replace(tzinfo=zone)
    if _SECONDS_IN_TEXT.search(text):
        return parsed, parsed, parsed + timedelta(seconds=1), "second", "dateparser"
    if _CLOCK_IN_TEXT.search(text):
        return parsed, parsed, parsed + timedelta(minutes=1), "minute", "dateparser"
    local = parsed.astimezone(parsed.tzinfo)
    period = data.period or "day"
    if period == "year":
        first, nxt = date(local.year, 1, 1), date(local.year + 1, 1, 1)
    elif period == "month":
        first = date(local.year, local.month, 1)
        nxt = _add_months(first, 1)
    elif period == "week":
        first = local.date() - timedelta(days=local.weekday())
        nxt = first + timedelta(days=7)
    else:
        first, nxt = local.date(), local.date() + timedelta(days=1)
    earliest, latest = _start_of(first, parsed.tzinfo), _start_of(nxt, parsed.tzinfo)
    return parsed, earliest, latest, period, "dateparser"
