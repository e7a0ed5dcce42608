"""Items to observations, and observations to publication windows narrowed across runs.

Every time an item shows (its own ``published``, or a card's) is a sighting of the
article it belongs to. The ``NarrowingPipeline`` records them in the state store and
gives the item's article, and each of its cards, a ``narrowed`` window: the intersection
(``crawler.narrowing``) of every observation of that article made by earlier runs and
by this page. Other pages of the same run are left out on purpose, so the result does not
depend on the order pages finish in, and ``scrapy replay`` with the store computes the
same. A run's window is therefore never wider than any earlier run's.

``narrowed``: ``{"earliest", "latest", "value", "observations", "conflicts"}`` (ISO 8601
UTC instants; how many readable observations were weighed and how many disagreed and
were left out), or null when no observation could be read.

Setting: ``STATE_ENABLED`` (off: items have no ``narrowed``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.narrowing import Narrowed, Observation, narrow
from crawler.pipelines import item_dict
from crawler.pipelines.audit import Stats
from crawler.run import run_folder
from crawler.state.store import ArticleSeen, Sighting, StateStore
from crawler.timestamps import iso_utc

logger = logging.getLogger(__name__)

Item = dict[str, Any]
#: An article's observations from earlier runs, by article URL.
Earlier = Callable[[str], Sequence[Observation]]
#: Articles whose earlier observations a crawl keeps at hand: a card's article shows up
#: on several pages of a run (listings, related blocks), and the store is not re-asked.
EARLIER_CACHE = 4096


def _targets(item: Item) -> Iterator[tuple[str, Item, bool]]:
    """(article URL, the dict that speaks of it, whether it is the article's own page)."""
    if item.get("type") == "article":
        yield item["url"], item, True
    for card in item.get("cards") or item.get("related") or ():
        yield card["url"], card, False


def sightings(item: Item) -> list[Sighting]:
    """Every time ``item`` shows, as a sighting of the article it dates."""
    found = []
    for url, target, _ in _targets(item):
        published = target.get("published")
        if published is None:
            continue
        window = None
        if published["earliest"] is not None:
            window = (published["earliest"], published["latest"], published["value"])
        found.append(Sighting(url, item["url"], item["fetched_at"], published["raw"], window))
    return found


def articles_seen(item: Item) -> list[ArticleSeen]:
    """The articles ``item`` names, with the title and source it gives them."""
    return [
        ArticleSeen(url, target.get("title"), target.get("source"), own, item["fetched_at"])
        for url, target, own in _targets(item)
    ]


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
    for sighting in sightings(item):
        if sighting.window is not None:
            earliest, latest, value = sighting.window
            own.setdefault(sighting.article_url, []).append(
                Observation.from_json(
                    {"earliest": earliest, "latest": latest, "value": value, "raw": sighting.raw},
                    source_url=sighting.page_url,
                    fetched_at=sighting.fetched_at,
                )
            )
    conflicted = []
    for url, target, _ in _targets(item):
        narrowed = narrow([*earlier(url), *own.get(url, ())])
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


class NarrowingPipeline:
    """Records each item's sightings and sets its ``narrowed`` windows (module docstring)."""

    def __init__(self, store: StateStore, run_seq: int, stats: Stats) -> None:
        self.store = store
        self.run_seq = run_seq
        self.stats = stats
        # Earlier runs' observations do not change during this run.
        self._earlier = lru_cache(maxsize=EARLIER_CACHE)(self._query)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NarrowingPipeline:
        run = run_folder(crawler)
        if run.state is None or run.run_seq is None:
            raise NotConfigured("STATE_ENABLED is off")
        assert crawler.stats is not None
        return cls(run.state, run.run_seq, crawler.stats)

    def process_item(self, item: Any, spider: object = None) -> Any:
        data = item_dict(item)
        if "url" not in data or "fetched_at" not in data:
            return item
        self.store.record_page(self.run_seq, sightings(data), articles_seen(data))
        conflicted = annotate(data, self._earlier)
        report_conflicts(conflicted, self.stats)
        return item

    def _query(self, url: str) -> tuple[Observation, ...]:
        return tuple(self.store.observations(url, before_run=self.run_seq))
