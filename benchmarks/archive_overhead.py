"""Archiving overhead: the same crawl of the sample site with WARC archiving on and off.

A larger sample site (about 500 articles, 600 pages) is served once; each pair crawls it
with ``WARC_ENABLED`` on (archive, revisits, metadata, CDXJ and pages indexes) and off,
timing the whole ``scrapy crawl`` command. Target: archiving adds at most 10%.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.common import Result, paired_medians
from crawler.demo.crawl import run_crawl
from crawler.demo.server import SampleServer
from crawler.demo.site import Site

TARGET = 1.10


def run(runs: int = 5, n_synthetic: int = 500) -> Result:
    site = Site(datetime.now(timezone.utc), n_synthetic=n_synthetic)
    with tempfile.TemporaryDirectory() as tmp, SampleServer(site) as server:
        server.start()
        archives = Path(tmp)

        def crawl(enabled: bool) -> None:
            run_crawl(server.url, archives, {"WARC_ENABLED": str(enabled), "LOG_LEVEL": "INFO"})

        ours, baseline, ratio = paired_medians(lambda: crawl(True), lambda: crawl(False), runs)
    return Result(
        name=f"crawl, archiving on vs off ({len(site.articles)} articles)",
        unit="s",
        ours=ours,
        baseline=baseline,
        ratio=ratio,
        target=f"<= {TARGET:.2f}",
        meets=ratio <= TARGET,
        runs=runs,
    )
