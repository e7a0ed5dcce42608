"""Helpers the tests share to read WARC files the way an archivist's tools do."""

from __future__ import annotations

import subprocess
import sys
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord


def warcio_check(path: Path, warcio: Path | None = None) -> None:
    """Run ``warcio check`` (digests) on a file; fail with its output if it complains.

    ``warcio`` defaults to this venv's. warcio decodes ``Content-Encoding: br`` with
    brotlipy's API and crashes on Google's ``brotli`` (which Scrapy uses), so files with
    brotli bodies need the warcio of a venv with brotlipy, such as pywb's.
    """
    warcio = warcio or Path(sys.executable).with_name("warcio")
    result = subprocess.run(
        [str(warcio), "check", "-v", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def gzip_member(path: Path, offset: int) -> tuple[bytes, int]:
    """A record's bytes as written (its gzip member at ``offset``, unparsed), and the
    member's length: warcio's parsed headers may re-decode what was stored."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        data = stream.read()
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    raw = decompressor.decompress(data)
    assert decompressor.eof, f"no complete gzip member at {path.name}:{offset}"
    return raw, len(data) - len(decompressor.unused_data)


def read_record_at(path: Path, offset: int) -> tuple[ArcWarcRecord, int]:
    """The record whose gzip member starts at ``offset``, and that member's length."""
    _, member_length = gzip_member(path, offset)
    with open(path, "rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        record.content = record.raw_stream.read()
    return record, member_length


def run_records(folder: Path) -> list[ArcWarcRecord]:
    """Every record of a run folder's WARC files, in file order.

    Each record gets ``content`` (its stored block after the HTTP headers, raw), ``path``
    and ``offset`` (where its gzip member starts, for ``gzip_member``).
    """
    found = []
    for path in sorted(folder.glob("*.warc.gz")):
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                record.content = record.raw_stream.read()
                record.path = path
                record.offset = records.get_record_offset()
                found.append(record)
    return found
