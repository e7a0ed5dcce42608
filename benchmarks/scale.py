"""Large crawls: the whole pipeline against bare Scrapy, and memory as a crawl grows.

A large synthetic sample site (``crawler.demo.site.Site`` with ``n_synthetic`` articles:
the sample site's listings, articles, related cards and times) is served on loopback. Its
capacity is checked with ``wrk`` (Debian's; skipped with a note when missing) and printed
beside the rows, against the fastest crawl rate measured: the server must not be what
limits either side.

- ``full_vs_bare``: ``scrapy crawl aggregator`` (extraction, timestamps, WARC, JSONL, state,
  indexes) against ``benchmarks/bare_spider.py`` run by bare Scrapy (the same links, a
  listing's next pages at the same ``PAGINATION_PRIORITY``, one minimal item per page),
  same settings, same server; whole commands timed. Target: at most 1.15 times the bare
  wall time.
- ``memory``: peak RSS of the crawl process for ``LARGE`` pages against ``SMALL`` pages
  (``CLOSESPIDER_PAGECOUNT``) of one site. Target: at most 1.25.

``python -m benchmarks.scale --pages 100000`` crawls that many pages once and prints its
rate and peak RSS (the 100,000-page check).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from statistics import median

from benchmarks.common import Result, at_most, paired_medians
from crawler.demo.crawl import SAMPLE_PROFILE, child_processes, crawl_command, crawl_env
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from crawler.profiles import load
from crawler.settings import PAGINATION_PRIORITY

#: Settings both sides run with: a fast local site, fetched as fast as the crawler can.
SETTINGS = {
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "ROBOTSTXT_OBEY": "True",
    "TELNETCONSOLE_ENABLED": "False",
    "LOG_LEVEL": "INFO",
}
BARE_SPIDER = Path(__file__).with_name("bare_spider.py")
FULL_TARGET = 1.15
MEMORY_TARGET = 1.25
SMALL, LARGE = 2_000, 20_000
#: Seconds between two reads of a crawl's peak RSS.
POLL = 0.2


def measured(
    command: list[str], env: Mapping[str, str], log: Path, cwd: Path | None = None
) -> tuple[float, int]:
    """Run ``command``; its wall seconds and its peak RSS in bytes (fails on non-zero exit).

    The peak is the sum of the program's own ``VmHWM`` and its child processes' (the page
    readers, the WARC writer), read every ``POLL`` seconds while it runs: ``wait4``'s
    ``ru_maxrss`` also counts the moment before ``exec``, when the child still has this
    process's memory (the served site), which would hide the crawl's growth, and leaves its
    children out."""
    start = time.perf_counter()
    peak = 0
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd
        )
        while process.poll() is None:
            tree = [process.pid, *child_processes(process.pid)]
            peak = max(peak, sum(_high_water(pid) for pid in tree))
            time.sleep(POLL)
    if process.returncode != 0:
        raise RuntimeError(f"exit status {process.returncode}; see {log}")
    return time.perf_counter() - start, peak


def _high_water(pid: int) -> int:
    """``VmHWM`` of a running process, in bytes (0 once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found[1]) * 1024 if found else 0



def ours(url: str, folder: Path, settings: Mapping[str, str]) -> tuple[float, int]:
    command = crawl_command(folder / "archives", {**SETTINGS, **settings}, start_url=url)
    return measured(command, crawl_env(), folder.with_suffix(".log"))


def bare(url: str, folder: Path) -> tuple[float, int]:
    # The listing's next pages as the project's spider finds and queues them.
    (pagination,) = load(SAMPLE_PROFILE).links.pagination
    command = [sys.executable, "-m", "scrapy", "runspider", str(BARE_SPIDER),
               "-a", f"start_url={url}", "-a", f"pagination={pagination}",
               "-a", f"priority={PAGINATION_PRIORITY}",
               "-o", str(folder / "items.jsonl")]  # fmt: skip
    for name, value in SETTINGS.items():
        command += ["-s", f"{name}={value}"]
    folder.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    # Run outside the project: Scrapy takes the settings of a scrapy.cfg in the working
    # directory (or above), which would give bare Scrapy this project's components.
    return measured(command, env, folder.with_suffix(".log"), cwd=folder)


def capacity(url: str) -> float | None:
    """Requests per second the server answers (``wrk``, 8 connections, 3 s), or None."""
    if shutil.which("wrk") is None:
        return None
    result = subprocess.run(
        ["wrk", "-t1", "-c8", "-d3s", "-H", "Accept-Encoding: gzip, deflate", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    return float(found[1]) if found else None


def _site(n_synthetic: int) -> Site:
    return Site(datetime.now(timezone.utc), n_synthetic=n_synthetic)


def _responses(log: Path) -> int:
    found = re.search(r"'downloader/response_count': (\d+)", log.read_text("utf-8"))
    return int(found[1]) if found else 0


def full_vs_bare(runs: int = 5, n_synthetic: int = 5_000) -> Result:
    site = _site(n_synthetic)
    with tempfile.TemporaryDirectory() as tmp, SampleServer(site) as server:
        every = iter(range(10**6))

        def run(side: str) -> None:
            folder = Path(tmp) / f"{side}-{next(every)}"
            if side == "ours":
                ours(server.url, folder, {"ARTICLE_REFRESH": "0"})
            else:
                bare(server.url, folder)

        medians = paired_medians(lambda: run("ours"), lambda: run("bare"), runs)
        pages = _responses(next(Path(tmp).glob("ours-*.log")))
        fastest = pages / min(medians[:2])
        served = capacity(server.url + site.articles[0].path.lstrip("/"))
    load = (
        f"server {served:.0f} req/s by wrk, {served / fastest:.1f}x the faster side"
        if served
        else "wrk missing: server capacity not checked"
    )
    name = f"crawl, full pipeline vs bare Scrapy ({pages} pages; {load})"
    return at_most(name, "s", medians, FULL_TARGET, runs)


def memory(runs: int = 5) -> Result:
    site = _site(int(LARGE * 0.9))  # about 1.25 responses an article: LARGE pages and more
    with tempfile.TemporaryDirectory() as tmp, SampleServer(site) as server:
        peaks: dict[int, list[int]] = {SMALL: [], LARGE: []}
        every = iter(range(10**6))

        def run(pages: int) -> None:
            folder = Path(tmp) / f"{pages}-{next(every)}"
            _, peak = ours(server.url, folder, {"CLOSESPIDER_PAGECOUNT": str(pages)})
            peaks[pages].append(peak)
            shutil.rmtree(folder, ignore_errors=True)

        paired_medians(lambda: run(LARGE), lambda: run(SMALL), runs)
    ratio = median(big / small for big, small in zip(peaks[LARGE], peaks[SMALL], strict=True))
    medians = (median(peaks[LARGE]) / 1e6, median(peaks[SMALL]) / 1e6, ratio)
    name = f"peak RSS, {LARGE:,}-page crawl vs {SMALL:,}-page crawl"
    return at_most(name, "MB", medians, MEMORY_TARGET, runs)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--pages", type=int, required=True, help="pages to crawl, once")
    args = parser.parse_args()
    site = _site(int(args.pages * 0.9))
    with tempfile.TemporaryDirectory() as tmp, SampleServer(site) as server:
        folder = Path(tmp) / "crawl"
        seconds, peak = ours(server.url, folder, {"CLOSESPIDER_PAGECOUNT": str(args.pages)})
        pages = _responses(folder.with_suffix(".log"))
        shutil.copy(folder.with_suffix(".log"), Path.cwd() / "scale-crawl.log")
    print(
        f"{pages:,} pages in {seconds:.0f} s ({pages / seconds:.1f} pages/s), "
        f"peak RSS {peak / 1e6:.0f} MB; log: scale-crawl.log",
        flush=True,
    )


if __name__ == "__main__":
    main()
