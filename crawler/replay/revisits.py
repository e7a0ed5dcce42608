"""Where a revisit record's payload is: the original record it refers to.

A revisit stores headers but no body. Its original is found by ``WARC-Refers-To`` (the
record ID), else by ``WARC-Refers-To-Target-URI`` and ``WARC-Refers-To-Date``, else by
its payload digest, among the payload records read so far. Only their locations are kept,
so the index stays small; the payload is read again from the file when needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crawler.replay.reader import Record, warc_date

#: Record types that hold a payload a revisit can refer to.
PAYLOAD_TYPES = ("response", "resource")


@dataclass(frozen=True, slots=True)
class Stored:
    """A payload record's place: which source (by number), where in it, and its ID."""

    source: int
    offset: int
    id: str | None


def bare_uri(value: str | None) -> str | None:
    """A URI without the angle brackets WARC/1.0 writers (wget) put around it."""
    return value.strip().removeprefix("<").removesuffix(">") if value else value


class Originals:
    """The payload records seen so far, by record ID, by URI and date, and by digest."""

    def __init__(self) -> None:
        self._by_id: dict[str, Stored] = {}
        self._by_uri_date: dict[tuple[str, datetime], Stored] = {}
        self._by_digest: dict[str, Stored] = {}

    def add(self, record: Record, stored: Stored) -> None:
        """Remember a payload record; the first of equal digests is kept."""
        if stored.id:
            self._by_id.setdefault(stored.id, stored)
        key = _uri_date(record.get("warc-target-uri"), record.get("warc-date"))
        if key:
            self._by_uri_date.setdefault(key, stored)
        digest = record.get("warc-payload-digest")
        if digest:
            self._by_digest.setdefault(digest.strip(), stored)

    def find(self, revisit: Record) -> Stored | None:
        """The original of ``revisit``, if it has been seen."""
        refers_to = revisit.get("warc-refers-to")
        if refers_to and refers_to.strip() in self._by_id:
            return self._by_id[refers_to.strip()]
        key = _uri_date(
            revisit.get("warc-refers-to-target-uri"), revisit.get("warc-refers-to-date")
        )
        if key and key in self._by_uri_date:
            return self._by_uri_date[key]
        digest = revisit.get("warc-payload-digest")
        return self._by_digest.get(digest.strip()) if digest else None


def _uri_date(uri: str | None, date: str | None) -> tuple[str, datetime] | None:
    """Dates compared as instants: writers differ in how many digits they write."""
    if not uri or not date:
        return None
    try:
        return bare_uri(uri) or "", warc_date(date)
    except ValueError:
        return None
