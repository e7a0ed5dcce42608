"""Items written to ``<run folder>/items.jsonl`` (a distributed run's worker: its own
``items-<worker>.jsonl``): one UTF-8 JSON object per line.

Each line is written whole and flushed at once, so a killed crawl leaves every finished
line readable (at most the last one partial).

A resumed run (``JOBDIR``) appends to the file its killed run left. It does not fetch
again a page whose item line is there (``crawler.state.frontier``); should a page come
back all the same (under another request: a redirect, a ``dont_filter`` request), its
item is dropped here (``items/duplicate_dropped``): the file keeps one line per
(type, url). Runs that are not resumed skip the check.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.layout import written_items
from crawler.pipelines import item_dict
from crawler.run import run_folder

logger = logging.getLogger(__name__)


def dumps(item: dict[str, Any]) -> str:
    """The one JSON form of an item: compact, UTF-8 text, not ASCII-escaped."""
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


def written_keys(path: Path) -> set[tuple[Any, Any]]:
    """The (type, url) of every readable line of an items file (none if it is missing)."""
    return {(item.get("type"), item.get("url")) for item in written_items(path)}


class JsonlWriterPipeline:
    def __init__(
        self,
        out: TextIO,
        written: set[tuple[Any, Any]] | None = None,
        stats: StatsCollector | None = None,
    ) -> None:
        self.out = out
        #: Resumed runs only: the (type, url) of every line in the file.
        self.written = written
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonlWriterPipeline:
        run = run_folder(crawler)
        path = run.items_path
        written = written_keys(path) if run.resumed is not None else None
        pipeline = cls(
            open(path, "a", encoding="utf-8", newline="\n"),  # noqa: SIM115
            written,
            crawler.stats,
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any, spider: object = None) -> Any:
        data = item_dict(item)
        if self.written is not None:
            key = (data.get("type"), data.get("url"))
            if key in self.written:
                if self.stats is not None:
                    self.stats.inc_value("items/duplicate_dropped")
                logger.info("Not written again: the %s item of %s", *key)
                # Scrapy's own "Dropped:" message would log the whole item.
                raise DropItem("in items.jsonl already", log_level="DEBUG")
            self.written.add(key)
        self.out.write(dumps(data) + "\n")
        self.out.flush()
        return item

    def spider_closed(self, spider: object = None) -> None:
        self.out.close()
