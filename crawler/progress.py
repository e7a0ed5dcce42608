"""Progress of long runs, one log line at a time, and the line that sums a run up.

Every ``PROGRESS_INTERVAL`` seconds (0: never) the ``Progress`` extension logs::

    Progress: 41,230 pages (212.4/s now, 198.7/s overall), 38,900 items, 1.9 GB archived,
    12 errors, 5,310 queued

(on one line): responses received, their rate over the last interval and since the start,
items written, WARC bytes, ERROR log lines, and requests waiting in the scheduler. It takes
the place of Scrapy's ``LogStats``, which says less. When the run ends it logs the run's
summary line (``summary_line``), the same line ``scrapy crawl`` prints on stderr for cron.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)


def summary_line(spider_name: str, stats: dict[str, Any], folder: object = None) -> str:
    """Pages, items, archive size, errors, how it ended and where it went, on one line."""
    items = ", ".join(
        f"{stats[key]} {key.removeprefix('items/')}"
        for key in ("items/article", "items/listing")
        if stats.get(key)
    )
    parts = [
        f"{stats.get('response_received_count', 0)} pages",
        f"{stats.get('item_scraped_count', 0)} items" + (f" ({items})" if items else ""),
        f"{stats.get('archive/bytes', 0) / 1e6:.1f} MB archived",
    ]
    for key, text in (
        ("incremental/skipped", "fresh pages skipped"),
        ("archive/revisits", "revisits"),
        ("narrowing/conflicts", "conflicting times"),
    ):
        if stats.get(key):
            parts.append(f"{stats[key]} {text}")
    parts += [
        f"{stats.get('log_count/ERROR', 0)} errors",
        stats.get("finish_reason", "not started"),
    ]
    where = f" -> {folder}" if folder is not None else ""
    return f"{spider_name}: " + ", ".join(parts) + where


def _size(count: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    raise AssertionError("unreachable")


class Progress:
    """Logs the progress line every ``PROGRESS_INTERVAL`` seconds (module docstring)."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self._task = LoopingCall(self.log)
        self._started = time.monotonic()
        self._last = (self._started, 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        progress = cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL"))
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def spider_opened(self, spider: Spider) -> None:
        self._started = time.monotonic()
        self._last = (self._started, 0)
        if self.interval > 0:
            self._task.start(self.interval, now=False)

    def line(self) -> str:
        """The progress line, and the rate's reference moves to now."""
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        pages = stats.get("response_received_count", 0)
        now = time.monotonic()
        then, before = self._last
        self._last = (now, pages)
        recent = (pages - before) / max(now - then, 1e-9)
        overall = pages / max(now - self._started, 1e-9)
        scheduler = getattr(getattr(self.crawler.engine, "_slot", None), "scheduler", None)
        queued = f", {len(scheduler):,} queued" if hasattr(scheduler, "__len__") else ""
        return (
            f"Progress: {pages:,} pages ({recent:.1f}/s now, {overall:.1f}/s overall), "
            f"{stats.get('item_scraped_count', 0):,} items, "
            f"{_size(stats.get('archive/bytes', 0))} archived, "
            f"{stats.get('log_count/ERROR', 0):,} errors{queued}"
        )

    def log(self) -> None:
        logger.info(self.line())

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._task.running:
            self._task.stop()
        stats = {**(self.crawler.stats.get_stats() if self.crawler.stats else {})}
        stats.setdefault("finish_reason", reason)
        logger.info("Finished: %s", summary_line(spider.name, stats))
