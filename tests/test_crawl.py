"""End to end: `scrapy crawl aggregator` against the sample site served on loopback.

One crawl per site zone (module-scoped), then checks of what a user and an archivist rely
on: items, provenance, timestamps against the site's truth, and the WARC files.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest

from crawler.demo.crawl import crawl_sample_site
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from crawler.pages import extract
from crawler.pipelines.audit import item_validator
from crawler.profiles import load as load_profile
from tests.warctools import read_record_at, run_records, warcio_check


@pytest.fixture(scope="module", params=["UTC", "Asia/Tokyo"])
def run(request, tmp_path_factory):
    archives = tmp_path_factory.mktemp("archives")
    folder, truth = crawl_sample_site(archives, tz=request.param)
    lines = (folder / "items.jsonl").read_text("utf-8").splitlines()
    items = [json.loads(line) for line in lines]
    return folder, truth, items, replace(load_profile("daily8"), timezone=request.param)


def test_items_cover_the_site(run):
    _, truth, items, _ = run
    articles = [item for item in items if item["type"] == "article"]
    listings = [item for item in items if item["type"] == "listing"]
    assert len(articles) == len(truth) >= 40
    assert {urlsplit(a["url"]).path for a in articles} == set(truth)
    # Home and five sections, each with at least one further page.
    assert len(listings) >= 12
    for article in articles:
        assert article["title"] and article["body"] and article["url"] and article["fetched_at"]


def test_items_match_schema_and_jsonl_is_utf8(run):
    folder, _, items, _ = run
    validator = item_validator()
    for item in items:
        assert not list(validator.iter_errors(item)), item["url"]
    text = (folder / "items.jsonl").read_text("utf-8")
    assert "¥81 trillion" in text and "\\u" not in text


def test_every_time_holds_the_true_instant(run):
    _, truth, items, _ = run
    checked = 0
    for item in items:
        cards = item.get("cards") or item["related"]
        stamped = [(card["url"], card["published"]) for card in cards]
        if item["type"] == "article":
            stamped.append((item["url"], item["published"]))
        for url, published in stamped:
            true = datetime.fromisoformat(truth[urlsplit(url).path])
            earliest = datetime.fromisoformat(published["earliest"])
            latest = datetime.fromisoformat(published["latest"])
            value = datetime.fromisoformat(published["value"])
            assert earliest <= true <= latest, (url, published, truth[urlsplit(url).path])
            assert earliest <= value <= latest
            checked += 1
    assert checked > 300


def page_part(item: dict) -> dict:
    """What ``extract`` gives for the item's page: no WARC pointer, no windows narrowed
    with the state store (the pipelines add both)."""
    part = {k: v for k, v in item.items() if k not in ("warc", "narrowed")}
    for key in ("cards", "related"):
        if key in part:
            part[key] = [{k: v for k, v in card.items() if k != "narrowed"} for card in part[key]]
    return part


def test_warc_pointer_seeks_to_the_response_and_reextracts_the_same_item(run):
    folder, _, items, profile = run
    for item in items:
        record, length = read_record_at(folder / item["warc"]["filename"], item["warc"]["offset"])
        headers = record.rec_headers
        assert length == item["warc"]["length"]
        assert headers.get_header("WARC-Type") == "response"
        assert headers.get_header("WARC-Record-ID") == item["warc"]["record_id"]
        assert headers.get_header("WARC-Target-URI") == item["url"]
        fetched = datetime.fromisoformat(headers.get_header("WARC-Date").replace("Z", "+00:00"))
        assert fetched == datetime.fromisoformat(item["fetched_at"])
        # The request record follows: its WARC-Date is when the request was sent.
        request, _ = read_record_at(
            folder / item["warc"]["filename"], item["warc"]["offset"] + length
        )
        assert request.rec_headers.get_header("WARC-Concurrent-To") == item["warc"]["record_id"]
        sent = datetime.fromisoformat(
            request.rec_headers.get_header("WARC-Date").replace("Z", "+00:00")
        )
        assert sent < fetched
        body = record.content
        if record.http_headers.get_header("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        again = extract(
            item["url"],
            body,
            fetched_at=fetched,
            headers=dict(record.http_headers.headers),
            profile=profile,
            requested_at=sent,
        )
        assert again == [page_part(item)]


def test_warc_files_are_valid_and_closed(run):
    folder, *_ = run
    files = sorted(folder.glob("*.warc.gz"))
    assert files and not list(folder.glob("*.open"))
    for path in files:
        warcio_check(path)


def test_warc_records_are_byte_faithful(run):
    folder, *_ = run
    found = run_records(folder)
    assert all(record.rec_headers.protocol == "WARC/1.1" for record in found)
    assert found[0].rec_type == "warcinfo"
    info = found[0].content.decode("utf-8")
    assert "robots: obey" in info and "software: aggregator-archiver/" in info
    responses = {
        r.rec_headers.get_header("WARC-Record-ID"): r for r in found if r.rec_type == "response"
    }
    requests = [r for r in found if r.rec_type == "request"]
    assert len(requests) == len(responses) > 40
    for request in requests:
        response = responses[request.rec_headers.get_header("WARC-Concurrent-To")]
        target = request.rec_headers.get_header("WARC-Target-URI")
        assert target == response.rec_headers.get_header("WARC-Target-URI")
        url = urlsplit(target)
        assert request.http_headers.protocol == "GET"
        assert request.http_headers.statusline.startswith(f"{url.path or '/'}")
        assert request.http_headers.get_header("Host") == url.netloc
        assert request.http_headers.get_header("Accept-Encoding") == "gzip, deflate"
    gzipped = 0
    for response in responses.values():
        http = response.http_headers
        assert http.statusline in ("200 OK", "404 Not Found")
        assert http.get_header("Transfer-Encoding") is None
        assert int(http.get_header("Content-Length")) == len(response.content)
        is_gzip = response.content[:2] == b"\x1f\x8b"
        assert is_gzip == (http.get_header("Content-Encoding") == "gzip")
        gzipped += is_gzip
        assert response.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
        assert response.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
    assert gzipped > 40


def test_robots_is_archived_and_obeyed(run):
    folder, *_ = run
    uris = [r.rec_headers.get_header("WARC-Target-URI") for r in run_records(folder)
            if r.rec_type == "response"]  # fmt: skip
    paths = [urlsplit(uri).path for uri in uris]
    assert "/robots.txt" in paths
    assert not [path for path in paths if path.startswith("/comments/")]
    assert "/_truth.json" not in paths
    assert len(uris) == len(set(uris))


def test_run_json_describes_the_run(run):
    folder, _, items, _ = run
    summary = json.loads((folder / "run.json").read_text("utf-8"))
    assert summary["run_id"] == folder.name
    assert summary["finish_reason"] == "finished"
    assert summary["stats"]["item_scraped_count"] == len(items)
    assert summary["stats"].get("items/invalid", 0) == 0
    assert summary["stats"].get("timestamps/unparsed", 0) == 0


def test_depth_limit_bounds_the_crawl(tmp_path):
    folder, _ = crawl_sample_site(tmp_path, settings={"DEPTH_LIMIT": "1"})
    uris = {r.rec_headers.get_header("WARC-Target-URI") for r in run_records(folder)
            if r.rec_type == "response"}  # fmt: skip
    queries = {urlsplit(uri).query for uri in uris}
    # Home links to page 2 (depth 1); page 3 is only linked from page 2 (depth 2).
    assert "page=2" in queries and "page=3" not in queries
    assert len(uris) < 40


def test_archiving_off_still_writes_items(tmp_path):
    folder, truth = crawl_sample_site(tmp_path, settings={"WARC_ENABLED": "False"})
    assert not list(folder.glob("*.warc*"))
    items = [json.loads(line) for line in (folder / "items.jsonl").read_text("utf-8").splitlines()]
    assert sum(item["type"] == "article" for item in items) == len(truth)
    validator = item_validator()
    assert all(item["warc"] is None and not list(validator.iter_errors(item)) for item in items)


def test_crawl_command_exit_statuses_and_summary_line(tmp_path):
    command = [sys.executable, "-m", "scrapy", "crawl", "aggregator",
               "-s", f"ARCHIVES_DIR={tmp_path}"]  # fmt: skip
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings")

    def crawl(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([*command, *extra], env=env, capture_output=True, text=True)

    usage = crawl()
    assert usage.returncode == 2 and "-a start_urls=URL" in usage.stderr
    assert not list(tmp_path.iterdir())  # nothing written for a usage error
    unreachable = crawl("-a", "start_urls=http://127.0.0.1:9/")
    assert unreachable.returncode == 1
    assert unreachable.stderr.splitlines()[-1].startswith("aggregator: 0 pages, 0 items")
    site = Site(datetime.now(timezone.utc))
    with SampleServer(site) as server:
        server.start()
        ok = crawl("-a", f"start_urls={server.url}", "-a", "profile=daily8", "-s", "DEPTH_LIMIT=1")
    assert ok.returncode == 0
    last = ok.stderr.splitlines()[-1]
    assert last.startswith("aggregator: ") and " article, " in last and ", finished -> " in last


@pytest.mark.parametrize("priority", [1, 0])
def test_a_listings_next_pages_are_walked_ahead_of_its_articles(tmp_path, priority):
    """One request at a time: at ``PAGINATION_PRIORITY`` 1 the home listing's pages are
    fetched early, each as soon as the one before is read (while it is read, the download
    slot is free for another page); at 0, Scrapy's order (the latest found first), the
    chain waits for the articles and ends the crawl."""
    one = {"CONCURRENT_REQUESTS": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
           "PAGINATION_PRIORITY": str(priority)}  # fmt: skip
    folder, _ = crawl_sample_site(tmp_path, settings=one)
    fetched = [urlsplit(r.rec_headers.get_header("WARC-Target-URI")) for r in run_records(folder)
               if r.rec_type == "response"]  # fmt: skip
    pages = [url for url in fetched if not url.path.startswith("/static/")]
    home = [i for i, url in enumerate(pages) if url.path == "/"]
    assert len(home) >= 3
    assert (home[-1] < len(pages) / 2) == bool(priority), home
