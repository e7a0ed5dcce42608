"""Helpers the tests share to read WARC files the way an archivist's tools do."""

from __future__ import annotations

import subprocess
import sys
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord


def warcio_check(path: Path) -> None:
    """Run ``warcio check`` (digests) on a file; fail with its output if it complains."""
    warcio = Path(sys.executable).with_name("warcio")
    result = subprocess.run(
        [str(warcio), "check", "-v", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def read_record_at(path: Path, offset: int) -> tuple[ArcWarcRecord, int]:
    """The record whose gzip member starts at ``offset``, and that member's length."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        data = stream.read()
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    decompressor.decompress(data)
    assert decompressor.eof, f"no complete gzip member at {path.name}:{offset}"
    member_length = len(data) - len(decompressor.unused_data)
    with open(path, "rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        record.content = record.raw_stream.read()
    return record, member_length
