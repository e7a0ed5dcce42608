"""WARC records written in a process of their own, beside the crawl.

Building, compressing, writing and indexing a page's records cost the crawl's process most
of a millisecond a page, in a process that is the crawl's bottleneck (issue 9's profiles).
Handed to a ``crawler.workers`` process, they run on another core. The crawl keeps what it
must answer before a page is parsed: the payload digest, the revisit check and the record
IDs; the writer process builds the records from the exchange's plain values
(``crawler.archive.records.Exchange``) and answers with where each one lies. An item's
provenance is only ever that answer, so it never points at a record not yet on disk.

The writer process keeps the folder's WARC files as ``WarcFileWriter`` does in-process:
``.open`` until closed, each record flushed as written. So a killed crawl (whose writer ends
with its stdin, leaving its file open) is mended by ``crawler.recovery`` as before. A writer
process that dies while the crawl goes on is replaced: its open file is cut back to the last
record it reported written (``close_abandoned_warc``), and the records it had not reported
are written by the next writer, into a new file.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from scrapy.statscollectors import StatsCollector

from crawler.archive.records import (
    Exchange,
    metadata_record,
    request_record,
    response_record,
    revisit_record,
)
from crawler.archive.revisits import ArchivedPayload
from crawler.archive.writer import OPEN_SUFFIX, RecordLocation, WarcFileWriter
from crawler.recovery import close_abandoned_warc
from crawler.workers import Worker, submit

logger = logging.getLogger(__name__)

#: The writer process's name in its command line.
WRITER_ROLE = "warc-writer"


class ExchangeRecords(NamedTuple):
    """An exchange's ``response`` (or ``revisit``, if ``original`` holds its payload already)
    and ``request`` records; the first has the ID ``record_id`` and payload ``digest``."""

    exchange: Exchange
    record_id: str
    digest: str
    original: ArchivedPayload | None

    def write(self, writer: WarcFileWriter) -> list[RecordLocation]:
        builder, exchange = writer.builder, self.exchange
        if self.original is None:
            record = response_record(builder, exchange, self.record_id, self.digest)
        else:
            record = revisit_record(builder, exchange, self.record_id, self.digest, self.original)
        return writer.write(record, request_record(builder, exchange, self.record_id))


class MetadataRecord(NamedTuple):
    """A page's ``metadata`` record (``crawler.archive.records.metadata_record``)."""

    url: str
    fetched_at: datetime
    concurrent_to: str
    fields: list[tuple[str, str]]

    def write(self, writer: WarcFileWriter) -> list[RecordLocation]:
        record = metadata_record(
            writer.builder, self.url, self.fetched_at, self.concurrent_to, self.fields
        )
        return writer.write(record)


class CloseFile(NamedTuple):
    """Close the current file (``WarcFileWriter.close``): the crawl is over."""

    def write(self, writer: WarcFileWriter) -> list[RecordLocation]:
        writer.close()
        return []


Task = ExchangeRecords | MetadataRecord | CloseFile


def _write(writer: WarcFileWriter, task: Task) -> list[RecordLocation]:
    return task.write(writer)


class ArchiveWriter:
    """Writes tasks' records with a ``WarcFileWriter`` built from ``config``, in a writer
    process (``process``) or in this one. A writer process that died is counted in
    ``stats`` as ``archive/writer_died``."""

    def __init__(
        self, config: dict[str, Any], *, process: bool, stats: StatsCollector | None = None
    ) -> None:
        self.process = process
        self.stats = stats
        self._config = config
        #: The files' writer: this process's, or the one the writer process was given.
        self._writer = None if process else WarcFileWriter(**config)
        self._worker: Worker | None = None
        #: Files open in the folder, under the writer's names, when its process started.
        self._open_before: set[Path] = set()
        #: Per file: where the last record a writer process reported written ends.
        self._ends: dict[str, int] = {}
        self._unanswered: set[asyncio.Future[list[RecordLocation]]] = set()

    def start(self) -> None:
        """Start the writer process now, so it is ready for the first page."""
        if self.process:
            self._pick()

    def write(self, task: Task) -> asyncio.Future[list[RecordLocation]]:
        """Where the task's records lie, once written (in the order tasks were given)."""
        if not self.process:
            future = asyncio.get_running_loop().create_future()
            try:
                future.set_result(_write(self._writer, task))
            except Exception as error:
                future.set_exception(error)
            return future
        future = asyncio.ensure_future(submit(self._pick, task))
        self._unanswered.add(future)
        future.add_done_callback(self._unanswered.discard)
        return future

    async def close(self) -> None:
        """Close the current file once every record given is written; end the process."""
        if self._unanswered:
            await asyncio.gather(*self._unanswered, return_exceptions=True)
        await self.write(CloseFile())
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def _pick(self) -> Worker:
        """The writer process, started (again, after mending its files, if it died)."""
        if self._worker is not None and self._worker.ended:
            self._worker.close()
            self._worker = None
            self._mend()
        if self._worker is None:
            # The next file is numbered after those written so far.
            self._writer = WarcFileWriter(**self._config, serial=len(self._ends))
            self._open_before = self._writer.open_files()
            self._worker = Worker(
                WRITER_ROLE, partial(_write, self._writer), received=self._reported
            )
        return self._worker

    def _reported(self, locations: list[RecordLocation]) -> None:
        for location in locations:
            end = location.offset + location.length
            self._ends[location.filename] = max(self._ends.get(location.filename, 0), end)

    def _mend(self) -> None:
        """Close what a writer process that died left open."""
        assert self._writer is not None
        if self.stats is not None:
            self.stats.inc_value("archive/writer_died")
        mended = [
            close_abandoned_warc(path, self._ends.get(path.name.removesuffix(OPEN_SUFFIX), 0))
            for path in sorted(self._writer.open_files() - self._open_before)
        ]
        logger.error("The WARC writer process died; starting another. %s", " ".join(mended))
