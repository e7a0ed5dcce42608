"""The run folder: one per crawl under ``ARCHIVES_DIR``, never shared with another run.

Built as an extension so every component (archive middleware, JSONL pipeline) asks the
same instance for the folder. Before the run starts it takes ``<ARCHIVES_DIR>/.lock``, so
two crawls never write one archives root at once, and puts runs killed earlier back in
order (``crawler.recovery``). At the end of the crawl it writes ``run.json``: what was
crawled, when, how it ended, and the crawl's counters.
"""

from __future__ import annotations

import fcntl
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler import __version__
from crawler.layout import LOCK_FILE, write_run_file
from crawler.recovery import recover_root

logger = logging.getLogger(__name__)

#: Counters copied from Scrapy's stats into run.json.
SUMMARY_STATS = (
    "downloader/request_count",
    "downloader/response_count",
    "item_scraped_count",
    "archive/records",
    "archive/bytes",
    "archive/revisits",
    "archive/truncated",
    "items/article",
    "items/listing",
    "items/invalid",
    "pages/extract_failed",
    "timestamps/parsed",
    "timestamps/unparsed",
    "robotstxt/forbidden",
    "offsite/filtered",
    "log_count/ERROR",
    "recovery/mended",
)


class ArchivesLocked(RuntimeError):
    """Another crawl holds the archives root."""


class RunFolder:
    """Creates ``<ARCHIVES_DIR>/<UTC start>-<spider>/`` and describes the run when it ends."""

    def __init__(self, crawler: Crawler, root: Path, name: str) -> None:
        self.crawler = crawler
        self._lock = lock_root(root)
        for report in recover_root(root):
            logger.warning("Recovered: %s", report)
            crawler.stats.inc_value("recovery/mended")
        self.started = datetime.now(timezone.utc)
        self.path = _make_unique(root, f"{self.started:%Y%m%dT%H%M%SZ}-{name}")
        self.id = self.path.name
        logger.info("Run folder: %s", self.path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunFolder:
        root = Path(crawler.settings.get("ARCHIVES_DIR", "archives"))
        name = crawler.settings.get("RUN_NAME") or crawler.spidercls.name
        folder = cls(crawler, root, name)
        crawler.signals.connect(folder.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(folder.engine_stopped, signal=signals.engine_stopped)
        return folder

    def engine_stopped(self) -> None:
        """Release the archives root once everything (indexes included) is written."""
        self._lock.close()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        summary = {
            "run_id": self.id,
            "spider": spider.name,
            "software": f"aggregator-archiver/{__version__}",
            "start_urls": list(getattr(spider, "start_urls", [])),
            "started": self.started.isoformat(),
            "finished": datetime.now(timezone.utc).isoformat(),
            "finish_reason": reason,
            "stats": {key: stats[key] for key in SUMMARY_STATS if key in stats},
        }
        write_run_file(self.path, summary)


def lock_root(root: Path) -> TextIO:
    """Hold ``<root>/.lock`` until the returned file is closed (or the process dies)."""
    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / LOCK_FILE, "a+")  # noqa: SIM115
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ArchivesLocked(
            f"another crawl is writing to {root} (it holds {root / LOCK_FILE}); "
            "this run did not start"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _make_unique(root: Path, name: str) -> Path:
    """Create the folder atomically; a clash (two runs in one second) gets a suffix."""
    for attempt in range(1, 1000):
        path = root / (name if attempt == 1 else f"{name}-{attempt}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise RuntimeError(f"cannot create a run folder for {name!r} under {root}")


def run_folder(crawler: Crawler) -> RunFolder:
    """The crawl's ``RunFolder``; a clear error when the extension is switched off."""
    folder = crawler.get_extension(RunFolder)
    if folder is None:
        raise RuntimeError("crawler.run.RunFolder must be enabled in EXTENSIONS")
    return folder
