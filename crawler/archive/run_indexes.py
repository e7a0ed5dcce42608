"""The per-run indexes built when a crawl ends, once its WARC files are closed (in a
distributed run, when its last worker ends: ``crawler.run.RunFolder.finisher``).

Settings: ``WARC_CDXJ_ENABLED`` (``index.cdxj``), ``WARC_PAGES_ENABLED`` (``pages.jsonl``),
``WACZ_ENABLED`` (``<run id>.wacz``). The builders are in ``crawler.archive.indexes``;
``index.cdxj`` is sorted from the lines the WARC writers kept as they wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.archive import require_archiving
from crawler.archive.indexes import write_cdxj_from_sidecars, write_pages, write_wacz
from crawler.run import run_folder

logger = logging.getLogger(__name__)


class RunIndexes:
    """Builds the enabled indexes when the engine stops (after the WARC files close)."""

    def __init__(self, crawler: Crawler, builders: list[Callable[[Path], Path]]) -> None:
        self.crawler = crawler
        self.builders = builders

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunIndexes:
        settings = crawler.settings
        require_archiving(settings)
        enabled = [
            (settings.getbool("WARC_CDXJ_ENABLED"), write_cdxj_from_sidecars),
            (settings.getbool("WARC_PAGES_ENABLED"), write_pages),
            (settings.getbool("WACZ_ENABLED"), write_wacz),
        ]
        builders = [builder for on, builder in enabled if on]
        if not builders:
            raise NotConfigured("no run index enabled")
        indexes = cls(crawler, builders)
        crawler.signals.connect(indexes.engine_stopped, signal=signals.engine_stopped)
        return indexes

    def engine_stopped(self) -> None:
        # Looked up now: extensions cannot ask for each other while they are being built.
        run = run_folder(self.crawler)
        if not run.finisher:
            return  # a worker of a distributed run that goes on without it
        folder = run.path
        for builder in self.builders:
            try:
                path = builder(folder)
            except Exception:
                # An index can be rebuilt from the run's files; the archive itself is safe.
                logger.exception("Could not build %s for %s", builder.__name__, folder)
            else:
                logger.info("Wrote %s", path)
