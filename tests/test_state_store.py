"""The state store on its own: gathered commits, what a kill leaves, the WAL's bound, stores
of earlier versions, and the incremental policy's questions to it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request

import crawler.state.store as store_module
from crawler.archive.revisits import ArchivedPayload
from crawler.state.incremental import IncrementalMiddleware
from crawler.state.store import (
    ARTICLE,
    COMMIT_INTERVAL,
    LISTING,
    Fetch,
    PageState,
    StateStore,
)
from crawler.timestamps import iso_utc

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def clock(monkeypatch):
    """The store's monotonic clock, moved by hand."""
    now = [0.0]
    monkeypatch.setattr(store_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    return now


def fetch(seq: int, n: int) -> Fetch:
    return Fetch(seq, f"http://a.test/{n}", iso_utc(T0), 200, f"sha1:{n}", "response",
                 f"<urn:{n}>", "run/x.warc.gz", n * 10, 10)  # fmt: skip


def committed_fetches(path: Path) -> int:
    """Rows another process sees: only committed ones."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as other:
        return other.execute("SELECT count(*) FROM fetches").fetchone()[0]


def test_writes_are_gathered_committed_together_and_read_back_before(tmp_path, clock):
    path = tmp_path / "state.sqlite"
    store = StateStore(path)
    seq = store.begin_run("run", iso_utc(T0))
    store.add_fetch(fetch(seq, 1))
    store.add_payload("sha1:1", ArchivedPayload("<urn:1>", "http://a.test/1", iso_utc(T0)))
    store.save_page(PageState("http://a.test/1", ARTICLE, iso_utc(T0), 200, seq, [("u", "L")]))
    # This process reads its own writes at once; another sees none of them yet.
    assert store.payload("sha1:1") == ArchivedPayload("<urn:1>", "http://a.test/1", iso_utc(T0))
    assert store.page("http://a.test/1").links == [("u", "L")]
    assert len(store.fetches()) == 1 and committed_fetches(path) == 0
    clock[0] += COMMIT_INTERVAL
    store.add_fetch(fetch(seq, 2))  # the transaction is old enough: committed with it
    assert committed_fetches(path) == 2
    store.add_fetch(fetch(seq, 3))
    assert committed_fetches(path) == 2
    store.commit()  # the crawl's timer
    assert committed_fetches(path) == 3
    store.close()


def test_a_shared_store_commits_every_write(tmp_path, clock):
    path = tmp_path / "state.sqlite"
    store = StateStore(path, shared=True)
    seq = store.begin_run("run", iso_utc(T0))
    for n in range(3):
        store.add_fetch(fetch(seq, n))
        assert committed_fetches(path) == n + 1
    store.close()


KILLED = """
import os, sys
from pathlib import Path
from crawler.state.store import Fetch, StateStore
store = StateStore(Path(sys.argv[1]))
seq = store.begin_run("run", "2026-01-01T00:00:00+00:00")
for n in range(200):
    store.add_fetch(Fetch(seq, f"http://a.test/{n}", "t", 200))
store.commit()
for n in range(200, 300):  # gathered, never committed
    store.add_fetch(Fetch(seq, f"http://a.test/{n}", "t", 200))
    store.record_item(seq, {"type": "article", "url": f"http://a.test/{n}",
                            "fetched_at": "t", "title": "T"})
os.kill(os.getpid(), 9)
"""


def test_a_killed_process_leaves_its_commits_and_nothing_of_the_rest(tmp_path):
    path = tmp_path / "state.sqlite"
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(KILLED), str(path)])
    assert run.returncode == -9
    store = StateStore(path)
    assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert len(store.fetches()) == 200 and list(store.articles()) == []


def test_the_wal_stays_within_its_checkpoint_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "CHECKPOINT_PAGES", 50)
    path = tmp_path / "state.sqlite"
    store = StateStore(path, shared=True)
    seq = store.begin_run("run", iso_utc(T0))
    page_size = store.db.execute("PRAGMA page_size").fetchone()[0]
    largest = 0
    for n in range(3000):
        links = [(f"http://a.test/{n}/{i}", "L") for i in range(20)]
        store.save_page(PageState(f"http://a.test/{n}", ARTICLE, iso_utc(T0), 200, seq, links))
        largest = max(largest, path.with_name(path.name + "-wal").stat().st_size)
    # 50 pages and one commit's (a frame is a page and its header), however large the file.
    assert largest < 60 * (page_size + 24) < path.stat().st_size / 5
    store.close()


def test_a_store_of_an_earlier_version_keeps_its_rows_and_loses_unused_indexes(tmp_path):
    path = tmp_path / "state.sqlite"
    store = StateStore(path)
    seq = store.begin_run("run", iso_utc(T0))
    store.add_fetch(fetch(seq, 1))
    window = {"earliest": iso_utc(T0), "latest": iso_utc(T0 + timedelta(days=1)),
              "value": iso_utc(T0)}  # fmt: skip
    item = {"type": "article", "url": "http://a.test/1", "fetched_at": iso_utc(T0),
            "published": {"raw": "Jan 1", **window}}  # fmt: skip
    store.record_item(seq, item)
    # What version 1 stores carry besides.
    store.db.execute("CREATE INDEX fetches_by_url ON fetches (url)")
    store.db.execute("CREATE INDEX observations_by_article ON observations (article_url, run_seq)")
    store.close()
    reader = StateStore(path, readonly=True)  # a replay asks it as it is
    assert [o.raw for o in reader.observations("http://a.test/1", before_run=seq + 1)] == ["Jan 1"]
    reader.db.close()
    store = StateStore(path)
    indexes = {row[0] for row in store.db.execute("SELECT name FROM sqlite_schema")}
    assert not indexes & {"fetches_by_url", "observations_by_article"}
    assert store.fetches() == [fetch(seq, 1)]
    assert [o.raw for o in store.observations("http://a.test/1", before_run=seq + 1)] == ["Jan 1"]
    assert store.observations("http://a.test/1", before_run=seq) == []
    assert store.observation_counts("http://a.test/1") == 1
    store.close()


class Counts(dict):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] = self.get(key, start) + count


def test_the_incremental_policy_judges_this_runs_pages_and_known_due_ones_alike(tmp_path):
    store = StateStore(tmp_path / "state.sqlite")
    earlier = store.begin_run("earlier", iso_utc(T0))
    now = store.begin_run("now", iso_utc(T0 + timedelta(hours=1)))
    fetched = iso_utc(T0)
    store.save_page(PageState("http://a.test/old", ARTICLE, fetched, 200, earlier, []))
    store.save_page(PageState("http://a.test/list", LISTING, fetched, 200, earlier, []))
    store.save_page(PageState("http://a.test/mine", ARTICLE, fetched, 200, now, []))
    assert store.page("http://a.test/mine", not_run=now) is None
    assert store.page("http://a.test/mine", not_run=earlier).run_seq == now
    middleware = IncrementalMiddleware(store, now, timedelta(hours=24), Counts())
    at = T0 + timedelta(hours=1)
    urls = [f"http://a.test/{name}" for name in ("old", "list", "mine", "new")]
    for _ in range(2):  # the second time, the listing and the new page are known due
        admitted = [
            r.url for url in urls for r in middleware._admit(Request(url, meta={"hops": "L"}), at)
        ]
        assert admitted == urls[1:]
    assert middleware.stats == {"incremental/skipped": 1}
    # A page known due stays due when this run saves it.
    store.save_page(PageState("http://a.test/new", ARTICLE, fetched, 200, now, []))
    assert [r.url for r in middleware._admit(Request("http://a.test/new"), at)] == [
        "http://a.test/new"
    ]
