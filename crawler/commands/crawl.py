"""``scrapy crawl``, ready for cron: clear exit statuses and a one-line summary.

Exit status: 0 when the crawl fetched pages and finished (a worker of a distributed run:
finished, even with no page of its own); 1 when it failed (a fatal error, or no page
fetched); 2 on bad usage (Scrapy's own rule, e.g. a missing ``start_urls``);
3 when another crawl holds the archives root (``crawler.run.lock_root``), before anything
is written. The summary line goes to stderr after Scrapy's log.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from crawler.distributed.run import distributed
from crawler.progress import summary_line
from crawler.run import ArchivesLocked, RunFolder, lock_root

LOCKED = 3


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's usage errors
            return
        assert self.crawler_process is not None and self.settings is not None
        spidercls = self.crawler_process.spider_loader.load(args[0])
        check = getattr(spidercls, "check_arguments", None)
        if check is not None:
            check(self.settings, **opts.spargs)  # a UsageError exits 2 with Scrapy's usage
        worker = distributed(self.settings)
        try:
            lock_root(Path(self.settings.get("ARCHIVES_DIR", "archives")), shared=worker).close()
        except ArchivesLocked as exc:
            print(f"scrapy crawl: {exc}", file=sys.stderr)
            self.exitcode = LOCKED
            return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        try:
            stats = crawler.stats.get_stats()
        except RuntimeError:  # the crawl failed before it started
            stats = {}
        # A worker of a distributed run may find the others did all the work.
        fetched = stats.get("response_received_count", 0) or (
            worker and stats.get("finish_reason") == "finished"
        )
        if self.crawler_process.bootstrap_failed or not fetched:
            self.exitcode = 1
        try:
            folder = crawler.get_extension(RunFolder).path
        except RuntimeError:  # the crawl failed before its extensions were built
            folder = None
        print(summary_line(crawler.spidercls.name, stats, folder), file=sys.stderr, flush=True)
