"""WARC records built from Scrapy's request and response, as sent and received.

Called nearest the downloader, where the body is still exactly what the server sent
(Content-Encoding kept, chunking already undone). So the stored HTTP headers must agree
with the stored body: Content-Length is set to its length, Transfer-Encoding is dropped,
and the status line gets back the reason phrase Scrapy does not keep. Header bytes are
decoded as latin-1 and written back as latin-1, so they are stored byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from urllib.parse import urldefrag, urlsplit

from scrapy import Request
from scrapy.http import Headers, Response
from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from crawler.archive.revisits import ArchivedPayload

#: Headers that described the message on the wire, not the stored body.
_HOP_HEADERS = {"transfer-encoding", "content-length"}


class _Digests:
    """WARC 1.1 forbids a payload digest on metadata records; warcio adds one by default."""

    NO_PAYLOAD_DIGEST_TYPES = ("warcinfo", "revisit", "metadata")


class ArchiveRecordBuilder(_Digests, RecordBuilder):
    """Builds WARC/1.1 records."""

    def __init__(self) -> None:
        super().__init__(warc_version="1.1")


class ArchiveWARCWriter(_Digests, WARCWriter):
    """Writes records, one gzip member each, with the same digest rules as the builder."""

    def __init__(self, out) -> None:
        super().__init__(out, gzip=True, warc_version="1.1")


class RawHeaders(StatusAndHeaders):
    """HTTP headers written back byte for byte (warcio would percent-encode non-ASCII)."""

    def compute_headers_buffer(self, header_filter=None) -> None:
        self.headers_buff = self.to_bytes(header_filter, "latin-1")


def warc_date(instant: datetime) -> str:
    """WARC/1.1 date with microseconds, so it equals the item's ``fetched_at`` exactly."""
    return datetime_to_iso_date(instant.astimezone(timezone.utc).replace(tzinfo=None), True)


def target_uri(url: str) -> str:
    """The URL as requested, without its fragment (never sent to the server)."""
    return urldefrag(url)[0]


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Every header value in order, multi-valued ones (Set-Cookie) one line each."""
    pairs = []
    for name in headers:
        text_name = name.decode("latin-1")
        if text_name.lower() in _HOP_HEADERS:
            continue
        pairs.extend((text_name, value.decode("latin-1")) for value in headers.getlist(name))
    return pairs


def response_http_headers(response: Response) -> RawHeaders:
    """Status line with its reason phrase; Content-Length of the body as stored."""
    pairs = header_pairs(response.headers)
    pairs.append(("Content-Length", str(len(response.body))))
    status = f"{response.status} {reason_phrase(response.status)}"
    return RawHeaders(status, pairs, protocol="HTTP/1.1")


def response_warc_headers(response: Response, fetched_at: datetime) -> dict[str, str]:
    headers = {"WARC-Date": warc_date(fetched_at)}
    if response.ip_address is not None:
        headers["WARC-IP-Address"] = str(response.ip_address)
    if "dataloss" in response.flags:
        headers["WARC-Truncated"] = "disconnect"
    return headers


def response_record(
    builder: RecordBuilder, response: Response, fetched_at: datetime
) -> ArcWarcRecord:
    """A ``response`` record of the body as received, with its payload digest computed."""
    body = response.body
    return builder.create_warc_record(
        target_uri(response.url),
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=response_http_headers(response),
        warc_headers_dict=response_warc_headers(response, fetched_at),
    )


def revisit_record(
    builder: RecordBuilder,
    response: Response,
    fetched_at: datetime,
    digest: str,
    original: ArchivedPayload,
) -> ArcWarcRecord:
    """A ``revisit`` (identical-payload-digest): this exchange's headers, no body."""
    record = builder.create_revisit_record(
        target_uri(response.url),
        digest,
        original.target_uri,
        original.date,
        http_headers=response_http_headers(response),
        warc_headers_dict=response_warc_headers(response, fetched_at),
    )
    record.rec_headers.add_header("WARC-Refers-To", original.record_id)
    return record


def request_record(
    builder: RecordBuilder, request: Request, requested_at: datetime, concurrent_to: str
) -> ArcWarcRecord:
    """A ``request`` record: request line with path and query, Host first, then headers."""
    url = urlsplit(target_uri(request.url))
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    pairs = [("Host", url.netloc)]
    pairs.extend(pair for pair in header_pairs(request.headers) if pair[0].lower() != "host")
    if request.body:
        pairs.append(("Content-Length", str(len(request.body))))
    return builder.create_warc_record(
        target_uri(request.url),
        "request",
        payload=BytesIO(request.body),
        length=len(request.body),
        http_headers=RawHeaders(f"{request.method} {path} HTTP/1.1", pairs, is_http_request=True),
        warc_headers_dict={
            "WARC-Date": warc_date(requested_at),
            "WARC-Concurrent-To": concurrent_to,
        },
    )


def metadata_record(
    builder: RecordBuilder,
    url: str,
    fetched_at: datetime,
    concurrent_to: str,
    fields: Iterable[tuple[str, str]],
) -> ArcWarcRecord:
    """A ``metadata`` record of ``application/warc-fields`` about one fetched page."""
    body = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")
    return builder.create_warc_record(
        target_uri(url),
        "metadata",
        payload=BytesIO(body),
        length=len(body),
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Date": warc_date(fetched_at),
            "WARC-Concurrent-To": concurrent_to,
        },
    )
