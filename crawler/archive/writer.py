"""Size-rotated WARC/1.1 files, each opening with its warcinfo record.

Files are named IIPC-style ``{prefix}-{UTC timestamp}-{serial:05d}-{host}.warc.gz`` and
carry a ``.open`` suffix until closed, so no reader mistakes a file in progress for a
finished one. Every record is its own gzip member and is flushed to the OS as soon as it
is written: a killed process loses at most the record being written.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord

from crawler.archive.records import ArchiveRecordBuilder, ArchiveWARCWriter

OPEN_SUFFIX = ".open"


@dataclass(frozen=True, slots=True)
class RecordLocation:
    """Where a record lies: enough to seek to it and check it is the one meant."""

    filename: str
    offset: int
    length: int
    record_id: str

    def to_json(self) -> dict[str, str | int]:
        return {
            "filename": self.filename,
            "offset": self.offset,
            "length": self.length,
            "record_id": self.record_id,
        }


class WarcFileWriter:
    """Appends records to the current WARC file, rotating once it passes ``max_size``."""

    def __init__(
        self, directory: Path, *, prefix: str, max_size: int, info: dict[str, str]
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.max_size = max_size
        self.info = info
        self.host = socket.gethostname()
        self.builder = ArchiveRecordBuilder()
        self.serial = 0
        self.filenames: list[str] = []
        self._file: BinaryIO | None = None
        self._warc: ArchiveWARCWriter | None = None
        self._name = ""
        self._warcinfo_id = ""

    def write(self, *records: ArcWarcRecord) -> list[RecordLocation]:
        """Write ``records`` together into one file and return where each one lies."""
        if self._file is None or self._file.tell() >= self.max_size:
            self._rotate()
        assert self._file is not None
        locations = []
        for record in records:
            record.rec_headers.add_header("WARC-Warcinfo-ID", self._warcinfo_id)
            locations.append(self._append(record))
        return locations

    def close(self) -> None:
        """Close the current file and drop its ``.open`` suffix."""
        if self._file is None:
            return
        self._file.close()
        path = self.directory / self._name
        os.replace(path.with_name(self._name + OPEN_SUFFIX), path)
        self._file = None

    def _rotate(self) -> None:
        self.close()
        self.serial += 1
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")[:17]
        self._name = f"{self.prefix}-{stamp}-{self.serial:05d}-{self.host}.warc.gz"
        self._file = open(self.directory / (self._name + OPEN_SUFFIX), "xb")  # noqa: SIM115
        self._warc = ArchiveWARCWriter(self._file)
        self.filenames.append(self._name)
        warcinfo = self.builder.create_warcinfo_record(self._name, self.info)
        self._warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
        self._append(warcinfo)

    def _append(self, record: ArcWarcRecord) -> RecordLocation:
        assert self._file is not None and self._warc is not None
        offset = self._file.tell()
        self._warc.write_record(record)
        self._file.flush()
        return RecordLocation(
            filename=self._name,
            offset=offset,
            length=self._file.tell() - offset,
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
        )
