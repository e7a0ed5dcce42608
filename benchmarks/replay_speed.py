"""Replay speed: ``scrapy replay`` of a run folder against the ``scrapy crawl`` that wrote it.

A sample site of about 500 articles (600 pages) is served once and crawled once untimed.
Each pair of runs then crawls it again, every page (``ARTICLE_REFRESH=0``; the whole
``scrapy crawl`` command, as ``crawl_overhead`` times it), and replays the latest run
folder (the whole ``scrapy replay`` command, with its default number of processes), in
alternating order.
The row gives pages per second; its ratio is replay's throughput over the crawl's (higher
is better). The last replay's items must equal its run's. Target: replay at least 3 times
as fast as the crawl.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.common import Result, paired_medians
from crawler.commands.replay import available_cpus
from crawler.demo.crawl import run_crawl
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from crawler.layout import ITEMS_FILE

TARGET = 3.0


def replay(folder: Path, out: Path) -> None:
    """``scrapy replay FOLDER -o OUT`` as a user runs it."""
    command = [sys.executable, "-m", "scrapy", "replay", str(folder), "-o", str(out)]
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings")
    subprocess.run(command, env=env, check=True, capture_output=True)


def sorted_lines(path: Path) -> list[str]:
    return sorted(path.read_text("utf-8").splitlines())


def run(runs: int = 5, n_synthetic: int = 500) -> Result:
    site = Site(datetime.now(timezone.utc), n_synthetic=n_synthetic)
    with tempfile.TemporaryDirectory() as tmp, SampleServer(site) as server:
        server.start()
        archives, out = Path(tmp) / "archives", Path(tmp) / "replay.jsonl"
        every_page = {"ARTICLE_REFRESH": "0"}
        folders = [run_crawl(server.url, archives, every_page)]
        replayed: list[Path] = []

        def crawl() -> None:
            folders.append(run_crawl(server.url, archives, every_page))

        def replay_latest() -> None:
            replayed.append(folders[-1])
            replay(folders[-1], out)

        crawl_time, replay_time, speedup = paired_medians(crawl, replay_latest, runs)
        pages = len(sorted_lines(folders[0] / ITEMS_FILE))
        same = sorted_lines(out) == sorted_lines(replayed[-1] / ITEMS_FILE)
    return Result(
        name=f"replay vs crawl, same pages ({pages} pages; replay in {available_cpus()} "
        f"processes; same items: {'yes' if same else 'NO'})",
        unit="pages/s",
        ours=pages / replay_time,
        baseline=pages / crawl_time,
        ratio=speedup,
        target=f">= {TARGET:.0f}",
        meets=speedup >= TARGET and same,
        runs=runs,
    )
