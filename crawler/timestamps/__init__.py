"""Displayed publication times turned into instants with honest windows.

Every time is resolved against the instant its page was fetched, never the clock, so a
replay a year later gives the same answer. A humanised time is a bucket, not a point:
"27 minutes ago" means 27 to 28 minutes before the fetch, "Yesterday" the whole previous
calendar day in the site's zone. ``Timestamp`` keeps the raw text, a representative
``value``, the window ``[earliest, latest]`` that holds the true instant, its precision
and the path that produced it.

The rules (README "Timestamps" says the same):

- Elapsed units (seconds to hours) are exact durations before the fetch instant, floored
  as humanisers floor them: "27 minutes ago" is 27 to 28 minutes back, "an hour ago" and
  "about an hour ago" one to two hours, "half an hour ago" 30 to 60 minutes, "just now"
  and "moments ago" the minute before the fetch.
- Calendar units are days in the site's IANA zone: "yesterday" and "3 days ago" are whole
  calendar days ("3 days ago" also the 72 to 96 hours before the fetch: many sites count
  elapsed days), "2 weeks ago" the days 14 to 20 back, "a month ago" the days after the
  one two months back up to the one a month back; a weekday name is the most recent such
  day strictly before the fetch day ("Wednesday" read on a Wednesday is a week back).
- A shown clock time covers what it shows: "yesterday at 17:30" and "Jul 30, 2025 16:20"
  that minute (that second with seconds, that hour for "5 PM"); a date alone that day; a
  bare "16:20" today's, or yesterday's if today's is still more than five minutes ahead;
  a date without a year the most recent one not after the fetch day.
- A zone in the text ("JST", "(EDT)", "UTC+9") wins over the site's; ambiguous names
  (IST, CST, ...) follow ``zones``: the caller's mapping, then the site's own zone, then
  ``DEFAULT_ZONES``.
- ``value`` is the plain reading inside that window, the one dateparser gives: the amount
  back from the fetch ("27 minutes ago"), the fetch's time of day on the day meant
  ("yesterday", "3 days ago"), the start of a shown minute, date or weekday.
- The common forms in en, de, fr, es, it, pt, nl, ja, zh, ko, ru and ar take the fast
  path (``fast``); everything else goes to dateparser (``fallback``), which must agree.
  Digit-only text and text longer than ``MAX_LENGTH`` hold no time.
- Impossible times hold none either: a date that does not exist (31 February, year
  99999), a negative age ("-5 minutes ago"), a window more than ``FUTURE_TOLERANCE`` past
  the fetch or wholly before ``EARLIEST_YEAR``. They stay in items as shown but unread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from crawler.timestamps import fallback, fast
from crawler.timestamps.windows import UTC, Anchor, Window
from crawler.timestamps.zones import DEFAULT_ZONES, overrides

__all__ = [
    "DEFAULT_ZONES", "Timestamp", "check_site", "clear_caches", "iso_utc", "normalise",
    "unparsed_json",
]  # fmt: skip

#: How far past the fetch instant a window may start before it is taken as nonsense.
FUTURE_TOLERANCE = timedelta(days=1)
#: Nothing a news page shows was published before this year: earlier readings are noise
#: ("Jan 1, 0001", "999999999 minutes ago").
EARLIEST_YEAR = 1990
_EARLIEST = datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC)

#: Text longer than this is not a displayed time (and would only make dateparser slow).
MAX_LENGTH = 200


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
    zones: Mapping[str, str] | None = None,
    sent_at: datetime | None = None,
) -> Timestamp | None:
    """Resolve ``raw`` against ``fetched_at`` (aware) for a site in the IANA zone ``tz``.

    ``languages`` are the site's, in order of preference; ``zones`` maps zone names to
    what they mean on this site (``{"IST": "Asia/Jerusalem"}``, ``{"CST": "+08:00"}``).
    ``sent_at``, when the request was sent: the server wrote the page at some instant
    between it and ``fetched_at``, so the window then covers the reading at each (the
    value stays the one at ``fetched_at``). Returns None for text that holds no time, or
    one implausibly far in the future or past. Never raises for any ``raw`` string; a naive
    ``fetched_at``, an unknown zone or an unknown language raise ValueError.
    """
    if fetched_at.utcoffset() is None:
        raise ValueError("fetched_at must be timezone-aware")
    site, codes = _site(tz, languages if isinstance(languages, tuple) else tuple(languages))
    given = overrides(tuple(sorted(zones.items()))) if zones else ()
    anchor = Anchor(fetched_at.astimezone(UTC), site, given)
    if len(raw) > MAX_LENGTH:
        return None
    try:
        reading, segments = fast.prepared(raw, codes)
        window, method = _read(reading, segments, anchor, codes)
        if window is not None and sent_at is not None and sent_at < fetched_at:
            sent = Anchor(sent_at.astimezone(UTC), site, given)
            early, _ = _read(reading, segments, sent, codes)
            if early is not None:
                window = window.covering(early)
    except (ValueError, OverflowError):  # a date out of range, or 31 June
        return None
    if (
        window is None
        or window.latest <= _EARLIEST
        or window.earliest > anchor.fetched + FUTURE_TOLERANCE
    ):
        return None
    return Timestamp(raw, window.value, window.earliest, window.latest, window.precision, method)


def _read(
    reading: fast.Reading | None,
    segments: tuple[str, ...],
    anchor: Anchor,
    codes: tuple[str, ...],
) -> tuple[Window | None, str]:
    """The window of the text at ``anchor``: the fast path's reading, else dateparser's."""
    window = reading.window(anchor) if reading is not None else None
    if window is not None:
        assert reading is not None
        return window, reading.method
    return _with_dateparser(segments, anchor, codes), "dateparser"


def check_site(
    tz: str, languages: Sequence[str], zones: Mapping[str, str] | None = None
) -> None:
    """Raise ValueError for an unknown zone, language or zone-name meaning.

    The same checks ``normalise`` makes, so a bad site setting stops a crawl at its start
    rather than failing page by page.
    """
    _site(tz, tuple(languages))
    if zones:
        overrides(tuple(sorted(zones.items())))


def clear_caches() -> None:
    """Forget everything remembered by text, as a fresh process would (benchmarks read cold)."""
    fast.prepared.cache_clear()
    fallback.forget()


def _with_dateparser(
    segments: tuple[str, ...], anchor: Anchor, languages: tuple[str, ...]
) -> Window | None:
    """The window of the first segment dateparser reads."""
    for segment in segments:
        window = fallback.read(segment, anchor, languages)
        if window is not None:
            return window
    return None


@lru_cache(maxsize=64)
def _site(tz: str, languages: tuple[str, ...]) -> tuple[ZoneInfo, tuple[str, ...]]:
    """The site's zone and languages, checked once: dateparser must know each language."""
    if not languages:
        raise ValueError("at least one language is needed")
    fallback.parser(languages)
    try:
        return ZoneInfo(tz), languages
    except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown IANA time zone {tz!r}") from exc
