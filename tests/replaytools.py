"""Helpers the replay tests share: run ``scrapy replay`` (and ``scrapy articles``) offline,
crawl the sample site once or twice, crawl with other tools."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from crawler.demo.crawl import crawl_sample_site, run_crawl
from crawler.demo.server import SampleServer
from crawler.demo.site import Site

NETGUARD = Path(__file__).with_name("netguard")
SAMPLE_ZONE = "Asia/Tokyo"
#: Item fields that differ between two crawls of one site: when, where it was stored, and
#: the windows narrowed with what earlier runs of its archives root saw.
CRAWL_SPECIFIC = ("fetched_at", "published", "warc", "narrowed")


def offline(command: str, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``scrapy COMMAND ARGS`` in a child process that may not touch the network.

    Fails the test on a traceback or a network attempt, whatever the exit status.
    """
    paths = [str(NETGUARD), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = dict(
        os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings", PYTHONPATH=os.pathsep.join(paths)
    )
    argv = [sys.executable, "-m", "scrapy", command, *map(str, args)]
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    assert "network use blocked" not in result.stderr, result.stderr
    return result


def replay(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``scrapy replay ARGS``, offline."""
    return offline("replay", *args, cwd=cwd)


def wget_crawl(url: str, folder: Path, *options: str) -> Path:
    """Crawl ``url`` with Debian's wget (recursive, obeying robots.txt) into one WARC file.

    Without keep-alive: on a kept-alive connection to the sample server wget stalls about
    50 ms a request. Skips the test where wget is missing (``make system-deps`` installs it).
    """
    if shutil.which("wget") is None:
        pytest.skip("wget is not installed (make system-deps installs it)")
    command = ["wget", "--quiet", "--recursive", "--no-directories", "--delete-after",
               "--no-http-keep-alive", "--warc-file=site", "--no-warc-keep-log",
               *options, url]  # fmt: skip
    subprocess.run(command, cwd=folder, check=False, timeout=120)
    warc = folder / "site.warc.gz"
    assert warc.exists(), "wget wrote no WARC file"
    return warc


def capture_crawl(url: str, warc: Path) -> Path:
    """Crawl ``url`` with requests, recorded by warcio's ``capture_http`` (another process:
    see ``tests.capture_crawl``)."""
    command = [sys.executable, "-m", "tests.capture_crawl", url, str(warc)]
    subprocess.run(command, check=True, timeout=120, cwd=Path(__file__).parent.parent)
    return warc


def lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def fault_lines(stderr: str) -> list[str]:
    """The fault lines of a replay's standard error (all but the closing summary)."""
    found = stderr.splitlines()
    assert found and found[-1].startswith("replay: "), stderr
    return found[:-1]


def without(item: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The item without ``fields``, nor its cards."""
    kept = {key: value for key, value in item.items() if key not in fields}
    for key in ("related", "cards"):
        if key in kept:
            kept[key] = [without(card, fields) for card in kept[key]]
    return kept


def comparable(item: dict[str, Any]) -> dict[str, Any]:
    """What two crawls of the same site agree on: text, URLs, sources; not times."""
    return without(item, CRAWL_SPECIFIC)


def unnarrowed(item: dict[str, Any]) -> dict[str, Any]:
    """The crawl's item as a replay without the state store gives it: no ``narrowed``."""
    return without(item, ("narrowed",))


def by_url(jsonl: Path) -> dict[str, dict[str, Any]]:
    """The items of a JSONL file by URL (each URL once)."""
    items = [json.loads(line) for line in lines(jsonl)]
    found = {item["url"]: item for item in items}
    assert len(found) == len(items), "an URL has more than one item"
    return found


@cache
def sample_run() -> Path:
    """A crawl of the sample site in Asia/Tokyo (calendar words need the recorded zone),
    in small WARC files (several per run) and a WACZ: made once per test session."""
    root = Path(tempfile.mkdtemp(prefix="replay-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    settings = {"WARC_MAX_SIZE": "100000", "WACZ_ENABLED": "True"}
    folder, _ = crawl_sample_site(root, tz=SAMPLE_ZONE, settings=settings)
    return folder


@dataclass(frozen=True)
class TwoRuns:
    """Two runs of one archives root, and the site's true publication instants by path."""

    root: Path
    first: Path
    second: Path
    truth: dict[str, str]


@cache
def two_runs() -> TwoRuns:
    """Two crawls of one sample site (one server: the same URLs and the same truth) into
    one archives root, one after the other, the second refetching every article
    (``ARTICLE_REFRESH=0``): its unchanged pages are revisits of the first run's records,
    and it adds its own observations. Made once per test session."""
    root = Path(tempfile.mkdtemp(prefix="state-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    site = Site(datetime.now(timezone.utc), tz=SAMPLE_ZONE)
    settings = {"SITE_TIMEZONE": SAMPLE_ZONE}
    with SampleServer(site) as server:
        server.start()
        first = run_crawl(server.url, root, settings)
        second = run_crawl(server.url, root, {**settings, "ARTICLE_REFRESH": "0"})
    return TwoRuns(root, first, second, site.truth())
