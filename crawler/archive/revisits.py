"""Which payloads are archived already, so an identical one is written as a revisit.

Before writing a response record the archive claims its payload digest from a
``PayloadIndex``: the record that claimed it first is what a later record of the same payload
refers to, as a revisit. Claiming is one step, so of two workers archiving one payload at
once only one writes it whole. ``MemoryPayloadIndex`` remembers one run; an index shared by
runs or by workers implements the same method and is named by the ``WARC_PAYLOAD_INDEX``
setting (a class path, built with ``from_crawler`` when it has one).
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
    def claim(self, digest: str, payload: ArchivedPayload) -> ArchivedPayload | None:
        """The record that holds ``digest`` already; None: ``payload`` holds it now."""
        ...


class MemoryPayloadIndex:
    """Digests of the payloads archived in this run (one small entry per unique payload)."""

    def __init__(self) -> None:
        self._payloads: dict[str, ArchivedPayload] = {}

    def claim(self, digest: str, payload: ArchivedPayload) -> ArchivedPayload | None:
        held = self._payloads.setdefault(digest, payload)
        return None if held is payload else held
