"""index.cdxj from the lines the WARC writer keeps as it writes: byte for byte the index
cdxj-indexer builds by reading the WARC files back, and trusted only once complete."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from warcio.recordloader import ArcWarcRecord

from crawler.archive.indexes import (
    CDXJ_FILE,
    LINES_SUFFIX,
    PART_SUFFIX,
    sidecar,
    warc_files,
    write_cdxj,
    write_cdxj_from_sidecars,
)
from crawler.archive.records import (
    ArchiveRecordBuilder,
    Exchange,
    RawHeaders,
    payload_digest,
    request_record,
    response_record,
    revisit_record,
)
from crawler.archive.revisits import ArchivedPayload
from crawler.archive.writer import OPEN_SUFFIX, WarcFileWriter
from crawler.demo.crawl import crawl_sample_site
from crawler.recovery import mend_folder
from tests.warctools import warcio_check

FETCHED = "2026-11-22T06:45:55.071454Z"
FETCHED_AT = datetime(2026, 11, 22, 6, 45, 55, 71454, tzinfo=timezone.utc)
#: A line no reader of a WARC file would write: where it shows, a sidecar was used.
FORGED = 'zz,forged)/ 20260101000000 {"url": "http://forged.test/"}\n'


def reread_index(folder: Path, scratch: Path) -> bytes:
    """index.cdxj of ``folder``'s WARC files as cdxj-indexer reads them (in a copy)."""
    copy = scratch / "reread"
    copy.mkdir(parents=True)
    for path in warc_files(folder):
        shutil.copy2(path, copy / path.name)
    return write_cdxj(copy).read_bytes()


def sidecars(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{LINES_SUFFIX}*"))


def test_a_crawls_index_is_the_one_read_back_from_its_warc_files(tmp_path):
    # The hostile pages (binary, charsets, oversize, bombs) and rotation into several files.
    folder, _ = crawl_sample_site(
        tmp_path / "archives", hostile=True, settings={"WARC_MAX_SIZE": "200000"}
    )
    assert len(warc_files(folder)) > 1
    assert "read back for index.cdxj" not in (folder / "crawl.log").read_text("utf-8")
    assert not sidecars(folder)
    assert (folder / CDXJ_FILE).read_bytes() == reread_index(folder, tmp_path)


def response(url: str, headers: list[tuple[str, bytes]], body: bytes, status: int = 200):
    request = Request(url)
    cls = HtmlResponse if body.startswith(b"<") else Response
    return cls(url, status=status, headers=headers, body=body, request=request)


def exchange(page: Response) -> Exchange:
    return Exchange.of(page.request, page, FETCHED_AT, FETCHED_AT)


def page_record(builder: ArchiveRecordBuilder, page: Response) -> ArcWarcRecord:
    """``page``'s response record, as the archive builds it."""
    return response_record(
        builder, exchange(page), builder.make_warc_id(), payload_digest(page.body)
    )


def odd_records(writer: WarcFileWriter) -> list:
    """Records whose index fields warcio reads back mended: stripped, decoded, first of
    two, split at a blank; and records it does not index or gives no HTTP fields."""
    builder = writer.builder
    pages = [
        ("http://example.test/a", [("Content-Type", b"text/html; charset=utf-8")], b"<p>a"),
        ("http://example.test/b", [("Content-Type", b"  text/plain  ")], b"b"),
        ("http://example.test/c", [("Content-Type", b"")], b"c"),
        ("http://example.test/d", [], b"d"),
        ("http://example.test/e", [("Content-Type", b"text/csv\tx")], b"e"),
        ("http://example.test/f", [("Content-Type", b"a/b"), ("Content-Type", b"c/d")], b"f"),
        ("http://example.test/g", [("Content-Type", b"text/\xe9")], b"<g"),
        ("http://example.test/h", [("Content-Type", b"x/\xc3\xa9")], b"h"),
        ("http://example.test/i?q=1&a=2#frag", [("Content-Encoding", b"gzip")], b"\x1f\x8b"),
        ("https://EXAMPLE.test:443/j/../k", [("Set-Cookie", b"a=\xff"), ("Set-Cookie", b"b")], b""),
    ]
    records = []
    for url, headers, body in pages:
        page = response(url, headers, body, status=599 if url.endswith("/c") else 200)
        records += [page_record(builder, page), request_record(builder, exchange(page), "<urn:x>")]
    # Built by hand: a header name warcio reads without its trailing blank, a space in the
    # target URI (read back as %20), a non-HTTP URI, and records of the other types.
    records += [
        hand_built(
            builder, "http://example.test/with space", "response", b"x",
            http_headers=RawHeaders("200 OK", [("Content-Type ", "y/z")], protocol="HTTP/1.1"),
        ),
        hand_built(builder, "ftp://example.test/file", "response", b"data"),
        hand_built(
            builder, "http://example.test/thing", "resource", b"{}",
            warc_content_type="image/png; q=1",
        ),
    ]  # fmt: skip
    original = ArchivedPayload("<urn:uuid:1>", "http://example.test/a", FETCHED)
    digest = records[0].rec_headers.get_header("WARC-Payload-Digest")
    again = response("http://example.test/a2", [("Content-Type", b"text/html")], b"<p>a")
    records.append(
        revisit_record(builder, exchange(again), builder.make_warc_id(), digest, original)
    )
    return records


def test_lines_of_odd_records_are_the_ones_read_back(tmp_path):
    writer = WarcFileWriter(tmp_path, prefix="t", max_size=4000, info={"software": "t"}, index=True)
    for record in odd_records(writer):
        writer.write(record)
    writer.close()
    assert len(warc_files(tmp_path)) > 1
    assert all(sidecar(path).is_file() for path in warc_files(tmp_path))
    for path in warc_files(tmp_path):
        warcio_check(path)
    expected = reread_index(tmp_path, tmp_path / "copy")
    assert write_cdxj_from_sidecars(tmp_path).read_bytes() == expected
    assert len(expected.splitlines()) == 14  # 10 pages, 2 by hand, a resource, a revisit
    assert not sidecars(tmp_path)


def unreadable_from_memory(builder) -> list:
    """A header value that would be read back as two lines; a metadata record warcio would
    give a payload digest only when reading it (the archive writes none such)."""
    return [
        hand_built(
            builder, "http://example.test/", "response", b"x",
            http_headers=RawHeaders("200 OK", [("X-Odd", "a\nContent-Type: b/c")], "HTTP/1.1"),
        ),
        hand_built(
            builder, "http://example.test/", "metadata", b"{}",
            warc_content_type="application/json",
        ),
    ]  # fmt: skip


def hand_built(builder, uri: str, rec_type: str, payload: bytes, **options):
    """A record built with warcio's builder alone, dated ``FETCHED``."""
    return builder.create_warc_record(
        uri, rec_type, payload=BytesIO(payload), length=len(payload),
        warc_headers_dict={"WARC-Date": FETCHED}, **options,
    )  # fmt: skip


@pytest.mark.parametrize("case", [0, 1], ids=["two-lines", "digest-on-reading"])
def test_a_record_read_back_otherwise_gives_up_its_files_sidecar(tmp_path, case):
    writer = WarcFileWriter(
        tmp_path, prefix="t", max_size=10**9, info={"software": "t"}, index=True
    )
    writer.write(unreadable_from_memory(writer.builder)[case])
    writer.close()
    assert warc_files(tmp_path) and not sidecars(tmp_path)
    expected = reread_index(tmp_path, tmp_path / "copy")
    assert write_cdxj_from_sidecars(tmp_path).read_bytes() == expected


def killed_writer(folder: Path) -> WarcFileWriter:
    """A writer that filled files and was killed writing its last one."""
    writer = WarcFileWriter(folder, prefix="t", max_size=1500, info={"software": "t"}, index=True)
    for n in range(12):
        page = response(f"http://example.test/{n}", [("Content-Type", b"text/html")], b"<p>" * n)
        writer.write(page_record(writer.builder, page))
    assert len(writer.filenames) >= 3
    return writer


@pytest.mark.parametrize("renamed", [False, True], ids=["killed", "killed-before-sidecar"])
def test_a_killed_writers_sidecar_is_not_trusted(tmp_path, renamed):
    writer = killed_writer(tmp_path)
    (open_warc,) = tmp_path.glob("*.warc.gz" + OPEN_SUFFIX)
    part = sidecar(tmp_path / writer.filenames[-1])
    part = part.with_name(part.name + PART_SUFFIX)
    writer._lines.flush()  # what the killed process had written of it
    with open(part, "a", encoding="utf-8") as lines:
        lines.write(FORGED)
    if renamed:  # killed between renaming the WARC file and its sidecar
        open_warc.rename(open_warc.with_name(open_warc.name.removesuffix(OPEN_SUFFIX)))
    else:
        mend_folder(tmp_path)
    first = sidecar(tmp_path / writer.filenames[0])
    with open(first, "a", encoding="utf-8") as lines:  # a finished sidecar is used as is
        lines.write(FORGED)
    index = write_cdxj_from_sidecars(tmp_path).read_text("utf-8").splitlines(keepends=True)
    assert index.count(FORGED) == 1
    index.remove(FORGED)
    assert "".join(index).encode() == reread_index(tmp_path, tmp_path / "copy")
    assert not sidecars(tmp_path)


def test_the_repair_path_reads_every_file_and_drops_the_sidecars(tmp_path):
    writer = killed_writer(tmp_path)
    writer.close()
    assert len(sidecars(tmp_path)) == len(writer.filenames)
    for path in sidecars(tmp_path):
        with open(path, "a", encoding="utf-8") as lines:
            lines.write(FORGED)
    assert FORGED not in write_cdxj(tmp_path).read_text("utf-8")
    assert not sidecars(tmp_path)
