"""Size-rotated WARC/1.1 files, each opening with its warcinfo record.

Files are named IIPC-style ``{prefix}-{UTC timestamp}-{serial:05d}-{host}.warc.gz`` and
carry a ``.open`` suffix until closed, so no reader mistakes a file in progress for a
finished one. Every record is its own gzip member (a payload the server compressed is
stored in it, not deflated again: ``ArchiveWARCWriter``) and is flushed to the OS as soon
as it is written: a killed process loses at most the record being written.

With ``index`` on, the writer also keeps each file's CDXJ lines, unsorted, beside it in
``<file>.warc.gz.cdxj-lines.part``, renamed without ``.part`` just after the file loses its
``.open``: a sidecar without it is incomplete and never used. The run's ``index.cdxj`` is
sorted from them instead of read back from the WARC files (``crawler.archive.indexes``).
"""

from __future__ import annotations

import glob
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, TextIO

from warcio.recordloader import ArcWarcRecord

from crawler.archive.indexes import PART_SUFFIX, InexactRecord, cdxj_line, sidecar
from crawler.archive.records import ArchiveRecordBuilder, ArchiveWARCWriter

OPEN_SUFFIX = ".open"

logger = logging.getLogger(__name__)


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
        self,
        directory: Path,
        *,
        prefix: str,
        max_size: int,
        info: dict[str, str],
        index: bool = False,
        serial: int = 0,
    ) -> None:
        """``serial``: files written before this writer's first, which is numbered next."""
        self.directory = directory
        self.prefix = prefix
        self.max_size = max_size
        self.info = info
        self.index = index
        self.host = socket.gethostname()
        self.builder = ArchiveRecordBuilder()
        self.serial = serial
        self.filenames: list[str] = []
        self._file: BinaryIO | None = None
        self._warc: ArchiveWARCWriter | None = None
        self._lines: TextIO | None = None
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

    def open_files(self) -> set[Path]:
        """The files in the folder named as this writer names them that are still open
        (this writer's, or those of another with its prefix that did not close them)."""
        digits = "[0-9]" * 17 + "-" + "[0-9]" * 5
        name = f"{glob.escape(self.prefix)}-{digits}-{glob.escape(self.host)}.warc.gz"
        return set(self.directory.glob(name + OPEN_SUFFIX))

    def close(self) -> None:
        """Close the current file and drop its ``.open`` suffix, then its sidecar's
        ``.part``: a sidecar is complete only once its file is."""
        if self._file is None:
            return
        self._file.close()
        path = self.directory / self._name
        os.replace(path.with_name(self._name + OPEN_SUFFIX), path)
        self._file = None
        if self._lines is not None:
            self._lines.close()
            os.replace(self._lines.name, sidecar(path))
            self._lines = None

    def _rotate(self) -> None:
        self.close()
        self.serial += 1
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")[:17]
        self._name = f"{self.prefix}-{stamp}-{self.serial:05d}-{self.host}.warc.gz"
        self._file = open(self.directory / (self._name + OPEN_SUFFIX), "xb")  # noqa: SIM115
        self._warc = ArchiveWARCWriter(self._file)
        self.filenames.append(self._name)
        if self.index:
            lines = sidecar(self.directory / self._name)
            self._lines = open(  # noqa: SIM115
                lines.with_name(lines.name + PART_SUFFIX), "x", encoding="utf-8", newline="\n"
            )
        warcinfo = self.builder.create_warcinfo_record(self._name, self.info)
        self._warcinfo_id = warcinfo.rec_headers.get_header("WARC-Record-ID")
        self._append(warcinfo)

    def _append(self, record: ArcWarcRecord) -> RecordLocation:
        assert self._file is not None and self._warc is not None
        offset = self._file.tell()
        self._warc.write_record(record)
        self._file.flush()
        length = self._file.tell() - offset
        if self._lines is not None:
            self._index(record, offset, length)
        return RecordLocation(
            filename=self._name,
            offset=offset,
            length=length,
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
        )

    def _index(self, record: ArcWarcRecord, offset: int, length: int) -> None:
        """Keep the record's CDXJ line; give up the file's sidecar (the file will be read
        back) if the line cannot be told exactly from memory."""
        assert self._lines is not None
        try:
            line = cdxj_line(record, self._name, offset, length)
        except InexactRecord as exc:
            logger.info("%s will be read back for index.cdxj: %s", self._name, exc)
            self._lines.close()
            os.remove(self._lines.name)
            self._lines = None
            return
        if line is not None:
            self._lines.write(line)
