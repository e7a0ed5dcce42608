"""Replay through HTTP's edge cases: every content coding, chunking, redirects, revisits.

The misbehaving edge server (``tests.edge_server``) serves sample-site pages, framed and
encoded every way the crawl must handle. A live crawl's items and the replay of its run
folder must be the same lines. The same server crawled by wget (which stores chunked
bodies with their framing) must replay to the same articles.
"""

from __future__ import annotations

import gzip
import re
import zlib
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import brotli
import pytest

from crawler.demo.crawl import run_crawl
from crawler.demo.site import Site
from tests.edge_server import EdgeServer, Route, html_page, page
from tests.replaytools import (
    by_url,
    comparable,
    fault_lines,
    lines,
    replay,
    unnarrowed,
    wget_crawl,
)
from tests.warctools import read_record_at

EPOCH = datetime(2025, 7, 30, 9, 5, tzinfo=timezone.utc)
#: Routes that must yield an item, each with an article or listing of the sample site.
#: (Scrapy leaves "identity" encoded, so the class comes from sniffing the body: HTML.)
PAGES = ("/gzip", "/x-gzip", "/deflate", "/deflate-raw", "/br", "/chunked", "/chunked-gzip",
         "/final", "/same-a", "/same-b", "/no-type", "/cp1252", "/identity")  # fmt: skip


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def routes() -> dict[str, Route]:
    """Sample-site pages served every way the wire allows; the index links each route."""
    site = Site(EPOCH)
    served = EPOCH + timedelta(minutes=5)
    bodies = [site.respond(article.path, served)[2] for article in site.articles[:12]]
    home = site.respond("/", served)[2]
    cp1252 = bodies[10].decode().encode("cp1252", "xmlcharrefreplace")
    found = {
        # Some sites answer every path with a page: robots.txt is still no page to parse.
        "/robots.txt": page(200, "OK", bodies[11]),
        "/gzip": page(200, "OK", gzip.compress(bodies[0]), (b"Content-Encoding", b"gzip")),
        "/x-gzip": page(200, "OK", gzip.compress(bodies[1]), (b"Content-Encoding", b"x-gzip")),
        "/deflate": page(200, "OK", zlib.compress(bodies[2]), (b"Content-Encoding", b"deflate")),
        "/deflate-raw": page(200, "OK", raw_deflate(bodies[3]), (b"Content-Encoding", b"deflate")),
        "/br": page(200, "OK", brotli.compress(bodies[4]), (b"Content-Encoding", b"br")),
        "/chunked": page(200, "OK", bodies[5], chunks=4),
        "/chunked-gzip": page(200, "OK", gzip.compress(home), (b"Content-Encoding", b"gzip"),
                              chunks=3),
        "/redirect-301": page(301, "Moved Permanently", html_page("moved"),
                              (b"Location", b"/redirect-302")),
        "/redirect-302": page(302, "Found", html_page("found"), (b"Location", b"/final")),
        "/final": page(200, "OK", bodies[6]),
        "/same-a": page(200, "OK", bodies[7]),
        "/same-b": page(200, "OK", bodies[7]),
        "/no-type": Route(200, "OK", (), bodies[8]),
        "/identity": page(200, "OK", bodies[9], (b"Content-Encoding", b"identity")),
        "/cp1252": Route(200, "OK", ((b"Content-Type", b"text/html; charset=windows-1252"),),
                         cp1252),
        "/missing": page(404, "Not Found", bodies[11]),
        "/error": page(500, "Internal Server Error", bodies[11]),
        "/cut": page(200, "OK", bodies[11], cut_after=len(bodies[11]) // 2),
    }  # fmt: skip
    unlinked = ("/robots.txt", "/redirect-302", "/final")
    links = "".join(
        f'<li><a href="{path}">{path}</a></li>' for path in found if path not in unlinked
    )
    found["/"] = page(200, "OK", html_page("edge cases", f"<ul>{links}</ul>"))
    return found


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """A live crawl (links one deep: the routes, not the pages they link) and a wget one."""
    archives = tmp_path_factory.mktemp("archives")
    wget_dir = tmp_path_factory.mktemp("wget")
    with EdgeServer(routes()) as server:
        folder = run_crawl(server.url, archives, {"DEPTH_LIMIT": "1"})
        warc = wget_crawl(server.url, wget_dir, "--level=1", "--tries=1", "--timeout=5")
    return server.url, folder, warc


def test_replay_equals_the_live_crawl_through_every_edge_case(crawls, tmp_path):
    base, folder, _ = crawls
    result = replay(folder, "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert fault_lines(result.stderr) == []
    live = lines(folder / "items.jsonl")
    assert sorted(lines(tmp_path / "out.jsonl")) == sorted(live)
    items = by_url(tmp_path / "out.jsonl")
    # Each encoding and framing was decoded, the redirect chain gave its final URL, and
    # both URLs of one payload have their item: the second from a revisit record.
    assert {urlsplit(url).path for url in items} >= set(PAGES)
    assert not {"/robots.txt", "/missing", "/error", "/redirect-301"} & {
        urlsplit(url).path for url in items
    }
    kinds = set()
    for path in ("same-a", "same-b"):
        pointer = items[base + path]["warc"]
        kinds.add(read_record_at(folder / pointer["filename"], pointer["offset"])[0].rec_type)
    assert kinds == {"response", "revisit"}


def test_wget_chunked_bodies_replay_to_the_same_articles(crawls, tmp_path):
    base, folder, warc = crawls
    result = replay(warc, "-o", "wget.jsonl", cwd=tmp_path)
    assert result.returncode == 0 and fault_lines(result.stderr) == [], result.stderr
    items = by_url(tmp_path / "wget.jsonl")
    live = by_url(folder / "items.jsonl")
    for path in ("/chunked", "/chunked-gzip", "/gzip", "/deflate", "/br", "/final"):
        assert comparable(items[base + path.lstrip("/")]) == comparable(
            live[base + path.lstrip("/")]
        )
    for path in ("chunked", "chunked-gzip"):  # stored with their chunk framing
        pointer = items[base + path]["warc"]
        record, length = read_record_at(warc, pointer["offset"])
        assert record.http_headers.get_header("Transfer-Encoding") == "chunked"
        assert re.fullmatch(rb"[0-9a-fA-F]+", record.content.split(b"\r\n", 1)[0])
        assert (pointer["filename"], pointer["length"]) == ("site.warc.gz", length)
        assert pointer["record_id"] == record.rec_headers.get_header("WARC-Record-ID")


def test_a_revisit_read_before_its_original_waits_for_it(crawls, tmp_path):
    base, folder, _ = crawls
    live = by_url(folder / "items.jsonl")
    (warc,) = folder.glob("*.warc.gz")
    data = warc.read_bytes()
    pointers = [live[base + path]["warc"] for path in ("same-a", "same-b")]
    (pointer,) = [p for p in pointers if read_record_at(warc, p["offset"])[0].rec_type == "revisit"]
    start, end = pointer["offset"], pointer["offset"] + pointer["length"]
    (tmp_path / "revisit.warc.gz").write_bytes(data[start:end])
    (tmp_path / "rest.warc.gz").write_bytes(data[:start] + data[end:])
    result = replay("revisit.warc.gz", "rest.warc.gz", "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 0 and fault_lines(result.stderr) == [], result.stderr
    replayed = by_url(tmp_path / "out.jsonl")
    assert {url: comparable(item) for url, item in replayed.items()} == {
        url: comparable(item) for url, item in live.items()
    }
    # Read first, resolved last: the same item, pointing at the same record in its new file
    # (away from the archives root: no state store, no narrowed windows).
    revisit = next(item for item in replayed.values() if item["warc"]["offset"] == 0)
    expected = unnarrowed(live[revisit["url"]])
    assert revisit == dict(
        expected, warc=dict(expected["warc"], filename="revisit.warc.gz", offset=0)
    )

    alone = replay("revisit.warc.gz", "-o", "alone.jsonl", cwd=tmp_path)
    assert alone.returncode == 1
    refers_to = read_record_at(warc, start)[0].rec_headers.get_header("WARC-Refers-To")
    assert fault_lines(alone.stderr) == [
        f"revisit.warc.gz:0: revisit of {refers_to}, a record that is in none of the inputs;"
        " no state store to look for it in other runs (see --state)"
    ]
