"""Window arithmetic shared by the fast path and the dateparser path.

Elapsed units (seconds to hours) are exact durations on the UTC instant. Calendar units
(days, weeks, months, years, weekday names, clock times) are wall-clock arithmetic in a
zone, through zoneinfo, so a day is 23 or 25 hours long when the clocks change.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from crawler.timestamps import zones

UTC = timezone.utc
DAY = timedelta(days=1)

#: How far a bare clock time may lie past the fetch and still be today's: sites' clocks
#: run a little fast. Later than that, "23:50" read at 00:10 is yesterday's.
CLOCK_SKEW = timedelta(minutes=5)

#: The elapsed units, as exact durations.
STEPS: Mapping[str, timedelta] = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "halfhour": timedelta(minutes=30),
    "hour": timedelta(hours=1),
}


class Window(NamedTuple):
    """A resolved time: the representative instant and the span the true one lies in."""

    value: datetime
    earliest: datetime
    latest: datetime
    precision: str

    def covering(self, other: Window) -> Window:
        """This reading, with a span wide enough for ``other``'s too."""
        return self._replace(
            earliest=min(self.earliest, other.earliest), latest=max(self.latest, other.latest)
        )


class Anchor(NamedTuple):
    """What every reading is resolved against: the fetch instant (UTC) and the site."""

    fetched: datetime
    site: ZoneInfo
    zones: tuple[tuple[str, str], ...]

    def zone(self, token: str | None) -> tzinfo | None:
        """The zone a time is written in: the text's own if it names one, else the site's."""
        if token is None:
            return self.site
        return zones.resolve(token, self.site, self.fetched.year, self.zones)


def now(fetched: datetime) -> Window:
    """A moment ago ("just now"): within the minute before the fetch."""
    return Window(fetched, fetched - STEPS["minute"], fetched, "minute")


def elapsed(fetched: datetime, count: int, unit: str) -> Window:
    """``count`` units ago: between ``count`` and ``count + 1`` units before the fetch.

    Humanised times are floored ("27 minutes ago" is 27:00 to 27:59 old); the value is
    the plain reading, ``count`` units back.
    """
    step = STEPS[unit]
    value = fetched - count * step
    return Window(value, value - step, value, "minute" if unit == "halfhour" else unit)


def start_of(day: date, zone: tzinfo) -> datetime:
    """The first instant of a calendar day in ``zone`` (midnight, or the DST jump)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@lru_cache(maxsize=4096)
def _span(first: date, end: date, zone: tzinfo) -> tuple[datetime, datetime]:
    return start_of(first, zone), start_of(end, zone)


def days(first: date, end: date, zone: tzinfo, precision: str, on: date, at: time | None) -> Window:
    """The calendar days ``[first, end)`` in ``zone``; the value is ``on`` at ``at``.

    ``at`` None means the start of ``on``. The value is kept inside the window, which a
    wall time skipped by a DST change could otherwise leave.
    """
    earliest, latest = _span(first, end, zone)
    if at is None:
        value = start_of(on, zone)
    else:
        value = datetime.combine(on, at, tzinfo=zone).astimezone(UTC)
    return Window(min(max(value, earliest), latest), earliest, latest, precision)


def day(on: date, zone: tzinfo, at: time | None) -> Window:
    """One calendar day in ``zone``."""
    return days(on, on + DAY, zone, "day", on, at)


def clock(on: date, at: time, zone: tzinfo, width: timedelta, precision: str) -> Window:
    """A wall time shown to ``width``: that minute (or second, or hour).

    A wall time repeated when the clocks go back covers both of its instants; one
    skipped when they go forward covers both readings of it.
    """
    first = datetime.combine(on, at, tzinfo=zone).astimezone(UTC)
    second = datetime.combine(on, at.replace(fold=1), tzinfo=zone).astimezone(UTC)
    return Window(first, min(first, second), max(first, second) + width, precision)


def bare_clock(local: datetime, at: time, width: timedelta, precision: str) -> Window:
    """A clock time without a date: today's, unless that is still ahead of the fetch."""
    found = clock(local.date(), at, local.tzinfo, width, precision)
    if found.value > local + CLOCK_SKEW:
        found = clock(local.date() - DAY, at, local.tzinfo, width, precision)
    return found


def calendar_ago(local: datetime, count: int, unit: str) -> Window:
    """Whole calendar units back ("3 days ago", "2 weeks ago", "a month ago"), floored.

    The value is the fetch's wall time ``count`` units back (dateparser's reading); the
    window holds every day whose whole-unit distance from the fetch day is ``count`` (for
    days, also the ``count`` to ``count + 1`` whole 24 hours before the fetch):
    "2 weeks ago" is 14 to 20 days back, "a month ago" is after the day two months back
    and up to the day one month back.
    """
    today = local.date()
    if unit == "day":
        first = on = today - count * DAY
        shown = days(first, on + DAY, local.tzinfo, unit, on, local.time())
        # Many sites count days as elapsed 24 hours ("1d" for 24 to 48 hours old), others
        # as calendar days: the window holds both readings (they always overlap).
        oldest = local.astimezone(UTC) - (count + 1) * DAY
        return shown._replace(earliest=min(shown.earliest, oldest))
    if unit == "week":
        on = today - 7 * count * DAY
        first = on - 6 * DAY
    else:
        months = 12 if unit == "year" else 1
        on = add_months(today, -count * months)
        first = add_months(today, -(count + 1) * months) + DAY
    return days(first, on + DAY, local.tzinfo, unit, on, local.time())


def add_months(on: date, months: int) -> date:
    """``on`` moved by whole months, the day clamped to the month's length (Mar 31 - 1 = Feb 28)."""
    year, month = divmod(on.year * 12 + on.month - 1 + months, 12)
    return date(year, month + 1, min(on.day, calendar.monthrange(year, month + 1)[1]))


def latest_date(month: int, day_of_month: int, today: date) -> date:
    """A date shown without its year: the most recent one not after ``today``."""
    for year in range(today.year, today.year - 8, -1):
        try:
            found = date(year, month, day_of_month)
        except ValueError:  # 29 February outside a leap year
            continue
        if found <= today:
            return found
    raise ValueError(f"no date {month}/{day_of_month}")
