"""Long runs say how they are going: a progress line every ``PROGRESS_INTERVAL`` seconds,
and the run's summary line when it ends (``crawler.progress``)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from crawler.demo.crawl import run_crawl
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from crawler.progress import summary_line

PROGRESS = re.compile(
    r"Progress: ([\d,]+) pages \(([\d.]+)/s now, ([\d.]+)/s overall\), ([\d,]+) items, "
    r"([\d.]+ [kMG]?B) archived, (\d+) errors, ([\d,]+) queued"
)


def test_a_crawl_logs_its_progress_then_its_summary(tmp_path):
    with SampleServer(Site(datetime.now(timezone.utc)), latency=0.02) as server:
        folder = run_crawl(server.url, tmp_path, {"PROGRESS_INTERVAL": "0.3"})
    log = (folder / "crawl.log").read_text("utf-8")
    lines = [PROGRESS.search(line) for line in log.splitlines() if "Progress: " in line]
    assert len(lines) >= 3 and all(lines), [line for line in log.splitlines() if "Progress" in line]
    pages = [int(found[1].replace(",", "")) for found in lines if found]
    assert pages == sorted(pages) and pages[-1] > pages[0] > 0
    assert any(float(found[2]) > 0 for found in lines if found)
    # Scrapy's own, terser, progress line is replaced.
    assert "Crawled " not in log
    (finished,) = [line for line in log.splitlines() if "Finished: " in line]
    assert re.search(r"Finished: aggregator: 88 pages, 70 items \(56 article, 14 listing\), "
                     r"[\d.]+ MB archived, 0 errors, finished$", finished)  # fmt: skip


def test_the_summary_line_names_what_the_run_did():
    stats = {
        "response_received_count": 12, "item_scraped_count": 9, "items/article": 7,
        "items/listing": 2, "archive/bytes": 2_500_000, "archive/revisits": 3,
        "log_count/ERROR": 1, "finish_reason": "closespider_pagecount",
    }  # fmt: skip
    assert summary_line("aggregator", stats, "archives/run") == (
        "aggregator: 12 pages, 9 items (7 article, 2 listing), 2.5 MB archived, 3 revisits,"
        " 1 errors, closespider_pagecount -> archives/run"
    )
    assert summary_line("aggregator", {}) == (
        "aggregator: 0 pages, 0 items, 0.0 MB archived, 0 errors, not started"
    )
