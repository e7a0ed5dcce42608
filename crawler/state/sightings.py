"""Publication windows narrowed across runs, set on items (crawl and replay alike).

Every time an item shows (its own ``published``, or a card's) is a sighting of the
article it belongs to (``crawler.state.store.item_sightings``). ``annotate`` gives the
item's article, and each of its cards, a ``narrowed`` window: the intersection
(``crawler.narrowing``) of every observation of that article made by earlier runs and
by this page. Other pages of the same run are left out on purpose, so the result does not
depend on the order pages finish in, and ``scrapy replay`` with the store computes the
same. A run's window is therefore never wider than any earlier run's.

``narrowed``: ``{"earliest", "latest", "value", "observations", "conflicts"}`` (ISO 8601
UTC instants; how many readable observations were weighed and how many disagreed and
were left out), or null when no observation could be read.

The crawl's ``crawler.pipelines.narrowing.NarrowingPipeline`` records the sightings and
calls ``annotate``; ``scrapy replay`` calls it with the store it finds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from crawler.narrowing import CLOCK_SLACK, Narrowed, Observation, narrow
from crawler.pipelines.audit import Stats
from crawler.state.store import StateStore, speakers
from crawler.timestamps import iso_utc

logger = logging.getLogger(__name__)

Item = dict[str, Any]
#: An article's observations from earlier runs, by article URL.
Earlier = Callable[[str], Sequence[Observation]]
#: Articles whose earlier observations a crawl or replay keeps at hand: a card's article
#: shows up on several pages of a run (listings, related blocks); the store is asked once.
EARLIER_CACHE = 4096


def earlier_runs(store: StateStore, run_seq: int) -> Earlier:
    """An article's readable observations made by runs before ``run_seq``, each article
    read once (``EARLIER_CACHE`` of them kept): earlier runs' observations never change."""

    @lru_cache(maxsize=EARLIER_CACHE)
    def earlier(url: str) -> tuple[Observation, ...]:
        return tuple(store.observations(url, before_run=run_seq))

    return earlier


def narrowed_json(narrowed: Narrowed | None) -> dict[str, Any] | None:
    if narrowed is None:
        return None
    return {
        "earliest": iso_utc(narrowed.earliest),
        "latest": iso_utc(narrowed.latest),
        "value": iso_utc(narrowed.value),
        "observations": len(narrowed.used) + len(narrowed.conflicts),
        "conflicts": len(narrowed.conflicts),
    }


def annotate(item: Item, earlier: Earlier) -> list[tuple[str, Narrowed]]:
    """Set ``narrowed`` on the item's article and on each card; return the narrowings
    that had conflicts, by article URL."""
    own: dict[str, list[Observation]] = {}
    for url, target, _ in speakers(item):
        if target.get("published") is None:
            continue
        seen = Observation.from_json(
            target["published"], source_url=item["url"], fetched_at=item["fetched_at"]
        )
        if seen is not None:  # None: shown, but not readable
            own.setdefault(url, []).append(seen)
    conflicted = []
    for url, target, _ in speakers(item):
        narrowed = narrow([*earlier(url), *own.get(url, ())], CLOCK_SLACK)
        target["narrowed"] = narrowed_json(narrowed)
        if narrowed is not None and narrowed.conflicts:
            conflicted.append((url, narrowed))
    return conflicted


def report_conflicts(conflicted: list[tuple[str, Narrowed]], stats: Stats) -> None:
    """One log line and a counter per article whose observations disagree."""
    for url, narrowed in conflicted:
        stats.inc_value("narrowing/conflicts", len(narrowed.conflicts))
        left_out = "; ".join(
            f"{o.raw!r} on {o.source_url} at {iso_utc(o.fetched_at)}" for o in narrowed.conflicts
        )
        logger.warning(
            "Conflicting times for %s: kept %d observations (%s to %s), left out %s",
            url,
            len(narrowed.used),
            iso_utc(narrowed.earliest),
            iso_utc(narrowed.latest),
            left_out,
        )
