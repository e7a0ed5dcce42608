"""WARC digests checked against the bytes: a record changed since it was written is a fault.

``WARC-Block-Digest`` covers the whole block. ``WARC-Payload-Digest`` covers an HTTP
record's entity body; writers disagree on whether that is taken before or after removing
chunk framing (warcio and wget hash the bytes as stored), so either one matches. A revisit's
payload digest names its original's payload and is not checked here. Digests are base32 or
hex, with any algorithm hashlib knows; one it does not know cannot be checked and passes.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING

from crawler.replay.payload import dechunk, split_http

if TYPE_CHECKING:
    from crawler.replay.reader import Record

#: Record types whose payload digest is over their own payload.
_OWN_PAYLOAD = ("response", "resource", "request", "conversion")


def mismatch(record: Record) -> str | None:
    """Why the record's bytes do not match its digests, or None when they do."""
    block_digest = record.get("warc-block-digest")
    if block_digest and not _matches(block_digest, record.block):
        return f"WARC-Block-Digest {block_digest} does not match the record's block"
    payload_digest = record.get("warc-payload-digest")
    if payload_digest and record.type in _OWN_PAYLOAD:
        payload = record.block
        if "application/http" in (record.get("content-type") or "").lower():
            payload = split_http(record.block)[1]
        if not _matches(payload_digest, payload):
            body = dechunk(payload)
            if body is None or not _matches(payload_digest, body):
                return f"WARC-Payload-Digest {payload_digest} does not match the record's payload"
    return None


def _matches(label: str, data: bytes) -> bool:
    algorithm, _, expected = label.partition(":")
    name = algorithm.strip().lower().replace("-", "")
    if name not in hashlib.algorithms_available:
        return True
    digest = hashlib.new(name, data).digest()
    expected = expected.strip().upper().rstrip("=")
    return expected in (base64.b32encode(digest).decode("ascii").rstrip("="), digest.hex().upper())
