"""The fast path: the common aggregator forms, read without dateparser in microseconds.

Text is cleaned (NFKC, lower case, single spaces, "Updated"/"Published:" prefixes dropped,
split at " · " so "2 hours ago · Reuters" keeps its time), then matched against anchored
patterns compiled once per language from ``lexicon.LEXICONS``. A match becomes a
*reading*: what the text says, whenever it was fetched. Readings are cached by text, and
each resolves to a window against an ``Anchor``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, time, timedelta
from functools import lru_cache
from typing import NamedTuple

from crawler.timestamps import windows
from crawler.timestamps.lexicon import LEXICONS, NEUTRAL, Lexicon
from crawler.timestamps.windows import DAY, Anchor, Window


class Clock(NamedTuple):
    """A wall time as shown: the time, the width of what it shows, its zone token if any."""

    at: time
    width: timedelta
    precision: str
    zone: str | None


class Now(NamedTuple):
    """A moment ago: "just now", "moments ago"."""

    method = "fast:now"

    def window(self, anchor: Anchor) -> Window | None:
        return windows.now(anchor.fetched)


class Ago(NamedTuple):
    """Units back: "27 minutes ago" (exact), "3 days ago" (calendar days in the site zone)."""

    count: int
    unit: str

    @property
    def method(self) -> str:
        return "fast:elapsed" if self.unit in windows.STEPS else "fast:calendar"

    def window(self, anchor: Anchor) -> Window | None:
        if self.unit in windows.STEPS:
            return windows.elapsed(anchor.fetched, self.count, self.unit)
        return windows.calendar_ago(anchor.fetched.astimezone(anchor.site), self.count, self.unit)


class DaysBack(NamedTuple):
    """A day back ("today", "yesterday"), or a time on it ("yesterday at 5:30 PM")."""

    back: int
    clock: Clock | None
    method = "fast:day"

    def window(self, anchor: Anchor) -> Window | None:
        return _on_day(anchor, self.clock, lambda today: self.back, keep_time=True)


class Weekday(NamedTuple):
    """A weekday name: the most recent such day strictly before the fetch day."""

    index: int
    clock: Clock | None
    method = "fast:day"

    def window(self, anchor: Anchor) -> Window | None:
        return _on_day(anchor, self.clock, lambda today: (today.weekday() - self.index) % 7 or 7)


class ClockTime(NamedTuple):
    """A bare clock time ("16:20"): today's, unless still ahead of the fetch (yesterday's)."""

    clock: Clock
    method = "fast:clock"

    def window(self, anchor: Anchor) -> Window | None:
        zone = anchor.zone(self.clock.zone)
        if zone is None:
            return None
        local = anchor.fetched.astimezone(zone)
        return windows.bare_clock(local, self.clock.at, self.clock.width, self.clock.precision)


class Absolute(NamedTuple):
    """A date ("30 July", "Jul 30, 2025 16:20 (JST)", ISO 8601), or a time on it."""

    year: int | None
    month: int
    day: int
    clock: Clock | None
    method = "fast:absolute"

    def window(self, anchor: Anchor) -> Window | None:
        zone = anchor.zone(self.clock.zone if self.clock else None)
        if zone is None:
            return None
        if self.year is None:
            on = windows.latest_date(self.month, self.day, anchor.fetched.astimezone(zone).date())
        else:
            on = date(self.year, self.month, self.day)
        if self.clock is None:
            return windows.day(on, zone, None)
        return windows.clock(on, self.clock.at, zone, self.clock.width, self.clock.precision)


Reading = Now | Ago | DaysBack | Weekday | ClockTime | Absolute


def _on_day(
    anchor: Anchor, clock: Clock | None, back: Callable[[date], int], keep_time: bool = False
) -> Window | None:
    """A day some days before the fetch day, in the clock's zone or the site's.

    Without a clock time the value is the fetch's wall time on that day for "yesterday"
    (``keep_time``) and the start of the day for a weekday name, as dateparser reads them.
    """
    zone = anchor.zone(clock.zone if clock else None)
    if zone is None:
        return None
    local = anchor.fetched.astimezone(zone)
    on = local.date() - back(local.date()) * DAY
    if clock is None:
        return windows.day(on, zone, local.time() if keep_time else None)
    return windows.clock(on, clock.at, zone, clock.width, clock.precision)


# --- Cleaning -----------------------------------------------------------------------------

# Typographic apostrophes (right and left quotes, modifier letter, acute accent) as "'".
_APOSTROPHES = str.maketrans("\u2019\u2018\u02bc\u00b4", "''''")
_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_SEPARATORS = frozenset("·•|\u2013\u2014-")  # and en and em dashes
_SEPARATOR = re.compile(f" [{re.escape(''.join(_SEPARATORS))}] ")


def normal(text: str) -> str:
    """NFKC, lower case, one apostrophe, single spaces: the form every pattern matches."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return " ".join(text.lower().split())


def segments(raw: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    """The cleaned parts of ``raw`` that may hold its time, in order.

    "Updated 2 hours ago · Reuters" gives ("2 hours ago", "reuters").
    """
    text = normal(raw)
    bracketed = _BRACKETED.fullmatch(text) if text[:1] in "([" else None
    if bracketed:
        text = bracketed[1] if bracketed[1] is not None else bracketed[2]
    parts = [text] if _SEPARATORS.isdisjoint(text) else _SEPARATOR.split(text)
    prefix = _prefix(languages)
    found = []
    for part in parts:
        lead = prefix.match(part)
        part = (part[lead.end() :] if lead else part).rstrip(" .。")
        if part:
            found.extend(dict.fromkeys((_month_day(part, languages), part)))
    return tuple(found)


#: A day and month in digits without a year, with a weekday or a clock: "11/21(土) 19:01",
#: "7/30 16:20", "11/19(木) 08:43配信" (a trailing word such as 配信, "delivered", kept out).
_SLASHED = re.compile(
    r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?P<weekday> ?\([^()\d]{1,3}\))?"
    r"(?P<clock> \d{1,2}:\d{2})?[^\d\s:/]{0,4}"
)
#: Languages that write the month first in such dates.
_MONTH_FIRST = frozenset({"en", "ja", "zh", "ko"})
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _month_day(part: str, languages: tuple[str, ...]) -> str:
    """A slashed month and day as a grammar reads it ("nov 21 19:01", "11月21日 19:01"):
    dateparser takes "11/21" for November 2011. Left alone without a weekday or a clock
    ("3/4"), or when no grammar of the site's languages would read it."""
    match = _SLASHED.fullmatch(part)
    if match is None or not (match["weekday"] or match["clock"]):
        return part
    first, second = int(match["a"]), int(match["b"])
    month, day = (first, second) if languages[0] in _MONTH_FIRST else (second, first)
    clock = match["clock"] or ""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return part
    if "en" in languages:
        return f"{_MONTH_NAMES[month - 1]} {day}{clock}"
    if languages[0] in ("ja", "zh"):
        return f"{month}月{day}日{clock}"
    return part


@lru_cache(maxsize=32)
def _prefix(languages: tuple[str, ...]) -> re.Pattern[str]:
    words = [word for code in languages for word in _split(_lexicon(code).prefixes)]
    if not words:
        return re.compile(r"(?!)")
    return re.compile(rf"^(?:(?:{_alternation(words)})(?: ?: ?| |(?=\d)))+")


# --- Grammar ------------------------------------------------------------------------------

_ZONE = r"(?: ?(?P<zone>\((?:[a-z]{1,5}|OFF)\)|[a-z]{1,5}|OFF))?".replace(
    "OFF", r"(?:utc|gmt)? ?[+\-\u2212] ?\d{1,2}(?::?\d{2})?"
)
_ORDINAL = r"(?:st|nd|rd|th|er|o|\.)?"
_GROUP = re.compile(r"\(\?P([<=])(?=\w)")
_ISO_DATE = r"(?P<y>\d{4}) ?(?P<ds>[-/.]) ?(?P<M>\d{1,2}) ?(?P=ds) ?(?P<d>\d{1,2})\.?"

Build = Callable[[Mapping[str, str | None]], Reading | None]


def _split(words: str) -> list[str]:
    return [normal(word) for word in words.split("|") if word]


def _alternation(words) -> str:
    return "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))


def _prefixed(pattern: str, prefix: str) -> str:
    """``pattern`` with its group names prefixed, so that patterns can share one regex."""
    return _GROUP.sub(lambda match: f"(?P{match[1]}{prefix}", pattern)


def _names_in_order(pattern: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(sorted(pattern.groupindex, key=pattern.groupindex.__getitem__))


def _table(mapping: Mapping) -> dict:
    """Word -> key, for a lexicon mapping of key -> "word|word"."""
    return {word: key for key, words in mapping.items() for word in _split(words)}


def _indexed(names: tuple[str, ...], start: int = 0) -> dict[str, int]:
    return {word: start + index for index, words in enumerate(names) for word in _split(words)}


class Grammar:
    """One language's lexicon compiled into anchored patterns, tried in order."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.counted: dict[str, str] = _table(lexicon.units)
        self.alone: dict[str, tuple[str, int]] = {
            word: (unit, count)
            for count, table in ((1, lexicon.alone), (2, lexicon.dual))
            for word, unit in _table(table).items()
        }
        self.numbers: dict[str, int] = _table(lexicon.numbers)
        self.days: dict[str, int] = _table(lexicon.days)
        self.weekdays = _indexed(lexicon.weekdays)
        self.months = _indexed(lexicon.months, start=1)
        self.meridiem: dict[str, str] = {}
        for half in ("am", "pm"):
            for word in _split(f"{getattr(NEUTRAL, half)}|{getattr(lexicon, half)}"):
                self.meridiem[word] = self.meridiem[word.rstrip(".")] = half
        self._compile(lexicon)

    def _compile(self, lexicon: Lexicon) -> None:
        clock = (
            r"(?:(?P<mp>MER) ?)?(?P<h>\d{1,2})(?: ?(?P<sep>[:h時时点시]) ?(?:(?P<mi>\d{2}) ?[分분]?"
            r"(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?)?)?(?: ?(?P<ms>MER))?(?: ?uhr)?"
        ).replace("MER", _alternation(self.meridiem)) + _ZONE
        at_words = rf"(?:(?:{_alternation(_split(lexicon.at))}) ?)?" if lexicon.at else ""
        at = rf"(?:[,،]? ?{at_words}{clock})?"
        count = r"\d+"
        if self.numbers:
            count += "|" + _alternation(self.numbers)
        about = rf"(?:(?:{_alternation(_split(lexicon.about))}) ?)?" if lexicon.about else ""
        fills = {
            "n": rf"{about}(?P<n>{count})?",
            "#": r"(?P<n>\d+)",
            "u": rf"(?P<u>{_alternation([*self.counted, *self.alone])})\.?",
            "d": rf"(?P<d>\d{{1,2}}){_ORDINAL}",
            "m": rf"(?P<m>{_alternation(self.months)})\.?" if self.months else "(?!)",
            "M": r"(?P<M>\d{1,2})",
            "y": r"(?P<y>\d{4})",
        }

        def template(text: str) -> str:
            return re.sub(r"\{([nu#dmMy])\}", lambda m: fills[m[1]], text.replace(" ", " ?"))

        weekday_words = [*self.weekdays, *_indexed(lexicon.weekday_abbreviations)]
        named_day = rf"(?:(?:{_alternation(weekday_words)})\.?,? ?)?" if weekday_words else ""
        rules: list[tuple[str, Build]] = [(rf"{_ISO_DATE}(?:(?:t| ?,? ?){clock})?", self._date)]
        if lexicon.now:
            rules.append((_alternation(_split(lexicon.now)), lambda groups: Now()))
        rules += [(template(ago), self._ago) for ago in lexicon.ago]
        if self.days or self.weekdays:
            day_words = _alternation(self.days) if self.days else "(?!)"
            weekdays = _alternation(self.weekdays) if self.weekdays else "(?!)"
            rules.append((rf"(?:(?P<day>{day_words})|(?P<wd>{weekdays})){at}", self._day))
        rules += [(named_day + template(form) + at, self._date) for form in lexicon.dates]
        rules.append((clock, self._clock_time))
        self.rules: list[tuple[re.Pattern[str], Build]] = [
            (re.compile(pattern), build) for pattern, build in rules
        ]
        # All rules in one pattern, one group per rule, so a single match finds the first.
        self.pattern = re.compile("|".join(
            f"(?P<r{index}>{_prefixed(pattern.pattern, f'r{index}_')})"
            for index, (pattern, _) in enumerate(self.rules)
        ))  # fmt: skip
        # Where each rule's groups sit in the combined match's groups(), and their names.
        self.spans = [
            (self.pattern.groupindex[f"r{index}"], pattern.groups, _names_in_order(pattern))
            for index, (pattern, _) in enumerate(self.rules)
        ]

    def read(self, text: str) -> Reading | None:
        """The reading of the first rule that matches the whole of ``text``.

        If that rule's values are not valid (a 25th hour), the later rules are tried.
        """
        match = self.pattern.fullmatch(text)
        if match is None:
            return None
        first = int(match.lastgroup[1:])
        start, count, names = self.spans[first]
        values = match.groups()[start : start + count]
        reading = self._build(first, dict(zip(names, values, strict=True)))
        for index in range(first + 1, len(self.rules)):
            if reading is not None:
                break
            later = self.rules[index][0].fullmatch(text)
            if later is not None:
                reading = self._build(index, later.groupdict())
        return reading

    def _build(self, index: int, groups: Mapping[str, str | None]) -> Reading | None:
        try:
            return self.rules[index][1](groups)
        except (ValueError, OverflowError):  # a form we know, with values that are not
            return None

    def _ago(self, groups: Mapping[str, str | None]) -> Reading | None:
        word, number = groups["u"], groups["n"]
        if number is None:
            if word not in self.alone:
                return None
            unit, count = self.alone[word]
        else:
            unit = self.counted.get(word) or self.alone[word][0]
            count = int(number) if number.isdigit() else self.numbers[number]
        return Ago(count, unit)

    def _day(self, groups: Mapping[str, str | None]) -> Reading:
        clock = self._clock(groups)
        if groups["day"] is not None:
            return DaysBack(self.days[groups["day"]], clock)
        return Weekday(self.weekdays[groups["wd"]], clock)

    def _date(self, groups: Mapping[str, str | None]) -> Reading:
        month = self.months[groups["m"]] if groups.get("m") else int(groups["M"])
        year = int(groups["y"]) if groups.get("y") else None
        day = int(groups["d"])
        date(year or 2000, month, day)  # a leap year, so a yearless 29 February passes
        return Absolute(year, month, day, self._clock(groups))

    def _clock_time(self, groups: Mapping[str, str | None]) -> Reading | None:
        clock = self._clock(groups)
        return None if clock is None else ClockTime(clock)

    def _clock(self, groups: Mapping[str, str | None]) -> Clock | None:
        """The clock time in the groups, None if there is none; ValueError if it is invalid."""
        if groups.get("h") is None:
            return None
        hour, minute, second, fraction = groups["h"], groups["mi"], groups["s"], groups["f"]
        half = self.meridiem.get(groups["mp"] or groups["ms"] or "")
        if minute is None and half is None and groups["sep"] in (None, ":"):
            raise ValueError("a bare number is not a clock time")
        hours = int(hour)
        if half is not None:
            if not 1 <= hours <= 12:
                raise ValueError("12-hour clock out of range")
            hours = hours % 12 + (12 if half == "pm" else 0)
        if second is not None:
            digits = (fraction or "")[:6]
            width = timedelta(microseconds=10 ** (6 - len(digits)))
            micro = int(digits.ljust(6, "0"))
            at, precision = time(hours, int(minute), int(second), micro), "second"
        elif minute is not None:
            at, width, precision = time(hours, int(minute)), windows.STEPS["minute"], "minute"
        else:
            at, width, precision = time(hours), windows.STEPS["hour"], "hour"
        return Clock(at, width, precision, groups["zone"])


def _lexicon(code: str) -> Lexicon:
    return LEXICONS.get(code) or LEXICONS.get(code.split("-")[0]) or NEUTRAL


@lru_cache(maxsize=64)
def grammar(code: str) -> Grammar:
    """The compiled grammar of a language code ("zh-Hant" uses "zh"); ISO and clocks only
    for a language without a lexicon."""
    return Grammar(_lexicon(code))


@lru_cache(maxsize=8192)
def prepared(raw: str, languages: tuple[str, ...]) -> tuple[Reading | None, tuple[str, ...]]:
    """The fast reading of ``raw`` (None if it has none) and its cleaned segments.

    Neither depends on the fetch instant, so both are cached by text: the same "an hour
    ago" on every card of every page is read once.
    """
    parts = segments(raw, languages)
    for part in parts:
        for code in languages:
            reading = grammar(code).read(part)
            if reading is None:
                continue
            if isinstance(reading, ClockTime) and any(_DATED.search(p) for p in parts):
                # "22/11/2020 - 04:30": a clock beside a date this grammar cannot read is
                # that date's; dateparser reads the two together.
                return None, (" ".join(parts), *parts)
            return reading, parts
    return None, parts


#: A segment holding a date in digits (22/11/2020, 2020-11-22, 22.11.20).
_DATED = re.compile(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}")
