"""The dateparser path: every form the fast path does not know.

dateparser always gets the languages (detecting them costs milliseconds), the fetch
instant as ``RELATIVE_BASE`` with a fixed offset, ``TIMEZONE`` as that same offset (an
IANA name there makes bare clock times fail, dateparser #1213) and
``PREFER_DATES_FROM='past'``. Its answer is then corrected for the traps in GUIDE.md:

- it does calendar arithmetic at the fetch's offset; the wall time it returns is put back
  into the site's IANA zone, so days across a DST change come out right;
- zone names ``zones`` knows are taken off the text first and read by its rules
  (dateparser reads IST as Israel's, and ET and PT at their winter offsets);
- digit-only text ("12345", "2") is not a date, whatever dateparser makes of it;
- a negative amount ("-5 minutes ago") is no age: dateparser drops the sign;
- the window follows what the text shows, not the base's time of day it keeps.
"""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from dateparser.conf import settings as default_settings
from dateparser.date import DateData, DateDataParser
from dateparser.languages.loader import default_loader
from dateparser.timezone_parser import pop_tz_offset_from_string

from crawler.timestamps import windows
from crawler.timestamps.windows import DAY, UTC, Anchor, Window

_FIXED = {
    "PREFER_DATES_FROM": "past",
    "RETURN_AS_TIMEZONE_AWARE": True,
    # period "time" for anything with a time of day, so "Jul 30, 2025 16:20" can be told
    # from "Jul 30, 2025".
    "RETURN_TIME_AS_PERIOD": True,
}
_SETTINGS = default_settings.replace(mod_settings=_FIXED, **_FIXED)

#: The microsecond the base handed to dateparser carries. An answer computed from the base
#: ("3 hours ago", "yesterday") keeps it; one read from the text ("Jul 30, 16:20",
#: "Tuesday") does not. That tells exact durations and calendar days from shown times.
_MARK = 987_654

_HAS_LETTER = re.compile(r"[^\W\d_]")
#: A number glued to a word of four letters or more: a name ("20minutos"), where the
#: compact times the fast path reads glue at most three ("14m", "2h", "20min").
_GLUED = re.compile(r"\d+[^\W\d_]{4,}")
_NUMERIC_DATE = re.compile(
    r"\d{1,4} ?[-/.] ?\d{1,2} ?[-/.] ?\d{1,4}\.?(?:[ ,t]+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_ZONE_AT_END = re.compile(
    r"(?<=[\dm.)]) ?(\(?[a-z]{1,5}\)?|\(?(?:utc|gmt) ?[+\-\u2212] ?\d{1,2}(?::?\d{2})?\)?)$"
    r"| ([+\-\u2212]\d{2}:?\d{2})$"
)
#: A minus glued to a number that starts a word: "-5 minutes", not "2025-07-30" nor "UTC-5".
_NEGATIVE = re.compile(r"(?<!\w)[-\u2212]\d")
_SHOWN_SECONDS = re.compile(r"\d ?: ?\d\d ?: ?\d\d")
_SHOWN_MINUTES = re.compile(r"\d ?[:h.時时点시] ?\d\d")

_LOCK = threading.Lock()
_UNREADABLE: dict[tuple[str, tuple[str, ...]], None] = {}
_UNREADABLE_MAX = 4096


@lru_cache(maxsize=32)
def parser(languages: tuple[str, ...]) -> DateDataParser:
    """One parser per language tuple, reused: building one per call costs as much as a parse.

    Raises ValueError for a language dateparser does not know.
    """
    list(default_loader.get_locales(languages=list(languages)))
    return DateDataParser(languages=list(languages), settings=_SETTINGS)


def read(text: str, anchor: Anchor, languages: tuple[str, ...]) -> Window | None:
    """The window dateparser gives for a cleaned segment, or None."""
    if _GLUED.fullmatch(text):
        return None  # "20minutos", "7news": a name with a number in it, no time
    if not _HAS_LETTER.search(text):
        if not _NUMERIC_DATE.fullmatch(text):
            return None
        # An all-digit date is read in the site's first language's order (30.07.2025 is
        # day first in German): with English among the languages, dateparser takes it
        # month first.
        languages = languages[:1]
    zone = None
    written = _ZONE_AT_END.search(text)
    if written:
        zone = anchor.zone(written[1] or written[2])
        if zone is not None:
            text = text[: written.start()].rstrip(" ,")
    key = (text, languages)
    if key in _UNREADABLE:  # the same page chrome comes back on every page
        return None
    local = anchor.fetched.astimezone(zone or anchor.site)
    try:
        data = _parse(text, languages, local)
    except Exception:  # dateparser's own failures on odd text mean no time we can read
        data = None
    if data is None or data.date_obj is None:
        if len(_UNREADABLE) >= _UNREADABLE_MAX:
            del _UNREADABLE[next(iter(_UNREADABLE))]
        _UNREADABLE[key] = None
        return None
    if data.date_obj.microsecond == _MARK:
        return None if _NEGATIVE.search(text) else _relative(data, anchor, local)
    if zone is None:
        own = pop_tz_offset_from_string(text)[1]
        if own is not None:  # a zone dateparser knows and ``zones`` does not: an instant
            return _shown(data.period, data.date_obj.astimezone(own), text, own)
    return _shown(data.period, data.date_obj, text, zone or anchor.site)


def forget() -> None:
    """Forget which texts dateparser could not read."""
    _UNREADABLE.clear()


def _parse(text: str, languages: tuple[str, ...], local: datetime) -> DateData:
    offset = local.utcoffset() or timedelta(0)
    base = local.replace(microsecond=_MARK, tzinfo=timezone(offset))
    settings = _SETTINGS.replace(RELATIVE_BASE=base, TIMEZONE=base.strftime("%z"))
    shared = parser(languages)
    with _LOCK:
        # A DateDataParser takes its settings when it is built, and the base changes with
        # every fetch; the parser (and the locale state it builds up) is what is reused.
        shared._settings = settings
        return shared.get_date_data(text)


def _relative(data: DateData, anchor: Anchor, local: datetime) -> Window:
    """An answer computed from the base: an exact duration, or whole calendar units back."""
    shift = timedelta(microseconds=local.microsecond - _MARK)
    if data.period == "time":
        return _elapsed(anchor.fetched, data.date_obj.astimezone(UTC) + shift)
    on = (data.date_obj.replace(tzinfo=None) + shift).date()
    today = local.date()
    if data.period == "year":
        return windows.calendar_ago(local, today.year - on.year, "year")
    if data.period == "month":
        months = (today.year - on.year) * 12 + today.month - on.month
        return windows.calendar_ago(local, months, "month")
    if data.period == "week":
        return windows.calendar_ago(local, (today - on).days // 7, "week")
    return windows.calendar_ago(local, (today - on).days, "day")


def _elapsed(fetched: datetime, instant: datetime) -> Window:
    """A duration before the fetch, one of its own largest whole unit wide."""
    ago = fetched - instant
    if not ago:
        return windows.now(fetched)
    for unit in ("hour", "minute"):
        if not ago % windows.STEPS[unit]:
            break
    else:
        unit = "second"
    step = windows.STEPS[unit]
    return Window(instant, instant - step, instant, unit)


def _shown(period: str | None, moment: datetime, text: str, zone: tzinfo) -> Window:
    """A date or time read from the text: the period it shows, as a wall time in ``zone``."""
    wall = moment.replace(tzinfo=None)
    on, at = wall.date(), wall.time()
    if period == "time":
        if _SHOWN_SECONDS.search(text):
            return windows.clock(on, at, zone, timedelta(seconds=1), "second")
        if _SHOWN_MINUTES.search(text):
            return windows.clock(on, at, zone, timedelta(minutes=1), "minute")
        return windows.clock(on, at, zone, timedelta(hours=1), "hour")
    if period == "year":
        return windows.days(date(on.year, 1, 1), date(on.year + 1, 1, 1), zone, "year", on, at)
    if period in ("month", "quarter"):
        first = on.replace(day=1)
        end = windows.add_months(first, 3 if period == "quarter" else 1)
        return windows.days(first, end, zone, "month", on, at)
    if period == "week":
        first = on - on.weekday() * DAY
        return windows.days(first, first + 7 * DAY, zone, "week", on, at)
    return windows.day(on, zone, at)
