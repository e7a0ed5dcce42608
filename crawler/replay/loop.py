"""The replay loop: archive records in, the live crawl's items out, every fault reported.

Records are taken in file order. A ``warcinfo`` sets the profile its file's pages are read
with, and names their run. A 2xx HTTP response (or a revisit, with its original's
payload) whose Scrapy response would be an ``HtmlResponse``, or that holds a feed or a
sitemap (``crawler.pages.readable``, the spider's test), becomes a ``Page``: its body,
headers, WARC-Date as fetch instant, profile, ``warc`` pointer and, with a state store
that knows its run, how to narrow its items. A revisit's original is looked for among the
records read so far, then (with a state store) in the other runs of the archives root; a
revisit whose original is in neither waits until the last file has been read. Each page
then takes the crawl's steps in the crawl's order (``extract``, the pointer, the
narrowing pipeline, the audit pipeline, ``dumps``), in batches spread over worker
processes, and its lines are written in record order.

Without a state store, or for a run the store does not know, items have no ``narrowed``
fields (what a crawl with ``STATE_ENABLED`` off writes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from scrapy.http import Headers, HtmlResponse
from scrapy.settings import BaseSettings

from crawler.pages import extract, readable
from crawler.pipelines.audit import ItemAuditPipeline
from crawler.pipelines.jsonl import dumps
from crawler.profiles import Profile
from crawler.replay.faults import Fault
from crawler.replay.inputs import Source, locate
from crawler.replay.parallel import batches, ordered_map
from crawler.replay.payload import HttpMessage, TooLarge, page_response, parse_response
from crawler.replay.reader import Record, read_records, record_at, warc_date
from crawler.replay.revisits import PAYLOAD_TYPES, Originals, Stored, bare_uri
from crawler.replay.state import ArchiveState, Narrowing, earlier
from crawler.replay.warcinfo import Recorded, WarcinfoBook
from crawler.state.sightings import annotate
from crawler.state.store import StateError, StateStore

#: Pages handed to a worker at a time: large enough to make the hand-over cheap.
BATCH = 16
#: Fetched for the crawler's robots.txt middleware, never parsed as a page.
ROBOTS_PATH = "/robots.txt"


def describe(exc: BaseException) -> str:
    """An exception in one line, for a fault's reason."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _http_url(target: str | None) -> str:
    """The page URL a WARC-Target-URI names; ValueError if it is no http(s) URL."""
    url = bare_uri(target) or ""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"no http(s) WARC-Target-URI: {url!r}")
    return url


def _sent(page: Page, record: Record) -> Page:
    """``page``, with when its request was sent if ``record`` is that request's record."""
    if record.type != "request" or record.get("warc-concurrent-to") != page.pointer["record_id"]:
        return page
    try:
        return replace(page, requested_at=warc_date(record.get("warc-date")))
    except ValueError:
        return page  # a request record without a readable date: the fetch instant alone


class Counters(Counter):
    """Scrapy's stats interface over a Counter: what the crawl's audit pipeline counts into."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] = self.get(key, start) + count


@dataclass(frozen=True, slots=True)
class Page:
    """An archived HTML page, as the spider's callback would have been given it."""

    file: str
    offset: int
    url: str
    body: bytes
    headers: Headers
    fetched_at: datetime
    profile: Profile
    pointer: dict[str, Any]
    narrowing: Narrowing | None = None
    #: The ``WARC-Date`` of its request record, when one follows the response.
    requested_at: datetime | None = None
    #: Larger HTML pages are not parsed (``EXTRACTION_MAX_SIZE``; None: no limit).
    max_size: int | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """A page's JSON lines, what the audit counted, and the fault if extraction failed."""

    lines: list[str]
    counts: Counters
    fault: Fault | None = None


def render(pages: list[Page]) -> list[Rendered]:
    """The crawl's steps for each page: extract, point at the record, narrow, audit, dump."""
    return [_render(page) for page in pages]


def _render(page: Page) -> Rendered:
    counts = Counters()
    audit = ItemAuditPipeline(counts)
    try:
        items = extract(
            page.url,
            page.body,
            fetched_at=page.fetched_at,
            headers=page.headers,
            profile=page.profile,
            requested_at=page.requested_at,
            max_size=page.max_size,
        )
        lines = []
        for item in items:
            item["warc"] = page.pointer
            if page.narrowing is not None:
                annotate(item, earlier(page.narrowing))
            audit.process_item(item)
            lines.append(dumps(item) + "\n")
    except Exception as exc:  # a parser bug must not end the replay
        failed = Counters({"pages/extract_failed": 1})
        return Rendered(
            [], failed, Fault(page.file, page.offset, f"extraction failed ({describe(exc)})")
        )
    return Rendered(lines, counts)


class Replay:
    """One replay: reads sources, writes items, reports faults, and counts all three."""

    def __init__(
        self, settings: BaseSettings, out: TextIO, report: Callable[[Fault], None]
    ) -> None:
        self.stats = Counters()
        self._warcinfos = WarcinfoBook(settings)
        self._originals = Originals()
        self._state: ArchiveState | None = None
        self._sources: list[Source] = []
        self._waiting: list[tuple[int, Record, Recorded, str]] = []
        #: The request records of waiting revisits, by the revisit's source and offset.
        self._waiting_sent: dict[tuple[int, int], Record] = {}
        self._out = out
        self._report = report
        self.records = self.items = self.faults = 0

    def run(self, paths: Sequence[Path], processes: int = 1, state: Path | None = None) -> None:
        """Replay every source under ``paths``, extracting with ``processes`` processes,
        with the archives root's state store ``state`` (read-only) if given."""
        self._state = self._open_state(state)
        try:
            pages = batches(self._pages(paths), BATCH)
            for results in ordered_map(render, pages, processes):
                for result in results:
                    self.stats.update(result.counts)
                    if result.fault is not None:
                        self._fault(result.fault)
                    self._out.writelines(result.lines)
                    self.items += len(result.lines)
        finally:
            if self._state is not None:
                self._state.store.close()

    def _open_state(self, path: Path | None) -> ArchiveState | None:
        if path is None:
            return None
        try:
            return ArchiveState(StateStore(path, readonly=True))
        except StateError as exc:
            self._fault(Fault(str(path), 0, f"{exc}; replaying without it"))
            return None

    def summary(self) -> str:
        """The closing line: records read, items written (by type, and any the schema
        rejects: the audit logged why), faults."""
        kinds = [f"{self.stats[f'items/{kind}']} {kind}" for kind in ("article", "listing")]
        if self.stats["items/invalid"]:
            kinds.append(f"{self.stats['items/invalid']} breaking the schema")
        return (
            f"replay: {self.records} records read, {self.items} items written "
            f"({', '.join(kinds)}), {self.faults} faults"
        )

    def _fault(self, fault: Fault) -> None:
        self.faults += 1
        self._report(fault)

    def _pages(self, paths: Sequence[Path]) -> Iterator[Page]:
        for found in locate(paths):
            if isinstance(found, Fault):
                self._fault(found)
            else:
                yield from self._read(found)
        for number, revisit, recorded, elsewhere in self._waiting:
            stored = self._originals.find(revisit)
            if stored is not None:
                request = self._waiting_sent.get((number, revisit.offset))
                for page in self._revisit(number, revisit, stored, recorded):
                    yield page if request is None else _sent(page, request)
                continue
            refers_to = revisit.get("warc-refers-to") or revisit.get("warc-payload-digest")
            reason = f"revisit of {refers_to}, a record that is in none of the inputs; {elsewhere}"
            self._fault(Fault(self._sources[number].name, revisit.offset, reason))
        self._waiting.clear()
        self._waiting_sent.clear()

    def _read(self, source: Source) -> Iterator[Page]:
        number = len(self._sources)
        self._sources.append(source)
        self._warcinfos.new_file()
        try:
            stream = source.open()
        except OSError as exc:
            self._fault(Fault(source.name, 0, f"cannot open: {exc}"))
            return
        offset = 0
        # A page waits for the next record: the crawler writes each response's request
        # record right after it, and its WARC-Date is when the request was sent.
        pending: Page | None = None
        with stream:
            try:
                for found in read_records(stream, source.name):
                    if isinstance(found, Fault):
                        self._fault(found)
                        continue
                    offset = found.offset
                    self.records += 1
                    if pending is not None:
                        yield _sent(pending, found)
                        pending = None
                    elif self._waiting and found.type == "request":
                        self._note_waiting_request(found)
                    for page in self._record(number, found):
                        if pending is not None:
                            yield pending
                        pending = page
            except Exception as exc:  # the promise: no input stops a replay
                self._fault(Fault(source.name, offset, f"cannot read on ({describe(exc)})"))
            if pending is not None:
                yield pending

    def _record(self, number: int, record: Record) -> Iterator[Page]:
        kind = record.type
        if kind == "warcinfo":
            try:
                self._warcinfos.learn(record)
            except ValueError as exc:
                reason = f"warcinfo: {exc}; its pages are read with the settings' profile"
                self._fault(Fault(self._sources[number].name, record.offset, reason))
        elif kind in PAYLOAD_TYPES:
            stored = Stored(number, record.offset, record.get("warc-record-id"))
            self._originals.add(record, stored)
            if kind == "response" and record.block.startswith(b"HTTP/"):
                yield from self._exchange(
                    number, record, record.block, self._warcinfos.recorded(record)
                )
        elif kind == "revisit" and self._may_have_items(number, record):
            recorded = self._warcinfos.recorded(record)
            stored = self._originals.find(record)
            if stored is not None:
                yield from self._revisit(number, record, stored, recorded)
                return
            original = self._other_run(record)
            if isinstance(original, Record):
                yield from self._exchange(
                    number, record, original.block, recorded, own_head=record.block
                )
            else:  # its original may still come in a later file
                self._waiting.append((number, record, recorded, original))

    def _note_waiting_request(self, request: Record) -> None:
        """The request record of the revisit just put to wait, if ``request`` is it."""
        number, revisit, *_ = self._waiting[-1]
        if request.get("warc-concurrent-to") == revisit.get("warc-record-id"):
            self._waiting_sent[number, revisit.offset] = request

    def _other_run(self, revisit: Record) -> Record | str:
        """A revisit's original in another run of the archives root; else why not."""
        if self._state is None:
            return "no state store to look for it in other runs (see --state)"
        return self._state.original(revisit)

    def _may_have_items(self, number: int, revisit: Record) -> bool:
        """A revisit that is not of a 2xx response (304, 404) needs no original."""
        if not revisit.block.strip():
            return True
        try:
            return 200 <= parse_response(revisit.block).status < 300
        except ValueError as exc:
            self._fault(Fault(self._sources[number].name, revisit.offset, str(exc)))
            return False

    def _revisit(
        self, number: int, revisit: Record, stored: Stored, recorded: Recorded
    ) -> Iterator[Page]:
        source = self._sources[stored.source]
        original = record_at(source.open, source.name, stored.offset, stored.id)
        if original is None:
            where = f"{source.name}:{stored.offset}"
            reason = f"revisit whose original record at {where} cannot be read again"
            self._fault(Fault(self._sources[number].name, revisit.offset, reason))
            return
        yield from self._exchange(number, revisit, original.block, recorded, own_head=revisit.block)

    def _exchange(
        self,
        number: int,
        record: Record,
        block: bytes,
        recorded: Recorded,
        own_head: bytes = b"",
    ) -> Iterator[Page]:
        """The page of one fetch: ``block`` holds its HTTP response, unless a revisit's own
        head (``own_head``) gives the status and headers for its original's body;
        ``recorded`` is what its warcinfo says (profile, run, limits)."""
        source = self._sources[number]

        def fault(reason: str) -> None:
            self._fault(Fault(source.name, record.offset, reason))

        try:
            message = parse_response(block)
            if own_head.strip():
                own = parse_response(own_head)
                message = HttpMessage(own.status, own.headers, message.body)
            fetched_at = warc_date(record.get("warc-date"))
            url = _http_url(record.get("warc-target-uri"))
        except ValueError as exc:
            fault(str(exc))
            return
        if not 200 <= message.status < 300 or urlsplit(url).path == ROBOTS_PATH:
            return  # the crawl's spider never sees these (HttpErrorMiddleware, robots.txt)
        try:
            response = page_response(url, message, recorded.download_max)
        except TooLarge:
            return  # the crawl's HttpCompressionMiddleware ignored it
        except Exception as exc:  # whatever the decoders raise
            fault(f"cannot decode the response body ({describe(exc)})")
            return
        html = isinstance(response, HtmlResponse)
        if readable(response.url, response.body, response.headers, html=html):
            pointer = {
                "filename": source.filename,
                "offset": record.offset,
                "length": record.length,
                "record_id": record.get("warc-record-id"),
            }
            yield Page(
                source.name,
                record.offset,
                response.url,
                response.body,
                response.headers,
                fetched_at,
                recorded.profile,
                pointer,
                self._state.narrowing(recorded.run_id) if self._state else None,
                max_size=recorded.extract_max,
            )
