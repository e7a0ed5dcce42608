"""Byte-faithful capture of HTTP edge cases, checked against what the server really sent.

One crawl of the misbehaving edge server (`tests.edge_server`), then, per route: the WARC
records hold exactly the entity bytes that went over the wire, with HTTP headers that agree
with them, and real pywb replays those bytes.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import brotli
import pytest
from warcio.recordloader import ArcWarcRecord

from crawler.demo.crawl import run_crawl
from tests.edge_server import ROUTES, EdgeServer
from tests.pywb_harness import Pywb, pywb_bin
from tests.warctools import gzip_member, run_records, warcio_check

SAME = ("/same-a", "/same-b")
DECODERS = {None: bytes, b"gzip": gzip.decompress, b"deflate": zlib.decompress,
            b"br": brotli.decompress}  # fmt: skip
#: Headers pywb adds to every replay (Memento and its own Date).
PYWB_HEADERS = {"memento-datetime", "link", "content-location", "date"}


@dataclass(frozen=True)
class Capture:
    """The crawl's run folder, its records, and what the server sent per path."""

    folder: Path
    base: str
    sent: dict[str, list[bytes]]
    records: list[ArcWarcRecord]

    def url(self, path: str) -> str:
        return urljoin(self.base, path)

    def of_type(self, *types: str) -> list[ArcWarcRecord]:
        return [record for record in self.records if record.rec_type in types]

    def exchanges(self, path: str) -> list[ArcWarcRecord]:
        """The response and revisit records of ``path``, in the order they were written."""
        url = self.url(path)
        found = [r for r in self.of_type("response", "revisit") if target(r) == url]
        assert found, f"{path} was not archived"
        return found

    def by_id(self, record_id: str) -> ArcWarcRecord:
        (record,) = [r for r in self.records if header(r, "WARC-Record-ID") == record_id]
        return record

    def payload(self, record: ArcWarcRecord) -> bytes:
        """The entity body a replay of ``record`` serves: a revisit's comes from its original."""
        if record.rec_type == "revisit":
            return self.by_id(header(record, "WARC-Refers-To")).content
        return record.content


def header(record: ArcWarcRecord, name: str) -> str | None:
    return record.rec_headers.get_header(name)


def target(record: ArcWarcRecord) -> str | None:
    return header(record, "WARC-Target-URI")


def http_values(record: ArcWarcRecord, name: str) -> list[str]:
    return [value for key, value in record.http_headers.headers if key.lower() == name.lower()]


def timestamp14(record: ArcWarcRecord) -> str:
    return re.sub(r"\D", "", header(record, "WARC-Date"))[:14]


def warc_fields(record: ArcWarcRecord) -> list[tuple[str, str]]:
    lines = record.content.decode("utf-8").splitlines()
    return [tuple(line.split(": ", 1)) for line in lines if line]


@pytest.fixture(scope="module", params=[False, True], ids=["in-process", "writer-process"])
def capture(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Capture:
    """The edge server's crawl, its records written in the crawl's process or in a WARC
    writer process (``WARC_WRITER_PROCESS``): the archive is the same either way."""
    settings = {"WARC_WRITER_PROCESS": str(request.param)}
    with EdgeServer() as server:
        folder = run_crawl(server.url, tmp_path_factory.mktemp("archives"), settings)
    return Capture(folder, server.url, server.sent, run_records(folder))


@pytest.fixture(scope="module")
def pywb(capture: Capture) -> Iterator[Pywb]:
    with Pywb(capture.folder) as replay:
        yield replay


def test_warc_files_are_valid_and_indexed(capture):
    files = sorted(capture.folder.glob("*.warc.gz"))
    assert files and not list(capture.folder.glob("*.open"))
    for path in files:
        warcio_check(path, pywb_bin() / "warcio")  # the brotli bodies need brotlipy
    lines = (capture.folder / "index.cdxj").read_text("utf-8").splitlines()
    assert lines == sorted(lines)
    indexed = {(entry["filename"], int(entry["offset"]))
               for entry in (json.loads(line.split(" ", 2)[2]) for line in lines)}  # fmt: skip
    exchanges = capture.of_type("response", "revisit")
    assert indexed == {(record.path.name, record.offset) for record in exchanges}
    pages = (capture.folder / "pages.jsonl").read_text("utf-8").splitlines()
    assert json.loads(pages[0])["format"] == "json-pages-1.0"
    items = (capture.folder / "items.jsonl").read_text("utf-8").splitlines()
    assert len(pages) == 1 + len(items)


@pytest.mark.parametrize("path", ROUTES)
def test_stored_body_is_what_the_server_sent(capture, path):
    sent = capture.sent.get(path, [])
    assert sent, f"the crawler never requested {path}"
    exchanges = capture.exchanges(path)
    assert [capture.payload(record) for record in exchanges] == sent
    if path not in SAME:
        assert {record.rec_type for record in exchanges} == {"response"}


@pytest.mark.parametrize("path", ROUTES)
def test_http_headers_agree_with_stored_body(capture, path):
    route = ROUTES[path]
    for record in capture.exchanges(path):
        http = record.http_headers
        assert http.protocol == "HTTP/1.1"
        assert http.statusline == f"{route.status} {route.reason}"
        assert http.get_header("Transfer-Encoding") is None
        assert http_values(record, "Content-Length") == [str(len(capture.payload(record)))]
        assert http.get_header("Content-Encoding") == (route.encoding and route.encoding.decode())
        is_gzip = capture.payload(record)[:2] == b"\x1f\x8b"
        assert is_gzip == (http.get_header("Content-Encoding") == "gzip")
        assert header(record, "WARC-Truncated") == ("disconnect" if route.cut_after else None)


def test_each_redirect_hop_has_its_own_response(capture):
    path, hops = "/redirect-301", []
    while ROUTES[path].status in (301, 302):
        (record,) = capture.exchanges(path)
        hops.append(record.http_headers.statusline)
        path = record.http_headers.get_header("Location")
    assert hops == ["301 Moved Permanently", "302 Found"]
    assert path == "/final" and len(capture.exchanges("/final")) == 1


def test_cut_connection_keeps_the_partial_body(capture):
    (record,) = capture.exchanges("/cut")
    assert header(record, "WARC-Truncated") == "disconnect"
    route = ROUTES["/cut"]
    assert route.cut_after and record.content == route.body[: route.cut_after]


def test_set_cookie_values_in_order(capture):
    (record,) = capture.exchanges("/cookies")
    assert http_values(record, "Set-Cookie") == [
        value.decode() for name, value in ROUTES["/cookies"].headers if name == b"Set-Cookie"
    ]


def test_non_utf8_header_bytes_are_stored_verbatim(capture):
    (record,) = capture.exchanges("/latin1-header")
    raw, _ = gzip_member(record.path, record.offset)
    assert b"\r\nX-Note: caf\xe9\r\n" in raw


def test_identical_payload_is_archived_as_revisit(capture):
    first, second = sorted((r for path in SAME for r in capture.exchanges(path)),
                           key=capture.records.index)  # fmt: skip
    assert (first.rec_type, second.rec_type) == ("response", "revisit")
    assert header(second, "WARC-Profile") == (
        "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    )
    assert header(second, "WARC-Refers-To") == header(first, "WARC-Record-ID")
    assert header(second, "WARC-Refers-To-Target-URI") == target(first) != target(second)
    assert header(second, "WARC-Refers-To-Date") == header(first, "WARC-Date")
    assert header(second, "WARC-Payload-Digest") == header(first, "WARC-Payload-Digest")
    assert second.content == b""
    assert second.http_headers.headers == first.http_headers.headers


def test_every_request_is_joined_to_its_response(capture):
    exchanges = {header(r, "WARC-Record-ID"): r for r in capture.of_type("response", "revisit")}
    requests = capture.of_type("request")
    joined = [header(request, "WARC-Concurrent-To") for request in requests]
    assert sorted(joined) == sorted(exchanges)
    for request in requests:
        url = urlsplit(target(request))
        assert target(exchanges[header(request, "WARC-Concurrent-To")]) == target(request)
        assert request.http_headers.protocol == "GET"
        assert request.http_headers.statusline == f"{url.path} HTTP/1.1"
        assert request.http_headers.get_header("Host") == url.netloc


def test_metadata_records_describe_parsed_pages(capture):
    parsed = {capture.url(path) for path, route in ROUTES.items()
              if route.status == 200 and route.content_type.startswith(b"text/html")}  # fmt: skip
    exchanges = {header(r, "WARC-Record-ID"): r for r in capture.of_type("response", "revisit")}
    referers = {target(r): r.http_headers.get_header("Referer") for r in capture.of_type("request")}
    metadata = capture.of_type("metadata")
    assert sorted(target(record) for record in metadata) == sorted(parsed)
    for record in metadata:
        assert header(record, "WARC-Payload-Digest") is None
        assert header(record, "Content-Type") == "application/warc-fields"
        assert target(exchanges[header(record, "WARC-Concurrent-To")]) == target(record)
        fields = warc_fields(record)
        if target(record) == capture.base:
            assert ("hopsFromSeed", "-") in fields and "via" not in dict(fields)
            outlinks = [value for name, value in fields if name == "outlink"]
            hrefs = re.findall(r'href="([^"]+)"', ROUTES["/"].body.decode())
            assert outlinks == [capture.url(href) for href in hrefs]
        elif target(record) == capture.url("/final"):
            # Reached by a link, then two redirects: via names the last redirecting URL.
            assert ("hopsFromSeed", "LRR") in fields
            assert ("via", capture.url("/redirect-302")) in fields
        else:
            assert ("hopsFromSeed", "L") in fields
            assert ("via", referers[target(record)]) in fields


def replay(url: str, accept_encoding: str) -> tuple[http.client.HTTPResponse, bytes]:
    """GET without following redirects or decoding, as a raw client sees the replay."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path, headers={"Accept-Encoding": accept_encoding})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", ROUTES)
def test_pywb_replays_the_original_bytes(capture, pywb, path):
    """With the stored encoding accepted, pywb's ``id_`` mode serves the stored bytes and
    headers verbatim; otherwise it decodes the body and drops Content-Encoding."""
    route = ROUTES[path]
    record = capture.exchanges(path)[0]
    url = pywb.replay_url(timestamp14(record), capture.url(path))
    response, body = replay(url, "gzip, deflate, br")
    assert (response.status, response.reason) == (route.status, route.reason)
    assert body == capture.sent[path][0]
    served = [(name, value) for name, value in response.getheaders()
              if name.lower() not in PYWB_HEADERS]  # fmt: skip
    assert served == record.http_headers.headers
    response, body = replay(url, "identity")
    assert response.status == route.status
    assert body == DECODERS[route.encoding](capture.sent[path][0])
    assert response.getheader("Content-Encoding") is None
