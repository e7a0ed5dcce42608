"""What archiving and the state store cost: the same crawl with each switched on and off.

A larger sample site (about 500 articles, 600 pages) is served once per benchmark; each
pair crawls it with the component on and off, timing the whole ``scrapy crawl`` command.

- Archiving (``WARC_ENABLED``: archive, revisits, metadata, CDXJ and pages indexes), with
  the state store off on both sides. Target: at most 10% more.
- The state store (``STATE_ENABLED``: fetch rows, payload index, page memory,
  observations and narrowed windows), archiving on for both, every page fetched every
  run (``ARTICLE_REFRESH=0``) into a root whose store grows run by run, as a schedule's
  does. Target: at most 10% more.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.common import Result, at_most, paired_medians
from crawler.demo.crawl import run_crawl
from crawler.demo.server import SampleServer
from crawler.demo.site import Site

TARGET = 1.10


def archiving(runs: int = 5, n_synthetic: int = 500) -> Result:
    off = {"STATE_ENABLED": "False"}
    return _paired(
        "crawl, archiving on vs off", {**off, "WARC_ENABLED": "True"},
        {**off, "WARC_ENABLED": "False"}, runs, n_synthetic,
    )  # fmt: skip


def state(runs: int = 5, n_synthetic: int = 500) -> Result:
    return _paired(
        "crawl, state store on vs off", {"STATE_ENABLED": "True", "ARTICLE_REFRESH": "0"},
        {"STATE_ENABLED": "False"}, runs, n_synthetic,
    )  # fmt: skip


def _paired(
    label: str, on: Mapping[str, str], off: Mapping[str, str], runs: int, n_synthetic: int
) -> Result:
    site = Site(datetime.now(timezone.utc), n_synthetic=n_synthetic)
    with tempfile.TemporaryDirectory() as tmp, SampleServer(site) as server:
        server.start()

        def crawl(settings: Mapping[str, str], root: str) -> None:
            run_crawl(server.url, Path(tmp) / root, {**settings, "LOG_LEVEL": "INFO"})

        medians = paired_medians(lambda: crawl(on, "on"), lambda: crawl(off, "off"), runs)
    return at_most(f"{label} ({len(site.articles)} articles)", "s", medians, TARGET, runs)
