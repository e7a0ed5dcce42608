"""Killed runs: every finished record and line stays readable, and the next run mends the rest.

The kill test runs real crawls of a larger sample site and sends SIGKILL at several
moments; the next crawl into the same archives root must close the left-open WARC file,
drop a partial JSONL line, and leave every earlier item pointing at a readable record.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders

from crawler.archive.writer import OPEN_SUFFIX, RecordLocation, WarcFileWriter
from crawler.demo.crawl import run_crawl
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from crawler.layout import LOCK_FILE
from crawler.recovery import close_open_warc, drop_partial_line, recover_root
from crawler.run import lock_root
from crawler.state.store import StateStore
from tests.killharness import Crawl, Moment
from tests.warctools import read_record_at, warcio_check


def write_records(folder: Path, count: int) -> list[RecordLocation]:
    """Records written and flushed but never closed: as a killed process leaves them."""
    writer = WarcFileWriter(folder, prefix="t", max_size=10**9, info={"software": "test"})
    locations = []
    for n in range(count):
        body = random.Random(n).randbytes(3000)
        locations += writer.write(
            writer.builder.create_warc_record(
                f"http://example.test/{n}",
                "response",
                payload=BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders("200 OK", [], protocol="HTTP/1.1"),
            )
        )
    return locations


@pytest.mark.parametrize("cut", [1, 10, 500, 2999])
def test_open_file_is_cut_back_to_its_last_complete_record(tmp_path, cut):
    *_, sixth = write_records(tmp_path, 6)
    (path,) = tmp_path.glob("*" + OPEN_SUFFIX)
    whole = path.read_bytes()[: sixth.offset]
    with open(path, "r+b") as stream:  # killed while the sixth record was being written
        stream.truncate(sixth.offset + cut)
    report = close_open_warc(path)
    closed = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    assert not path.exists() and closed.read_bytes() == whole
    assert f"cut {cut} bytes" in report
    warcio_check(closed)


def test_complete_open_file_is_only_renamed(tmp_path):
    write_records(tmp_path, 3)
    (path,) = tmp_path.glob("*" + OPEN_SUFFIX)
    whole = path.read_bytes()
    assert "(complete)" in close_open_warc(path)
    assert path.with_name(path.name.removesuffix(OPEN_SUFFIX)).read_bytes() == whole


@pytest.mark.parametrize(
    ("content", "kept"),
    [(b"", b""), (b'{"a":1}\n', b'{"a":1}\n'), (b'{"a":1}\n{"b":', b'{"a":1}\n'), (b'{"b":', b"")],
)
def test_partial_last_line_is_dropped(tmp_path, content, kept):
    path = tmp_path / "items.jsonl"
    path.write_bytes(content)
    assert drop_partial_line(path) == len(content) - len(kept)
    assert path.read_bytes() == kept


def test_a_run_killed_before_it_wrote_anything_is_marked_killed(tmp_path):
    (tmp_path / "20261121T000000Z-aggregator").mkdir()
    (tmp_path / "not-a-run").mkdir()
    (report,) = recover_root(tmp_path)
    assert "20261121T000000Z-aggregator: the run was killed" in report
    summary = json.loads((tmp_path / "20261121T000000Z-aggregator" / "run.json").read_text())
    assert summary["finish_reason"] == "killed"
    assert (tmp_path / "20261121T000000Z-aggregator" / "items.jsonl").read_bytes() == b""
    assert list((tmp_path / "not-a-run").iterdir()) == []


def test_second_crawl_on_a_locked_root_refuses_to_start(tmp_path):
    held = lock_root(tmp_path)
    try:
        command = [sys.executable, "-m", "scrapy", "crawl", "aggregator",
                   "-a", "start_urls=http://127.0.0.1:9/",
                   "-s", f"ARCHIVES_DIR={tmp_path}"]  # fmt: skip
        result = subprocess.run(
            command,
            env=dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        held.close()
    assert result.returncode == 3
    assert "another crawl is writing to" in result.stderr
    assert [path.name for path in tmp_path.iterdir()] == [LOCK_FILE]


class GatedSite(Site):
    """The sample site, holding every page but robots.txt until the gate opens."""

    def __init__(self, epoch: datetime) -> None:
        super().__init__(epoch)
        self.gate = threading.Event()

    def respond(self, path_and_query: str, now: datetime) -> tuple:
        if path_and_query != "/robots.txt":
            self.gate.wait(60)
        return super().respond(path_and_query, datetime.now(timezone.utc))


def test_a_crawl_started_while_another_writes_the_root_exits_3(tmp_path):
    command = [sys.executable, "-m", "scrapy", "crawl", "aggregator",
               "-s", f"ARCHIVES_DIR={tmp_path}"]  # fmt: skip
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings")
    site = GatedSite(datetime.now(timezone.utc))
    with SampleServer(site) as server:
        server.start()
        first = subprocess.Popen(
            [*command, "-a", f"start_urls={server.url}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not Moment("warc", 1).reached(tmp_path):
                assert first.poll() is None and time.monotonic() < deadline
                time.sleep(0.01)
            second = subprocess.run(
                [*command, "-a", f"start_urls={server.url}"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert first.poll() is None, "the first crawl should still be running"
            # Held at the gate, the first crawl writes nothing more; its timer has still
            # committed the robots.txt fetch, which a reader (or a kill) now sees.
            store = StateStore(tmp_path / "state.sqlite", readonly=True)
            assert [fetch.url for fetch in store.fetches()] == [server.url + "robots.txt"]
            store.close()
        finally:
            site.gate.set()  # now the first crawl may go on and finish
            status = first.wait(120)
    assert second.returncode == 3
    assert "another crawl is writing to" in second.stderr.splitlines()[-1]
    assert status == 0
    (folder,) = (path for path in tmp_path.iterdir() if path.is_dir())
    assert json.loads((folder / "run.json").read_text("utf-8"))["finish_reason"] == "finished"


def test_killed_crawls_leave_readable_archives_that_the_next_run_mends(tmp_path):
    site = Site(datetime.now(timezone.utc), n_synthetic=400)
    archives = tmp_path / "archives"
    with SampleServer(site) as server:
        server.start()
        settings = {"LOG_LEVEL": "WARNING", "ARTICLE_REFRESH": "0"}  # every run a full crawl
        crawl = Crawl(server.url, archives, tmp_path / "logs", settings)
        # Each start mends (closes) the file the run before left open, so the moment is
        # always the new run's own file reaching that size.
        for size in (20_000, 120_000, 300_000):
            crawl.kill_at(Moment("warc", size))
        killed = sorted(path for path in archives.iterdir() if path.is_dir())
        assert len(killed) == 3
        # Each crawl mended the folder the one before it left; the last is still open.
        assert [bool(list(f.glob("*" + OPEN_SUFFIX))) for f in killed] == [False, False, True]
        assert recover_root(archives)  # what the next run does first; then run one for real
        assert not recover_root(archives)  # nothing left to mend: recovery is idempotent
        run_crawl(server.url, archives, {"DEPTH_LIMIT": "1"})
    for folder in killed:
        assert not list(folder.glob("*" + OPEN_SUFFIX))
        summary = json.loads((folder / "run.json").read_text("utf-8"))
        assert summary["finish_reason"] == "killed" and summary["recovery"]
        assert (folder / "index.cdxj").stat().st_size > 0
        pages = (folder / "pages.jsonl").read_text("utf-8").splitlines()
        assert len(pages) == 1 + len((folder / "items.jsonl").read_text("utf-8").splitlines())
        for path in folder.glob("*.warc.gz"):
            warcio_check(path)
        lines = (folder / "items.jsonl").read_text("utf-8").splitlines()
        assert lines, f"{folder.name} archived no item before it was killed"
        for line in lines:
            item = json.loads(line)
            record, _ = read_record_at(folder / item["warc"]["filename"], item["warc"]["offset"])
            assert record.rec_headers.get_header("WARC-Target-URI") == item["url"]
