"""crawler.archive.process.ArchiveWriter: records written in a writer process are the ones
written in the crawl's, every location it answers holds its record, and a writer process
that dies loses nothing and duplicates nothing. The archive middleware passes responses on
without waiting for it, and a location is only ever one written."""

from __future__ import annotations

import asyncio
import os
import random
import signal
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.archive.indexes import write_cdxj, write_cdxj_from_sidecars
from crawler.archive.middleware import WARC_META, ArchiveWriteFailed, WarcArchiveMiddleware
from crawler.archive.process import (
    WRITER_ROLE,
    ArchiveWriter,
    ExchangeRecords,
    MetadataRecord,
)
from crawler.archive.records import Exchange, payload_digest
from crawler.archive.revisits import ArchivedPayload
from crawler.archive.writer import OPEN_SUFFIX, RecordLocation, WarcFileWriter
from crawler.demo.crawl import child_processes
from crawler.fetchtime import FETCHED_AT as FETCHED_AT_META
from crawler.recovery import close_abandoned_warc
from tests.warctools import read_record_at, run_records, warcio_check

FETCHED_AT = datetime(2025, 7, 30, 7, 30, 0, 123456, tzinfo=timezone.utc)
PAGES = 60


def config(folder: Path, max_size: int = 1_000_000) -> dict:
    return {"directory": folder, "prefix": "t", "max_size": max_size,
            "info": {"software": "t"}, "index": True}  # fmt: skip


def tasks(count: int = PAGES, size: int = 2000) -> list[ExchangeRecords | MetadataRecord]:
    """An exchange and a metadata record a page of ``size`` bytes; every fifth page repeats
    a payload (a revisit). Record IDs are fixed, so two runs write the same records."""
    found: list[ExchangeRecords | MetadataRecord] = []
    first: dict[str, ArchivedPayload] = {}
    for n in range(count):
        url = f"http://example.test/{n}"
        # Incompressible, so records take time to write and files really grow.
        body = random.Random(0 if n % 5 == 0 else n).randbytes(size)
        response = HtmlResponse(url, body=body, request=Request(url),
                                headers={"Content-Type": "text/html", "X-N": str(n)})  # fmt: skip
        exchange = Exchange.of(response.request, response, FETCHED_AT, FETCHED_AT)
        record_id = f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>"
        digest = payload_digest(body)
        original = first.get(digest)
        first.setdefault(digest, ArchivedPayload(record_id, url, "2025-07-30T07:30:00Z"))
        found.append(ExchangeRecords(exchange, record_id, digest, original))
        found.append(MetadataRecord(url, FETCHED_AT, record_id, [("outlink", url + "/x")]))
    return found


def writers() -> list[int]:
    """This process's WARC writer processes."""
    return [pid for pid in child_processes(os.getpid())
            if WRITER_ROLE.encode() in _cmdline(pid)]  # fmt: skip


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def write_all(writer: ArchiveWriter, given: list) -> list[list[RecordLocation]]:
    async def run() -> list[list[RecordLocation]]:
        writer.start()
        try:
            return list(await asyncio.gather(*(writer.write(task) for task in given)))
        finally:
            await writer.close()

    return asyncio.run(run())


def comparable(folder: Path) -> list[tuple]:
    """A folder's records but its warcinfo, without the IDs the writer makes (of warcinfo,
    request and metadata records: random)."""
    found = []
    for record in run_records(folder):
        if record.rec_type == "warcinfo":
            continue
        made = {"WARC-Warcinfo-ID"}
        if record.rec_type in ("request", "metadata"):
            made.add("WARC-Record-ID")
        headers = [pair for pair in record.rec_headers.headers if pair[0] not in made]
        http = record.http_headers.headers if record.http_headers else None
        found.append((record.rec_type, headers, http, record.content))
    return found


def assert_locations_hold_their_records(folder: Path, written: list, given: list) -> None:
    for task, locations in zip(given, written, strict=True):
        for location in locations:
            record, length = read_record_at(folder / location.filename, location.offset)
            assert length == location.length
            assert record.rec_headers.get_header("WARC-Record-ID") == location.record_id
        if isinstance(task, ExchangeRecords):
            assert locations[0].record_id == task.record_id


def test_records_written_in_the_writer_process_are_those_written_here(tmp_path):
    given = tasks()
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    write_all(ArchiveWriter(config(here), process=False), given)
    written = write_all(ArchiveWriter(config(there), process=True), given)
    assert not writers()  # closed with the writer
    records = comparable(there)
    assert records == comparable(here)
    assert Counter(record[0] for record in records) == {
        "response": 49, "revisit": 11, "request": 60, "metadata": 60}  # fmt: skip
    assert_locations_hold_their_records(there, written, given)
    (path,) = there.glob("*.warc.gz")
    warcio_check(path)
    assert not list(there.glob("*" + OPEN_SUFFIX))


@pytest.mark.parametrize("when", ["idle", "writing"])
def test_a_writer_process_that_dies_is_replaced_and_loses_nothing(tmp_path, when):
    given = tasks(size=300_000)
    stats = MemoryStatsCollector(get_crawler())
    writer = ArchiveWriter(config(tmp_path, max_size=3_000_000), process=True, stats=stats)

    async def run() -> list[list[RecordLocation]]:
        writer.start()
        half = len(given) // 2
        written = list(await asyncio.gather(*(writer.write(t) for t in given[:half])))
        (first,) = writers()
        rest = [writer.write(t) for t in given[half:]]
        if when == "writing":
            await rest[0]  # the rest are on their way, some written, some not yet
        os.kill(first, signal.SIGKILL)
        written += await asyncio.gather(*rest)
        assert writers() and first not in writers()
        await writer.close()
        return written

    written = asyncio.run(run())
    assert stats.get_value("archive/writer_died") == 1
    assert_locations_hold_their_records(tmp_path, written, given)
    records = run_records(tmp_path)
    ids = Counter(record.rec_headers.get_header("WARC-Record-ID") for record in records)
    assert max(ids.values()) == 1  # no record written twice
    expected = {t.record_id for t in given if isinstance(t, ExchangeRecords)}
    assert expected <= set(ids)
    metadata = [r for r in records if r.rec_type == "metadata"]
    assert len(metadata) == PAGES
    assert not list(tmp_path.glob("*" + OPEN_SUFFIX))
    assert not list(tmp_path.glob("*.part"))
    for path in tmp_path.glob("*.warc.gz"):
        warcio_check(path)
    # The dead writer's file has no finished index lines: the index reads it back.
    (tmp_path / "copy").mkdir()
    for path in tmp_path.glob("*.warc.gz"):
        (tmp_path / "copy" / path.name).write_bytes(path.read_bytes())
    assert (write_cdxj_from_sidecars(tmp_path).read_bytes()
            == write_cdxj(tmp_path / "copy").read_bytes())  # fmt: skip


def test_a_record_that_fails_is_reported_and_the_writer_goes_on(tmp_path):
    good = tasks(2)
    bad = good[0]._replace(exchange=good[0].exchange._replace(body=None))

    async def run() -> None:
        writer = ArchiveWriter(config(tmp_path), process=True)
        writer.start()
        try:
            with pytest.raises(TypeError):
                await writer.write(bad)
            assert len(await writer.write(good[0])) == 2
        finally:
            await writer.close()

    asyncio.run(run())
    assert len(run_records(tmp_path)) == 3  # warcinfo, response, request


@pytest.mark.parametrize("reported", [3, 0])
def test_a_dead_writers_file_is_cut_after_its_last_reported_record(tmp_path, reported):
    """Records past the last one reported are cut, whole or not: the next writer writes
    them again. A file with none reported is removed."""
    writer = WarcFileWriter(**config(tmp_path))
    given = [task for task in tasks(5) if isinstance(task, ExchangeRecords)]
    ends = [task.write(writer)[-1] for task in given]
    path = tmp_path / (writer.filenames[0] + OPEN_SUFFIX)
    with open(path, "ab") as stream:
        stream.write(b"\x1f\x8b\x08 half a record")
    end = ends[reported - 1].offset + ends[reported - 1].length if reported else 0
    report = close_abandoned_warc(path, end)
    assert "WARC writer that died" in report
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob("*" + OPEN_SUFFIX))
    records = run_records(tmp_path)
    if not reported:
        assert not records
        return
    assert [r.rec_headers.get_header("WARC-Concurrent-To") for r in records[2::2]] == [
        task.record_id for task in given[:reported]]  # fmt: skip
    assert len(records) == 1 + 2 * reported


def archive_middleware(folder: Path, *, process: bool) -> WarcArchiveMiddleware:
    crawler = get_crawler()
    crawler.stats = MemoryStatsCollector(crawler)
    return WarcArchiveMiddleware(crawler, ArchiveWriter(config(folder), process=process), None)


def exchanges(count: int) -> list[tuple[Request, HtmlResponse]]:
    found = []
    for n in range(count):
        url = f"http://example.test/{n}"
        request = Request(url, meta={FETCHED_AT_META: FETCHED_AT})
        found.append((request, HtmlResponse(url, body=b"<p>%d</p>" % n, request=request)))
    return found


@pytest.mark.parametrize("process", [True, False], ids=["writer-process", "in-process"])
def test_the_archive_passes_a_response_on_at_once_and_its_location_follows(tmp_path, process):
    """No wait for the writer in the downloader middleware (it would hold a request slot);
    ``location`` answers once the record is written, and the record is there."""
    middleware = archive_middleware(tmp_path, process=process)

    async def run() -> list[dict]:
        middleware.writer.start()
        given = exchanges(20)
        for request, response in given:
            assert middleware.process_response(request, response) is response
        locations = [await middleware.location(request) for request, _ in given]
        for (request, _), location in zip(given, locations, strict=True):
            assert request.meta[WARC_META] == location
        await middleware.spider_closed()
        return locations

    locations = asyncio.run(run())
    assert middleware.location(Request("http://example.test/never")) is None
    for n, location in enumerate(locations):
        record, length = read_record_at(tmp_path / location["filename"], location["offset"])
        assert length == location["length"]
        assert record.rec_headers.get_header("WARC-Record-ID") == location["record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == f"http://example.test/{n}"
    assert middleware.crawler.stats.get_value("archive/records") == 40


@pytest.mark.parametrize("process", [True, False], ids=["writer-process", "in-process"])
def test_a_response_whose_records_cannot_be_written_has_no_location(tmp_path, process, caplog):
    """A folder that cannot take files (here a file in its place): the response is logged
    and counted, and its location fails, so nothing can name a record not written."""
    folder = tmp_path / "not-a-folder"
    folder.write_bytes(b"")
    middleware = archive_middleware(folder, process=process)

    async def run() -> None:
        middleware.writer.start()
        ((request, response),) = exchanges(1)
        middleware.process_response(request, response)
        with pytest.raises(ArchiveWriteFailed, match=r"example\.test/0"):
            await middleware.location(request)
        assert WARC_META not in request.meta
        await middleware.spider_closed()

    asyncio.run(run())
    assert middleware.crawler.stats.get_value("archive/write_failed") == 1
    assert "Could not archive http://example.test/0" in caplog.text
