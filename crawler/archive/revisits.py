"""Which payloads are archived already, so an identical one is written as a revisit.

The archive asks a ``PayloadIndex`` by payload digest. ``MemoryPayloadIndex`` remembers
one run; an index shared by runs or by workers implements the same two methods and is
named by the ``WARC_PAYLOAD_INDEX`` setting (a class path, built with ``from_crawler``
when it has one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ArchivedPayload:
    """The record that holds a payload: what a revisit record refers to."""

    record_id: str
    target_uri: str
    date: str


class PayloadIndex(Protocol):
    def get(self, digest: str) -> ArchivedPayload | None: ...

    def add(self, digest: str, payload: ArchivedPayload) -> None: ...


class MemoryPayloadIndex:
    """Digests of the payloads archived in this run (one small entry per unique payload)."""

    def __init__(self) -> None:
        self._payloads: dict[str, ArchivedPayload] = {}

    def get(self, digest: str) -> ArchivedPayload | None:
        return self._payloads.get(digest)

    def add(self, digest: str, payload: ArchivedPayload) -> None:
        self._payloads.setdefault(digest, payload)
