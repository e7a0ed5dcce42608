"""Publication windows narrowed across runs, on every item the crawl writes.

Records each item's sightings in the state store, then sets ``narrowed`` on its article
and cards (``crawler.state.sightings.annotate``) from the observations of earlier runs,
read once per article (``crawler.state.sightings.earlier_runs``).
Conflicting observations are counted (``narrowing/conflicts``) and logged. Placed before
the audit, which then checks the item whole.

Setting: ``STATE_ENABLED`` (off: the pipeline steps aside and items have no ``narrowed``).
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.pipelines import item_dict
from crawler.pipelines.audit import Stats
from crawler.run import run_state
from crawler.state.sightings import annotate, earlier_runs, report_conflicts
from crawler.state.store import StateStore


class NarrowingPipeline:
    """Records each item's sightings and sets its ``narrowed`` windows (module docstring)."""

    def __init__(self, store: StateStore, run_seq: int, stats: Stats) -> None:
        self.store = store
        self.run_seq = run_seq
        self.stats = stats
        self._earlier = earlier_runs(store, run_seq)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NarrowingPipeline:
        store, run_seq = run_state(crawler)
        assert crawler.stats is not None
        return cls(store, run_seq, crawler.stats)

    def process_item(self, item: Any, spider: object = None) -> Any:
        data = item_dict(item)
        if "url" not in data or "fetched_at" not in data:
            return item
        self.store.record_item(self.run_seq, data)
        conflicted = annotate(data, self._earlier)
        report_conflicts(conflicted, self.stats)
        return item
