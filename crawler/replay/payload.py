"""A stored HTTP response turned back into the response the crawl's spider was given.

A ``response`` record's block holds the status line, the headers and the entity body as
stored: chunk-framed when the writer kept the framing (wget does), still compressed per
``Content-Encoding``. Here the framing is removed, the content codings are undone once,
in the order, with the fallbacks and by the decoders of Scrapy's HttpCompressionMiddleware
(gzip and x-gzip, deflate zlib-wrapped or raw, br), up to the same ``DOWNLOAD_MAXSIZE``,
and the response class comes from Scrapy's ``responsetypes``, as at download: so a replay
decides "HTML?" (only an ``HtmlResponse`` yields items) and reads charsets exactly as the
crawl did, and a compression bomb the crawl refused is refused again, not inflated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils._compression import _DecompressionMaxSizeExceeded, _inflate, _unbrotli
from scrapy.utils.gz import gunzip

#: Raised for a body that grows past the maximum size while decoded: the crawl's
#: HttpCompressionMiddleware ignored it, so it has no items.
TooLarge = _DecompressionMaxSizeExceeded

_STATUS = re.compile(rb"HTTP/\d(?:\.\d)?[ \t]+(\d{3})(?:[ \t]|$)")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]+")


@dataclass(frozen=True, slots=True)
class HttpMessage:
    """A stored HTTP response: chunk framing removed, content coding kept."""

    status: int
    headers: Headers
    body: bytes


def split_http(block: bytes) -> tuple[bytes, bytes]:
    """The HTTP head of a block and the payload after the blank line that ends it."""
    ends = [(at, len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if (at := block.find(sep)) >= 0]
    if not ends:
        return block, b""
    at, size = min(ends)
    return block[:at], block[at + size :]


def dechunk(data: bytes) -> bytes | None:
    """The body carried by chunked ``data``; None when it does not start as chunks.

    A body cut short (no last chunk) gives what arrived, as a browser would show it.
    """
    pieces, at = [], 0
    while True:
        eol = data.find(b"\n", at)
        size = data[at:eol].split(b";", 1)[0].strip() if eol >= 0 else b""
        if not _CHUNK_SIZE.fullmatch(size):
            return None if at == 0 else b"".join(pieces)
        length = int(size, 16)
        if length == 0:
            return b"".join(pieces)
        pieces.append(data[eol + 1 : eol + 1 + length])
        at = eol + 1 + length
        at += 2 if data.startswith(b"\r\n", at) else data.startswith(b"\n", at)


def parse_response(block: bytes) -> HttpMessage:
    """The status, headers and body of a stored HTTP response; ValueError if it is none."""
    head, payload = split_http(block)
    lines = head.split(b"\n")
    match = _STATUS.match(lines[0].rstrip(b"\r"))
    if match is None:
        raise ValueError(f"not an HTTP response: {lines[0][:60]!r}")
    headers = Headers()
    for line in lines[1:]:
        name, colon, value = line.rstrip(b"\r").partition(b":")
        if colon and name.strip() and not name[:1].isspace():
            headers.appendlist(name.strip(), value.strip())
    coding = b",".join(headers.getlist("Transfer-Encoding")).lower()
    if b"chunked" in coding:
        payload = dechunk(payload) or payload
    return HttpMessage(int(match[1]), headers, payload)


def page_response(url: str, message: HttpMessage, max_size: int = 0) -> Response:
    """The response the spider got: content codings undone as HttpCompressionMiddleware does
    (last applied first, up to one it does not know), its class from ``responsetypes``.

    Raises ``TooLarge`` when the body grows past ``max_size`` bytes (0: no limit) while
    decoded, else what a decoder raises for a body it cannot decode.
    """
    headers = Headers(message.headers)
    codings = [
        coding.strip().lower()
        for value in headers.getlist("Content-Encoding")
        for coding in value.split(b",")
    ]
    body = message.body
    if codings:
        while codings and codings[-1] in _DECODERS:
            body = _DECODERS[codings.pop()](body, max_size=max_size)
        if codings:
            headers["Content-Encoding"] = codings
        else:
            del headers["Content-Encoding"]
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=message.status, headers=headers, body=body)


#: The codings the crawl's HttpCompressionMiddleware decodes, with its decoders (zstd
#: aside: the crawl never asks for it, and it needs a module Scrapy only pulls in on some
#: versions). Deflate is zlib-wrapped or raw (some Microsoft servers); br is Google's
#: brotli (warcio's decoder expects brotlipy's API and fails).
_DECODERS: dict[bytes, Callable[..., bytes]] = {
    b"gzip": gunzip,
    b"x-gzip": gunzip,
    b"deflate": _inflate,
    b"br": _unbrotli,
}
