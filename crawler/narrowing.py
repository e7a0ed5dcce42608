"""Publication-time narrowing: many sightings of one article pin its time down.

Each time a page shows an article's time, that observation says the true instant lies in
its window. Every window holds the truth, so their intersection does too: "an hour ago"
fetched at 10:00 ([08:00, 09:00]) and "2 hours ago" fetched at 10:45 ([07:45, 08:45])
narrow to [08:00, 08:45]. ``narrow`` is a pure function of the observations, so it gives
the same answer in any order, in any run, and from a replay.

Observations can disagree (a misread zone, a stale cached page, an "updated" time shown
in place of the published one). Then no instant lies in every window, and ``narrow`` keeps
the largest group that shares one, reports the rest as conflicts, and never raises.

The rules:

- **Window**: the intersection of the kept observations' windows (closed intervals),
  each widened by a slack on both sides (the crawl uses ``CLOCK_SLACK``).
- **Kept group**: the most observations whose windows share an instant. Among groups of
  that size, the one with the narrowest intersection wins (the most precise evidence: a
  shown clock time rarely conflicts by accident, while coarse buckets conflict at their
  edges), then the earliest one (the known failure modes, stale caches and "updated"
  stamps, show times later than the true one, rarely earlier). The choice depends only on
  the windows, so it is deterministic and independent of input order.
- **Value**: the lower median of the kept observations' own values that lie in the
  narrowed window, so the best instant is a reading some page actually gave (one
  observation narrows to itself, "Jul 29, 2025 16:20" stays 16:20:00 beside "Yesterday");
  when none lies in it, the window's midpoint, which is never more than half the window's
  width from the truth.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from statistics import median_low

from crawler.timestamps import Timestamp

__all__ = ["CLOCK_SLACK", "Narrowed", "Observation", "narrow"]

UTC = timezone.utc

#: How much wider than its window an observation is taken to be when windows are narrowed.
#: A window is anchored at the instant the response arrived, but the server rendered the
#: page a little earlier (network and queueing latency, seconds under load), by a clock
#: that may run a little apart from ours. One window alone rarely notices: the truth would
#: have to lie within that much of an edge. Narrowing, though, brings the truth close to
#: the edges of the tightest windows, where those seconds decide. Larger disagreements
#: are conflicts.
CLOCK_SLACK = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class Observation:
    """One sighting of an article's time: its window, reading and where it was seen.

    All instants must be aware; they are stored in UTC. ``source_url`` is the page that
    showed the time (an article page, or a listing whose card showed it), ``raw`` its text.
    """

    earliest: datetime
    latest: datetime
    value: datetime
    source_url: str
    fetched_at: datetime
    raw: str

    def __post_init__(self) -> None:
        for name in ("earliest", "latest", "value", "fetched_at"):
            instant = getattr(self, name)
            if not isinstance(instant, datetime) or instant.utcoffset() is None:
                raise ValueError(f"{name} must be a timezone-aware datetime, got {instant!r}")
            object.__setattr__(self, name, instant.astimezone(UTC))
        if self.earliest > self.latest:
            raise ValueError(f"earliest {self.earliest} is after latest {self.latest}")
        if not self.earliest <= self.value <= self.latest:
            raise ValueError(
                f"value {self.value} lies outside the window [{self.earliest}, {self.latest}]"
            )

    @classmethod
    def from_timestamp(
        cls, stamp: Timestamp, *, source_url: str, fetched_at: datetime
    ) -> Observation:
        """The observation a ``normalise`` result makes, seen on ``source_url``."""
        return cls(stamp.earliest, stamp.latest, stamp.value, source_url, fetched_at, stamp.raw)

    @classmethod
    def from_json(
        cls,
        published: Mapping[str, str | None],
        *,
        source_url: str,
        fetched_at: datetime | str,
    ) -> Observation | None:
        """The observation an item's ``published`` dict makes (instants as ISO 8601).

        Returns None for a time that was shown but could not be read (instants all null):
        it holds no window. ``fetched_at`` may be the item's ISO string.
        """
        texts = [published.get(name) for name in ("earliest", "latest", "value")]
        if all(text is None for text in texts):
            return None
        if not all(isinstance(text, str) for text in texts):
            raise ValueError(f"earliest, latest and value must all be ISO strings: {published!r}")
        earliest, latest, value = (datetime.fromisoformat(text) for text in texts)
        if isinstance(fetched_at, str):
            fetched_at = datetime.fromisoformat(fetched_at)
        return cls(earliest, latest, value, source_url, fetched_at, published.get("raw") or "")


@dataclass(frozen=True, slots=True)
class Narrowed:
    """An article's narrowed time: the window, its best instant, and the evidence.

    ``used`` are the observations whose windows all hold ``[earliest, latest]``;
    ``conflicts`` the ones left out, each disjoint from that window. Both are sorted
    (by fetch instant, then window), so equal inputs in any order give equal results.
    """

    earliest: datetime
    latest: datetime
    value: datetime
    used: tuple[Observation, ...]
    conflicts: tuple[Observation, ...]

    @property
    def width(self) -> timedelta:
        """How precisely the time is known: zero means to the microsecond."""
        return self.latest - self.earliest


def narrow(observations: Sequence[Observation], slack: timedelta = timedelta(0)) -> Narrowed | None:
    """Narrow one article's observations to a window (None when there are none), each
    window first widened by ``slack`` on both sides (``CLOCK_SLACK``).

    O(n log n): a sweep over the windows' starts finds the kept group (module docstring).
    """
    if not observations:
        return None
    earliest, latest = _kept_window([(o.earliest - slack, o.latest + slack) for o in observations])
    used: list[Observation] = []
    conflicts: list[Observation] = []
    for o in sorted(observations, key=_order):
        holds = o.earliest - slack <= earliest <= o.latest + slack
        (used if holds else conflicts).append(o)
    inside = [o.value for o in used if earliest <= o.value <= latest]
    value = median_low(inside) if inside else earliest + (latest - earliest) / 2
    return Narrowed(earliest, latest, value, tuple(used), tuple(conflicts))


Window = tuple[datetime, datetime]


def _kept_window(windows: list[Window]) -> Window:
    """The intersection of the largest group of windows sharing an instant (tie-break above)."""
    _, width, start = min(_groups(sorted(windows)))
    return start, start + width


def _groups(ordered: Sequence[Window]) -> Iterator[tuple[int, timedelta, datetime]]:
    """The group open at each window start: (minus its size, its intersection's width, start).

    A group's intersection starts at one of the windows' starts, so visiting each distinct
    start with a heap of the ends of the windows open there sees every group: the heap's
    size is the group's, its smallest end the intersection's end. Smaller tuples win.
    """
    ends: list[datetime] = []
    index = 0
    while index < len(ordered):
        start = ordered[index][0]
        while index < len(ordered) and ordered[index][0] == start:
            heapq.heappush(ends, ordered[index][1])
            index += 1
        while ends[0] < start:
            heapq.heappop(ends)
        yield -len(ends), ends[0] - start, start


def _order(observation: Observation) -> tuple:
    """A total order on observations, so results do not depend on input order."""
    o = observation
    return (o.fetched_at, o.earliest, o.latest, o.value, o.source_url, o.raw)
