"""WARC request and response records built from Scrapy's request and response, as sent.

Called nearest the downloader, where the body is still exactly what the server sent
(Content-Encoding kept, chunking already undone). So the stored HTTP headers must agree
with the stored body: Content-Length is set to its length, Transfer-Encoding is dropped,
and the status line gets back the reason phrase Scrapy does not keep.
"""

from __future__ import annotations

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

#: Headers that described the message on the wire, not the stored body.
_HOP_HEADERS = {"transfer-encoding", "content-length"}


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


def response_record(
    builder: RecordBuilder, response: Response, fetched_at: datetime
) -> ArcWarcRecord:
    """A ``response`` record of the body as received."""
    body = response.body
    pairs = header_pairs(response.headers)
    pairs.append(("Content-Length", str(len(body))))
    http_headers = StatusAndHeaders(
        f"{response.status} {reason_phrase(response.status)}", pairs, protocol="HTTP/1.1"
    )
    warc_headers = {"WARC-Date": warc_date(fetched_at)}
    if response.ip_address is not None:
        warc_headers["WARC-IP-Address"] = str(response.ip_address)
    if "dataloss" in response.flags:
        warc_headers["WARC-Truncated"] = "disconnect"
    return builder.create_warc_record(
        target_uri(response.url),
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=http_headers,
        warc_headers_dict=warc_headers,
    )


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
    http_headers = StatusAndHeaders(
        f"{request.method} {path} HTTP/1.1", pairs, is_http_request=True
    )
    return builder.create_warc_record(
        target_uri(request.url),
        "request",
        payload=BytesIO(request.body),
        length=len(request.body),
        http_headers=http_headers,
        warc_headers_dict={
            "WARC-Date": warc_date(requested_at),
            "WARC-Concurrent-To": concurrent_to,
        },
    )
