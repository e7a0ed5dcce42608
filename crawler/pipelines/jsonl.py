"""Items written to ``<run folder>/items.jsonl``: one UTF-8 JSON object per line.

Each line is written whole and flushed at once, so a killed crawl leaves every finished
line readable (at most the last one partial).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.layout import ITEMS_FILE
from crawler.pipelines import item_dict
from crawler.run import run_folder


def dumps(item: dict[str, Any]) -> str:
    """The one JSON form of an item: compact, UTF-8 text, not ASCII-escaped."""
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


class JsonlWriterPipeline:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonlWriterPipeline:
        path = run_folder(crawler).path / ITEMS_FILE
        pipeline = cls(open(path, "a", encoding="utf-8", newline="\n"))  # noqa: SIM115
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any, spider: object = None) -> Any:
        self.out.write(dumps(item_dict(item)) + "\n")
        self.out.flush()
        return item

    def spider_closed(self, spider: object = None) -> None:
        self.out.close()
