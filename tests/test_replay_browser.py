"""An archived article replayed through real pywb renders in a real browser.

The sample site is crawled, its run folder served by pywb, and headless Debian Chromium
loads the seed article in pywb's rewriting replay: what a person browsing the archive sees.
The screenshot is kept under ``tests/artifacts/`` for a human to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from crawler.demo.crawl import crawl_sample_site
from tests.pywb_harness import Pywb, unavailable

HEADLINE = "Japan, NATO agree to collaborate on Iran, Ukraine, N Korea issues"
ARTIFACTS = Path(__file__).parent / "artifacts"
WINDOW = (1280, 2000)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        unavailable("chromium not found: run `make system-deps`")
    return path


@pytest.fixture(scope="module")
def article_replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The replay URL (rewriting mode) of the seed article, while pywb serves the crawl."""
    folder, _ = crawl_sample_site(tmp_path_factory.mktemp("archives"))
    items = [json.loads(line) for line in (folder / "items.jsonl").open(encoding="utf-8")]
    article = min((item for item in items if item["type"] == "article"
                   and item["title"] == HEADLINE), key=lambda item: item["url"])  # fmt: skip
    timestamp = f"{datetime.fromisoformat(article['fetched_at']):%Y%m%d%H%M%S}"
    with Pywb(folder) as pywb:
        yield pywb.replay_url(timestamp, article["url"], mode="")


def run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on a fresh profile, kept off the network except loopback."""
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
               *args]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_replayed_article_renders_its_headline(chromium, article_replay, tmp_path):
    dom = run_chromium(chromium, tmp_path / "profile", "--dump-dom", article_replay).stdout
    assert "/static/wombat.js" in dom  # pywb rewrote the page, not a raw (id_) replay
    assert re.search(rf"<h1[^>]*>{re.escape(HEADLINE)}</h1>", dom), dom[:2000]


def test_replayed_article_screenshot(chromium, article_replay, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "replay-article.png"
    screenshot.unlink(missing_ok=True)
    width, height = WINDOW
    run_chromium(chromium, tmp_path / "profile", f"--screenshot={screenshot}",
                 f"--window-size={width},{height}", article_replay)  # fmt: skip
    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == WINDOW
    # A blank or one-line page of that size is under 25 kB; the article is hundreds.
    assert len(png) > 100_000
