"""WARC records built from Scrapy's request and response, as sent and received.

Called nearest the downloader, where the body is still exactly what the server sent
(Content-Encoding kept, chunking already undone). So the stored HTTP headers must agree
with the stored body: Content-Length is set to its length, Transfer-Encoding is dropped,
and the status line gets back the reason phrase Scrapy does not keep. Header bytes are
decoded as latin-1 and written back as latin-1, so they are stored byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from collections.abc import Iterable
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from typing import BinaryIO, NamedTuple
from urllib.parse import urldefrag, urlsplit

from scrapy import Request
from scrapy.http import Headers, Response
from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from crawler.archive.revisits import ArchivedPayload

#: Headers that described the message on the wire, not the stored body.
_HOP_HEADERS = {b"transfer-encoding", b"content-length"}


#: Content-Encodings whose payloads deflate does not shrink: brotli and zstd always; gzip
#: unless it shrank its input more than this many times (a gzip of very repetitive text,
#: such as a compression bomb, still deflates well: its size is in its last 4 bytes).
_STORED_ENCODINGS = {"br", "zstd"}
_GZIP_ENCODINGS = {"gzip", "x-gzip"}
_GZIP_RATIO = 8
#: The gzip header zlib writes at level 9 on Unix (no name, no time).
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"
#: What closes every WARC record.
_RECORD_END = b"\r\n\r\n"
#: Base 32 (RFC 4648) by pairs of digits, ten bits at a time.
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_BASE32_PAIRS = [a + b for a in _BASE32 for b in _BASE32]


def sha1_text(digest: bytes) -> str:
    """A SHA-1 digest as WARC writes it (``sha1:`` and base 32), as warcio writes it but
    without base64's pure-Python base 32 (which took nearly a tenth of the archive's time)."""
    value = int.from_bytes(digest, "big")
    pairs = [_BASE32_PAIRS[(value >> shift) & 1023] for shift in range(150, -1, -10)]
    return "sha1:" + "".join(pairs)


def payload_digest(body: bytes) -> str:
    """A response record's ``WARC-Payload-Digest``: of the body as received."""
    return sha1_text(hashlib.sha1(body).digest())


class _Sha1(Digester):
    """warcio's digester, writing its text with ``sha1_text``."""

    def __str__(self) -> str:
        return sha1_text(self.digester.digest())


class _Digests:
    """WARC 1.1 forbids a payload digest on metadata records; warcio adds one by default."""

    NO_PAYLOAD_DIGEST_TYPES = ("warcinfo", "revisit", "metadata")

    @staticmethod
    def _create_digester() -> Digester:
        return _Sha1("sha1")


class ArchiveRecordBuilder(_Digests, RecordBuilder):
    """Builds WARC/1.1 records."""

    def __init__(self) -> None:
        super().__init__(warc_version="1.1")

    @classmethod
    def make_warc_id(cls) -> str:
        """A random (version 4) UUID URN, as ``uuid.uuid4`` makes it, a few times faster."""
        data = bytearray(os.urandom(16))
        data[6] = data[6] & 0x0F | 0x40
        data[8] = data[8] & 0x3F | 0x80
        text = data.hex()
        return f"<urn:uuid:{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}>"

    _make_warc_id = make_warc_id  # what warcio's own builder methods call

    def warc_headers(
        self, uri: str, record_type: str, fields: dict[str, str], record_id: str = ""
    ) -> StatusAndHeaders:
        """``fields`` then the type, the record ID (a new one unless given) and the target
        URI: the headers, in the order, of warcio's builder, built in one go (``fields``
        holds a WARC-Date)."""
        headers = [*fields.items(), ("WARC-Type", record_type)]
        headers.append(("WARC-Record-ID", record_id or self.make_warc_id()))
        if uri:
            headers.append(("WARC-Target-URI", uri))
        return StatusAndHeaders("", headers, protocol=self.warc_version)


class ArchiveWARCWriter(_Digests, WARCWriter):
    """Writes records, one gzip member each, with the same digest rules as the builder.

    The record's bytes are warcio's; its gzip member is built in one call, and a payload
    the server compressed (``Content-Encoding``) is stored in it, not deflated again: that
    is the costliest step of archiving a page and gains nothing on such bytes.
    """

    def __init__(self, out: BinaryIO) -> None:
        super().__init__(out, gzip=True, warc_version="1.1")

    def _write_warc_record(self, out: BinaryIO, record: ArcWarcRecord) -> None:
        if record.length is None or not isinstance(record.raw_stream, BytesIO):
            super()._write_warc_record(out, record)  # buffered and measured first
            return
        # warcio's BaseWARCWriter._write_warc_record for a record of known length.
        http = record.http_headers
        if http:
            http.compute_headers_buffer(self.header_filter)
        self.ensure_digest(record, block=True, payload=True)
        if record.content_type is not None:
            record.rec_headers.replace_header("Content-Type", record.content_type)
        revisit = record.rec_type == "revisit"
        payload = b"" if revisit else record.raw_stream.read()
        http_bytes = http.headers_buff if http else b""
        if http and record.payload_length >= 0:
            record.length = len(http_bytes) + (0 if revisit else record.payload_length)
        record.rec_headers.replace_header("Content-Length", str(record.length))
        head = record.rec_headers.to_bytes(encoding="utf-8") + http_bytes
        out.write(gzip_member(head, payload, store_payload=_is_compressed(http, payload)))


def gzip_member(head: bytes, payload: bytes, *, store_payload: bool) -> bytes:
    """``head``, ``payload`` and the record's closing CRLFs as one gzip member, deflated;
    with ``store_payload``, ``payload`` goes in as stored blocks after a sync flush."""
    if not store_payload:
        deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        return deflate.compress(b"".join((head, payload, _RECORD_END))) + deflate.flush()
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    parts: list[bytes | memoryview] = [
        _GZIP_HEADER,
        deflate.compress(head),
        deflate.flush(zlib.Z_SYNC_FLUSH),
    ]
    view = memoryview(payload)
    for start in range(0, len(view), 0xFFFF):
        block = view[start : start + 0xFFFF]
        parts += (struct.pack("<BHH", 0, len(block), 0xFFFF ^ len(block)), block)
    end = len(_RECORD_END)
    crc = zlib.crc32(_RECORD_END, zlib.crc32(payload, zlib.crc32(head)))
    size = (len(head) + len(payload) + end) & 0xFFFFFFFF
    parts += (struct.pack("<BHH", 1, end, 0xFFFF ^ end), _RECORD_END, struct.pack("<II", crc, size))
    return b"".join(parts)


def _is_compressed(http: StatusAndHeaders | None, payload: bytes) -> bool:
    """Whether deflating ``payload`` again would be wasted (its last encoding decides)."""
    encoding = http.get_header("Content-Encoding") if http else None
    if not encoding or len(payload) < 18:  # not even a whole gzip stream
        return False
    last = encoding.rsplit(",", 1)[-1].strip().lower()
    if last in _GZIP_ENCODINGS:
        return 0 < int.from_bytes(payload[-4:], "little") <= _GZIP_RATIO * len(payload)
    return last in _STORED_ENCODINGS


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


class Exchange(NamedTuple):
    """A request and its response as the archive keeps them, in plain values: taken from
    Scrapy's objects in the crawl's process, made into records in the writer's."""

    url: str
    status: int
    #: The response's headers in order, without those that described the wire message.
    headers: list[tuple[str, str]]
    #: The body as received (Content-Encoding kept).
    body: bytes
    ip_address: str | None
    #: The connection was lost before the whole body arrived.
    truncated: bool
    fetched_at: datetime
    request_url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    requested_at: datetime

    @classmethod
    def of(
        cls, request: Request, response: Response, fetched_at: datetime, requested_at: datetime
    ) -> Exchange:
        return cls(
            response.url,
            response.status,
            header_pairs(response.headers),
            response.body,
            None if response.ip_address is None else str(response.ip_address),
            "dataloss" in response.flags,
            fetched_at,
            request.url,
            request.method,
            header_pairs(request.headers),
            request.body,
            requested_at,
        )


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Every header value in order, multi-valued ones (Set-Cookie) one line each."""
    pairs = []
    # Scrapy's Headers is a dict of each name's values (what getlist returns).
    for name, values in dict.items(headers):
        if name.lower() in _HOP_HEADERS:
            continue
        text_name = name.decode("latin-1")
        pairs += [(text_name, value.decode("latin-1")) for value in values]
    return pairs


def response_http_headers(exchange: Exchange) -> RawHeaders:
    """Status line with its reason phrase; Content-Length of the body as stored."""
    pairs = [*exchange.headers, ("Content-Length", str(len(exchange.body)))]
    status = f"{exchange.status} {reason_phrase(exchange.status)}"
    return RawHeaders(status, pairs, protocol="HTTP/1.1")


def response_warc_headers(exchange: Exchange) -> dict[str, str]:
    headers = {"WARC-Date": warc_date(exchange.fetched_at)}
    if exchange.ip_address is not None:
        headers["WARC-IP-Address"] = exchange.ip_address
    if exchange.truncated:
        headers["WARC-Truncated"] = "disconnect"
    return headers


def response_record(
    builder: ArchiveRecordBuilder, exchange: Exchange, record_id: str, digest: str
) -> ArcWarcRecord:
    """A ``response`` record of the body as received; ``digest`` is its ``payload_digest``."""
    body = exchange.body
    uri = target_uri(exchange.url)
    headers = builder.warc_headers(uri, "response", response_warc_headers(exchange), record_id)
    headers.add_header("WARC-Payload-Digest", digest)
    return builder.create_warc_record(
        uri,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=response_http_headers(exchange),
        warc_headers=headers,
    )


def revisit_record(
    builder: ArchiveRecordBuilder,
    exchange: Exchange,
    record_id: str,
    digest: str,
    original: ArchivedPayload,
) -> ArcWarcRecord:
    """A ``revisit`` (identical-payload-digest): this exchange's headers, no body."""
    record = builder.create_revisit_record(
        target_uri(exchange.url),
        digest,
        original.target_uri,
        original.date,
        http_headers=response_http_headers(exchange),
        warc_headers_dict=response_warc_headers(exchange),
    )
    record.rec_headers.replace_header("WARC-Record-ID", record_id)
    record.rec_headers.add_header("WARC-Refers-To", original.record_id)
    return record


def request_record(
    builder: ArchiveRecordBuilder, exchange: Exchange, concurrent_to: str
) -> ArcWarcRecord:
    """A ``request`` record: request line with path and query, Host first, then headers."""
    uri = target_uri(exchange.request_url)
    url = urlsplit(uri)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    pairs = [("Host", url.netloc)]
    pairs.extend(pair for pair in exchange.request_headers if pair[0].lower() != "host")
    body = exchange.request_body
    if body:
        pairs.append(("Content-Length", str(len(body))))
    fields = {"WARC-Date": warc_date(exchange.requested_at), "WARC-Concurrent-To": concurrent_to}
    return builder.create_warc_record(
        uri,
        "request",
        payload=BytesIO(body),
        length=len(body),
        http_headers=RawHeaders(f"{exchange.method} {path} HTTP/1.1", pairs, is_http_request=True),
        warc_headers=builder.warc_headers(uri, "request", fields),
    )


def metadata_record(
    builder: ArchiveRecordBuilder,
    url: str,
    fetched_at: datetime,
    concurrent_to: str,
    fields: Iterable[tuple[str, str]],
) -> ArcWarcRecord:
    """A ``metadata`` record of ``application/warc-fields`` about one fetched page."""
    body = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")
    uri = target_uri(url)
    headers = {"WARC-Date": warc_date(fetched_at), "WARC-Concurrent-To": concurrent_to}
    return builder.create_warc_record(
        uri,
        "metadata",
        payload=BytesIO(body),
        length=len(body),
        warc_content_type="application/warc-fields",
        warc_headers=builder.warc_headers(uri, "metadata", headers),
    )
