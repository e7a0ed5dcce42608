"""Killed runs resume with ``JOBDIR``: together the runs lose no page and duplicate no item.

Real crawls of the sample site (served slowly, so requests are in flight) are killed with
SIGKILL at moments early, in the middle and late, some twice, then started again with the
same ``JOBDIR`` until one finishes. The resumed run must be the same run folder, its WARC
files must pass ``warcio check``, its items must be the items of an uninterrupted crawl,
once each, and every WARC location it recorded (items, state store) must hold its record.
A journal whose run ``JOBDIR`` no longer names is stale: the next run starts afresh.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.archive.writer import OPEN_SUFFIX
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from crawler.layout import ITEMS_FILE, RUN_FILE, item_urls
from crawler.pipelines.jsonl import JsonlWriterPipeline, written_keys
from crawler.run import RESUME_FILE
from crawler.state.frontier import FRONTIER_FILE
from crawler.state.store import StateStore
from tests.killharness import Crawl, Moment
from tests.warctools import read_record_at, run_records, warcio_check

#: Seconds the site takes per response: about 8 requests are in flight at any moment.
DELAY = 0.02
#: Every page fetched every run: the incremental policy would skip pages of earlier runs.
SETTINGS = {"ARTICLE_REFRESH": "0", "LOG_LEVEL": "INFO"}
ARCHIVED = ("response", "revisit")


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    with SampleServer(Site(datetime.now(timezone.utc)), latency=DELAY) as server:
        yield server.url


@pytest.fixture(scope="module")
def reference(site_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What an uninterrupted crawl of the site archives: item keys, archived URIs."""
    root = tmp_path_factory.mktemp("reference")
    Crawl(site_url, root / "archives", root / "logs", SETTINGS).run()
    (folder,) = (path for path in (root / "archives").iterdir() if path.is_dir())
    return {
        "items": written_keys(folder / ITEMS_FILE),
        "archived": {
            record.rec_headers.get_header("WARC-Target-URI")
            for record in run_records(folder)
            if record.rec_type in ARCHIVED
        },
    }


def item_lines(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / ITEMS_FILE).read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]  # every line parses


@pytest.mark.parametrize(
    "moments",
    [
        pytest.param([Moment("warc", 1), Moment("items", 40)], id="first-record-then-middle"),
        pytest.param([Moment("warc", 150_000)], id="warc-middle"),
        pytest.param([Moment("items", 66)], id="late"),
    ],
)
def test_killed_runs_resume_losing_no_page_and_duplicating_no_item(
    site_url: str, reference: dict[str, Any], tmp_path: Path, moments: list[Moment]
) -> None:
    root, jobdir = tmp_path / "archives", tmp_path / "job"
    crawl = Crawl(site_url, root, tmp_path / "logs", {**SETTINGS, "JOBDIR": str(jobdir)})
    for moment in moments:
        crawl.kill_at(moment)
    log = crawl.run()
    assert "Resuming the frontier of" in log

    # The same run folder, resumed, finished; nothing left to resume.
    (folder,) = (path for path in root.iterdir() if path.is_dir())
    summary = json.loads((folder / RUN_FILE).read_text("utf-8"))
    assert summary["resumed"] is True and summary["finish_reason"] == "finished"
    # It began when the first, killed start began: the folder's name says when.
    started = datetime.fromisoformat(summary["started"])
    assert started.strftime("%Y%m%dT%H%M%SZ") == folder.name[:16]
    assert started < datetime.fromisoformat(summary["resumed_at"])
    assert not (jobdir / RESUME_FILE).exists()
    with sqlite3.connect(jobdir / FRONTIER_FILE) as journal:
        assert journal.execute("SELECT count(*) FROM requests").fetchone() == (0,)

    # Every WARC file closed and sound; the items of an uninterrupted crawl, once each.
    assert not list(folder.glob("*" + OPEN_SUFFIX))
    for path in folder.glob("*.warc.gz"):
        warcio_check(path)
    items = item_lines(folder)
    keys = [(item["type"], item["url"]) for item in items]
    assert len(keys) == len(set(keys)), "an item was written twice"
    assert set(keys) == reference["items"]
    archived = {
        record.rec_headers.get_header("WARC-Target-URI")
        for record in run_records(folder)
        if record.rec_type in ARCHIVED
    }
    assert archived >= reference["archived"]

    # Every location recorded, by an item or in the state store, holds its record. (The
    # store commits every moment, not every row: a kill may cost it rows, never its word.)
    for item in items:
        record, _ = read_record_at(folder / item["warc"]["filename"], item["warc"]["offset"])
        assert record.rec_headers.get_header("WARC-Target-URI") == item["url"]
    store = StateStore(root / "state.sqlite", readonly=True)
    try:
        fetches = [fetch for fetch in store.fetches() if fetch.warc_file]
    finally:
        store.close()
    for fetch in fetches:
        assert fetch.warc_offset is not None
        record, length = read_record_at(root / fetch.warc_file, fetch.warc_offset)
        assert record.rec_headers.get_header("WARC-Record-ID") == fetch.record_id
        assert length == fetch.warc_length


def test_item_files_are_read_past_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / ITEMS_FILE
    assert item_urls(path) == set() and written_keys(path) == set()
    path.write_text(
        '{"type":"article","url":"http://a.test/1"}\n'
        '{"type":"listing","url":"http://a.test/"}\n'
        '{"type":"article","url":"http://a.te',
        "utf-8",
    )
    assert item_urls(path) == {"http://a.test/1", "http://a.test/"}
    assert written_keys(path) == {("article", "http://a.test/1"), ("listing", "http://a.test/")}


def test_a_journal_whose_run_is_no_longer_named_is_not_resumed(
    site_url: str, reference: dict[str, Any], tmp_path: Path
) -> None:
    root, jobdir = tmp_path / "archives", tmp_path / "job"
    crawl = Crawl(site_url, root, tmp_path / "logs", {**SETTINGS, "JOBDIR": str(jobdir)})
    crawl.kill_at(Moment("items", 30))
    (jobdir / RESUME_FILE).unlink()  # as if the killed run had been given up
    log = crawl.run()
    assert "Resuming the frontier of" not in log
    killed, new = sorted(path for path in root.iterdir() if path.is_dir())
    assert json.loads((killed / RUN_FILE).read_text("utf-8"))["finish_reason"] == "killed"
    assert json.loads((new / RUN_FILE).read_text("utf-8"))["resumed"] is False
    # The stale journal neither filtered nor queued anything: the whole site, once.
    assert written_keys(new / ITEMS_FILE) == reference["items"]
    assert len(item_lines(new)) == len(reference["items"])


def test_a_resumed_run_writes_no_item_line_twice(tmp_path: Path) -> None:
    path = tmp_path / ITEMS_FILE
    path.write_text('{"type":"article","url":"http://a.test/1"}\n', "utf-8")
    stats = get_crawler().stats
    assert stats is not None
    with open(path, "a", encoding="utf-8") as out:
        pipeline = JsonlWriterPipeline(out, written_keys(path), stats)
        for item in [
            {"type": "article", "url": "http://a.test/1"},  # written by the killed run
            {"type": "listing", "url": "http://a.test/1"},
            {"type": "article", "url": "http://a.test/2"},
            {"type": "article", "url": "http://a.test/2"},  # written by this run
        ]:
            try:
                pipeline.process_item(item)
            except DropItem:
                continue
    assert [(item["type"], item["url"]) for item in item_lines(tmp_path)] == [
        ("article", "http://a.test/1"),
        ("listing", "http://a.test/1"),
        ("article", "http://a.test/2"),
    ]
    assert stats.get_value("items/duplicate_dropped") == 2
