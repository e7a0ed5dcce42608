"""Scheduled runs into one archives root: incremental, narrowing, revisits across runs.

Three real crawls of the sample site, one after another, share one state store. The
second runs with the default ``ARTICLE_REFRESH`` (24 h), so it fetches the listings and
only the article a listing shows newer than the stored copy; the third refetches every
page (``ARTICLE_REFRESH=0``), so unchanged payloads become revisits of earlier runs'
records.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy import Request

from crawler.archive.revisits import ArchivedPayload
from crawler.demo.crawl import run_crawl
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from crawler.layout import ITEMS_FILE, RUN_FILE
from crawler.state.incremental import IncrementalMiddleware
from crawler.state.store import ARTICLE, LISTING, Fetch, PageState, StateStore
from crawler.timestamps import iso_utc
from tests.warctools import read_record_at, run_records, warcio_check


def items(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / ITEMS_FILE).read_text("utf-8").splitlines()]


def stats(folder: Path) -> dict:
    return json.loads((folder / RUN_FILE).read_text("utf-8"))["stats"]


def windows(folder: Path) -> dict[str, list[tuple[datetime, datetime, int]]]:
    """Every narrowed window a run's items give, by article URL."""
    found: dict[str, list[tuple[datetime, datetime, int]]] = {}
    for item in items(folder):
        speakers = [item] if item["type"] == "article" else []
        speakers += item.get("cards") or item.get("related") or []
        for speaker in speakers:
            narrowed = speaker["narrowed"]
            if narrowed is not None:
                found.setdefault(speaker["url"], []).append(
                    (
                        datetime.fromisoformat(narrowed["earliest"]),
                        datetime.fromisoformat(narrowed["latest"]),
                        narrowed["observations"],
                    )
                )
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("archives")
    site = Site(datetime.now(timezone.utc))
    with SampleServer(site) as server:
        server.start()
        first = run_crawl(server.url, root)
        # Pretend the copy of an hour-old article was fetched 3 h ago (still within the
        # 24 h refresh): its card on the home page now shows it newer than that copy.
        article = next(
            a for a in site.articles if timedelta(minutes=61) < a.age < timedelta(hours=2)
        )
        updated = server.url.rstrip("/") + article.path
        old = iso_utc(datetime.now(timezone.utc) - timedelta(hours=3))
        with sqlite3.connect(root / "state.sqlite") as db:
            assert db.execute(
                "UPDATE pages SET fetched_at = ? WHERE url = ?", (old, updated)
            ).rowcount
        second = run_crawl(server.url, root)
        third = run_crawl(server.url, root, {"ARTICLE_REFRESH": "0"})
    truth = {server.url.rstrip("/") + path: instant for path, instant in site.truth().items()}
    return root, (first, second, third), updated, truth


def test_second_run_fetches_listings_and_only_the_updated_article(runs):
    _, (first, second, _), updated, truth = runs
    first_articles = {i["url"] for i in items(first) if i["type"] == "article"}
    assert first_articles == set(truth)
    assert {i["url"] for i in items(second) if i["type"] == "article"} == {updated}
    assert {i["url"] for i in items(second) if i["type"] == LISTING} == {
        i["url"] for i in items(first) if i["type"] == LISTING
    }
    assert stats(second)["incremental/updated"] == 1
    assert stats(second)["incremental/skipped"] >= len(truth) - 1
    assert (
        stats(second)["downloader/response_count"] < stats(first)["downloader/response_count"] / 2
    )


def test_windows_only_narrow_from_run_to_run_and_hold_the_truth(runs):
    _, folders, _, truth = runs
    per_run = [windows(folder) for folder in folders]
    for url, instant in truth.items():
        true = datetime.fromisoformat(instant)
        for found in per_run:
            assert found[url], f"no window for {url}"
            for earliest, latest, _ in found[url]:
                assert earliest <= true <= latest, url
        for before, after in itertools.pairwise(per_run):
            for earliest, latest, count in after[url]:
                for earlier_start, earlier_end, earlier_count in before[url]:
                    assert earlier_start <= earliest and latest <= earlier_end, url
                    assert count > earlier_count

    def widths(found: dict, url: str) -> list[timedelta]:
        return [end - start for start, end, _ in found[url]]

    narrowed = sum(
        1 for url in truth if max(widths(per_run[2], url)) < min(widths(per_run[0], url))
    )
    assert narrowed > len(truth) / 2, "later runs should pin most articles down further"


def test_third_run_writes_revisits_of_earlier_runs_records(runs):
    root, (_, _, third), _, _ = runs
    assert stats(third)["archive/revisits"] > 0
    store = StateStore(root / "state.sqlite", readonly=True)
    across = 0
    for record in run_records(third):
        if record.rec_type != "revisit":
            continue
        place = store.record_place(record.rec_headers.get_header("WARC-Refers-To"))
        assert place is not None
        original, _ = read_record_at(root / place.warc_file, place.offset)
        assert original.rec_type == "response"
        assert original.rec_headers.get_header("WARC-Payload-Digest") == (
            record.rec_headers.get_header("WARC-Payload-Digest")
        )
        across += not place.warc_file.startswith(third.name + "/")
    assert across > 0, "no revisit refers to an earlier run"
    for path in third.glob("*.warc.gz"):
        warcio_check(path)


def test_state_store_records_every_run_and_fetch(runs):
    root, folders, _, _ = runs
    store = StateStore(root / "state.sqlite", readonly=True)
    assert store.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    rows = store.db.execute("SELECT run_id, finish_reason FROM runs ORDER BY seq").fetchall()
    assert rows == [(folder.name, "finished") for folder in folders]
    for folder in folders:
        fetches = store.fetches(store.run_seq(folder.name))
        assert len(fetches) == stats(folder)["downloader/response_count"]
        for fetch in fetches[:20]:
            record, length = read_record_at(root / fetch.warc_file, fetch.warc_offset)
            assert length == fetch.warc_length
            assert record.rec_headers.get_header("WARC-Record-ID") == fetch.record_id
            assert record.rec_type == fetch.record_type


class Counts(dict):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] = self.get(key, start) + count


def test_a_skipped_page_is_replaced_by_its_stored_links(tmp_path):
    store = StateStore(tmp_path / "state.sqlite")
    earlier = store.begin_run("earlier", "2026-01-01T00:00:00+00:00")
    now = store.begin_run("now", "2026-01-01T01:00:00+00:00")
    fetched = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for url, links in (
        ("http://a.test/a", [("http://a.test/b", "L"), ("http://a.test/a.png", "E")]),
        ("http://a.test/b", [("http://a.test/a", "L"), ("http://a.test/new", "L")]),
    ):
        store.save_page(PageState(url, ARTICLE, iso_utc(fetched), 200, earlier, links))
    middleware = IncrementalMiddleware(store, now, timedelta(hours=24), Counts())
    request = Request("http://a.test/a", meta={"hops": "L"})
    admitted = middleware._admit(request, fetched + timedelta(hours=1))
    # a and b are fresh: skipped, their links followed in their place; a.png and new are
    # unknown, so fetched; the cycle back to a ends there.
    assert {(r.url, r.meta["hops"]) for r in admitted} == {
        ("http://a.test/a.png", "LE"),
        ("http://a.test/new", "LLL"),
    }
    assert middleware.stats == {"incremental/skipped": 2}
    due = middleware._admit(request, fetched + timedelta(hours=25))
    assert [r.url for r in due] == ["http://a.test/a"]


def test_state_recovery_marks_killed_runs_and_drops_what_they_never_finished(tmp_path):
    store = StateStore(tmp_path / "state.sqlite")
    seq = store.begin_run("run", "2026-01-01T00:00:00+00:00")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "x.warc.gz").write_bytes(b"\0" * 100)
    for offset in (0, 50, 90):
        store.add_fetch(Fetch(seq, "http://a.test/", "t", 200, "d", "response",
                              f"<urn:{offset}>", "run/x.warc.gz", offset, 10))  # fmt: skip
    for url, kind in (("http://a.test/1", ARTICLE), ("http://a.test/2", ARTICLE),
                      ("http://a.test/3", LISTING), ("http://a.test/4.png", "other")):  # fmt: skip
        store.save_page(PageState(url, kind, "t", 200, seq, []))
    # The item of page 1 was written; 2 and 3 were processed but killed before theirs.
    # Its sightings were in the store's last, uncommitted transaction.
    card = {"url": "http://a.test/5", "title": "Five", "source": None, "summary": None,
            "published": {"raw": "an hour ago", "earliest": "2026-01-01T00:00:00+00:00",
                          "latest": "2026-01-01T01:00:00+00:00",
                          "value": "2026-01-01T01:00:00+00:00"}}  # fmt: skip
    item = {"type": "listing", "url": "http://a.test/1", "fetched_at": "2026-01-01T02:00:00+00:00",
            "cards": [card]}  # fmt: skip
    (tmp_path / "run" / ITEMS_FILE).write_text(json.dumps(item) + "\n[1]\n{}\n")
    # Killed between committing a payload and its fetch row: no replay could find it.
    store.add_payload("sha1:X", ArchivedPayload("<urn:lost>", "http://a.test/x", "t"))
    store.add_payload("sha1:Y", ArchivedPayload("<urn:0>", "http://a.test/", "t"))
    reports = store.recover(tmp_path, "2026-01-01T02:00:00+00:00")
    assert len(reports) == 1 and "killed" in reports[0] and "dropped 3 rows" in reports[0]
    assert store.payload("sha1:X") is None and store.payload("sha1:Y") is not None
    assert [f.warc_offset for f in store.fetches()] == [0, 50, 90]
    assert store.page("http://a.test/2") is store.page("http://a.test/3") is None
    assert store.page("http://a.test/1") and store.page("http://a.test/4.png")
    (seen,) = store.observations("http://a.test/5")
    assert (seen.raw, seen.source_url) == ("an hour ago", "http://a.test/1")
    (tmp_path / "run" / "x.warc.gz").write_bytes(b"\0" * 60)  # killed before it was recovered
    store.db.execute("UPDATE runs SET finished = NULL")
    assert "dropped 1 rows" in store.recover(tmp_path, "later")[0]
    assert [f.warc_offset for f in store.fetches()] == [0, 50]
    assert store.db.execute("SELECT finish_reason FROM runs").fetchone() == ("killed",)
    assert store.recover(tmp_path, "again") == []


def test_conflicting_times_are_counted_and_logged_and_the_majority_kept(tmp_path):
    site = Site(datetime.now(timezone.utc))
    with SampleServer(site) as server:
        server.start()
        first = run_crawl(server.url, tmp_path)
        # The site now shows every article three hours younger: a misconfigured clock.
        site.epoch += timedelta(hours=3)
        second = run_crawl(server.url, tmp_path, {"ARTICLE_REFRESH": "0"})
    truth = {server.url.rstrip("/") + path: instant for path, instant in site.truth().items()}
    assert stats(second)["narrowing/conflicts"] > 0
    log = (second / "crawl.log").read_text("utf-8")
    assert "WARNING: Conflicting times for http://" in log and "left out" in log
    before, after = windows(first), windows(second)
    conflicted = 0
    for url in truth:
        for earliest, latest, _ in after[url]:
            # Run 1 saw each article on several pages, run 2's page adds one reading: the
            # larger, older group wins, so the window stays inside run 1's.
            assert any(s <= earliest and latest <= e for s, e, _ in before[url])
        conflicted += any(
            i["narrowed"]["conflicts"]
            for i in items(second)
            if i["type"] == "article" and i["url"] == url
        )
    assert conflicted > len(truth) / 2
