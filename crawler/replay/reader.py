"""Records out of WARC and ARC files, gzip'd per record or not, however damaged.

Each record comes with where it lies: in a gzip'd file, the offset and length of its gzip
member (what CDX indexes and items' ``warc`` pointers name); in a plain file, its own
bytes. A damaged stretch becomes one ``Fault`` and reading resumes at the next record that
can be found: the next gzip member that opens a record, or the next ``WARC/1.`` line of a
plain file. Digests are checked here too, so a record whose bytes are not the ones its
writer wrote is a fault, not a page. Streaming: one record in memory at a time.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from typing import BinaryIO

from crawler.replay import digests
from crawler.replay.faults import Fault

GZIP_MAGIC = b"\x1f\x8b\x08"
CHUNK = 1 << 16
MAX_LINE = 1 << 16
MAX_HEADER_LINES = 1000
#: Where a plain WARC file's next record may start, looked for after a damaged one.
WARC_START = b"WARC/1."
_SCHEME = re.compile(rb"[A-Za-z][A-Za-z0-9+.-]*:")
_ARC_DATE = re.compile(rb"\d{12,14}")
_DIGITS = re.compile(r"[0-9]+")
_WARC_DATE = re.compile(
    r"(\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?)?)?Z?"
)
#: Said of a record when what follows its block is not the start of another one.
_BAD_LENGTH = "record does not end where its Content-Length says"


class RecordError(Exception):
    """Why the bytes at some offset are not a whole record."""


class NotARecord(RecordError):
    """Nothing at this offset even starts like a WARC or ARC record."""


@dataclass(slots=True)
class Record:
    """One record and where it lies in its file; header names are lower-case.

    ARC records get WARC-style headers (``warc-type``, ``warc-target-uri``, ``warc-date``),
    so the rest of the replay reads both formats the same way.
    """

    offset: int
    length: int
    headers: dict[str, str]
    block: bytes

    @property
    def type(self) -> str:
        return self.headers.get("warc-type", "").lower()

    def get(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def read_records(stream: BinaryIO, name: str, start: int = 0) -> Iterator[Record | Fault]:
    """Every record of the seekable ``stream`` from ``start`` on, and a fault per bad stretch."""
    stream.seek(start)
    head = stream.read(len(GZIP_MAGIC))
    if not head:
        if start == 0:
            yield Fault(name, 0, "empty file")
        return
    framed = _gzip_records if head == GZIP_MAGIC else _plain_records
    for found in framed(stream, name, start):
        if isinstance(found, Record) and (reason := digests.mismatch(found)):
            found = Fault(name, found.offset, reason)
        yield found


def record_at(
    open_stream: Callable[[], BinaryIO], name: str, offset: int, record_id: str | None
) -> Record | None:
    """The record at ``offset``, read again, if it is whole and has ``record_id``."""
    try:
        with open_stream() as stream:
            for found in read_records(stream, name, offset):
                if found.offset != offset:
                    break
                if isinstance(found, Record) and found.get("warc-record-id") == record_id:
                    return found
    except OSError:
        pass
    return None


def warc_date(text: str | None) -> datetime:
    """A WARC-Date (any W3C-ISO8601 precision, up to nanoseconds) as an aware UTC instant."""
    match = _WARC_DATE.fullmatch((text or "").strip())
    if match is None:
        raise ValueError(f"bad WARC-Date {text!r}")
    year, month, day, hour, minute, second, fraction = match.groups()
    return datetime(
        int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
        int(second or 0), int((fraction or "0")[:6].ljust(6, "0")), tzinfo=timezone.utc,
    )  # fmt: skip


class _Bytes:
    """Look-ahead over the bytes ``pull`` returns (b"" at the end), counting those taken."""

    def __init__(self, pull: Callable[[], bytes]) -> None:
        self._pull = pull
        self._buf = bytearray()
        self._at = 0
        self.taken = 0

    def _have(self, n: int) -> int:
        while len(self._buf) - self._at < n:
            data = self._pull()
            if not data:
                break
            if self._at >= CHUNK:
                del self._buf[: self._at]
                self._at = 0
            self._buf += data
        return len(self._buf) - self._at

    def peek(self, n: int) -> bytes:
        self._have(n)
        return bytes(memoryview(self._buf)[self._at : self._at + n])

    def read(self, n: int) -> bytes:
        self._have(n)
        data = bytes(memoryview(self._buf)[self._at : self._at + n])
        self._at += len(data)
        self.taken += len(data)
        return data

    def readline(self) -> bytes:
        """Up to and with the next newline, at most ``MAX_LINE`` bytes."""
        searched = 0
        while True:
            end = self._buf.find(b"\n", self._at + searched, self._at + MAX_LINE)
            if end >= 0:
                return self.read(end + 1 - self._at)
            searched = len(self._buf) - self._at
            if searched >= MAX_LINE or self._have(searched + 1) <= searched:
                return self.read(min(searched, MAX_LINE))

    def skip_newlines(self) -> None:
        while self._have(1) and self._buf[self._at] in b"\r\n":
            self._at += 1
            self.taken += 1

    def at_record_start(self) -> bool:
        """Whether the next line starts a WARC or ARC record."""
        if self.peek(5) == b"WARC/":
            return True
        line = self.peek(MAX_LINE).split(b"\n", 1)[0]
        return _arc_headers(line + b"\n") is not None


class _Member:
    """The decompressed bytes of the gzip member at ``start``, a piece at a time."""

    def __init__(self, stream: BinaryIO, start: int) -> None:
        stream.seek(start)
        self._stream = stream
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.start = start
        self.raw = 0  # compressed bytes read so far

    def pull(self) -> bytes:
        z = self._z
        while not z.eof:
            data = z.unconsumed_tail
            if not data:
                data = self._stream.read(CHUNK)
                if not data:
                    raise EOFError("gzip member cut short by the end of the file")
                self.raw += len(data)
            out = z.decompress(data, CHUNK)
            if out:
                return out
        return b""

    @property
    def end(self) -> int:
        """Where the next member starts, once ``pull`` has returned b""."""
        return self.start + self.raw - len(self._z.unused_data)


def _gzip_records(stream: BinaryIO, name: str, start: int) -> Iterator[Record | Fault]:
    offset = start
    while True:
        stream.seek(offset)
        if stream.read(len(GZIP_MAGIC)) != GZIP_MAGIC:
            if _rest_is_padding(stream, offset):
                return
            reason = "no gzip member starts here"
        else:
            member = _Member(stream, offset)
            data = _Bytes(member.pull)
            try:
                yield from _member_records(member, data)
                offset = member.end
                continue
            except EOFError as exc:
                yield Fault(name, offset, str(exc))
                return
            except zlib.error as exc:
                reason = f"bad gzip data ({exc})"
            except NotARecord:
                if offset == 0:
                    yield Fault(name, 0, "not a WARC or ARC file (gzip'd, but no record in it)")
                    return
                reason = "gzip member holds no WARC or ARC record"
            except RecordError as exc:
                reason = str(exc)
        found = _next_member(stream, offset + 1)
        yield Fault(name, offset, _skipped(reason, offset, found))
        if found is None:
            return
        offset = found


def _member_records(member: _Member, data: _Bytes) -> Iterator[Record]:
    """The records of one member: one, as writers should, or several."""
    while True:
        data.skip_newlines()
        if not data.peek(1):
            return
        headers, block, more = _record_and_next(data)
        # A record sharing its member gets the compressed bytes read so far: the member's
        # first that many bytes hold it.
        length = member.raw if more else member.end - member.start
        yield Record(member.start, length, headers, block)


def _record_and_next(data: _Bytes) -> tuple[dict[str, str], bytes, bool]:
    """One record, and whether more follow; what follows must start a record exactly."""
    headers, block = _parse(data)
    data.skip_newlines()
    more = bool(data.peek(1))
    if more and not data.at_record_start():
        raise RecordError(_BAD_LENGTH)
    return headers, block, more


def _plain_records(stream: BinaryIO, name: str, start: int) -> Iterator[Record | Fault]:
    base = start
    stream.seek(base)
    data = _Bytes(partial(stream.read, CHUNK))
    while True:
        data.skip_newlines()
        at = base + data.taken
        if not data.peek(1):
            return
        try:
            headers, block, _ = _record_and_next(data)
        except NotARecord:
            if at == 0:
                yield Fault(name, 0, "not a WARC or ARC file")
                return
            reason = "no WARC or ARC record starts here"
        except RecordError as exc:
            reason = str(exc)
        else:
            yield Record(at, base + data.taken - at, headers, block)
            continue
        found = _find(stream, WARC_START, at + 1)
        yield Fault(name, at, _skipped(reason, at, found))
        if found is None:
            return
        base = found
        stream.seek(base)
        data = _Bytes(partial(stream.read, CHUNK))


def _parse(data: _Bytes) -> tuple[dict[str, str], bytes]:
    line = data.readline()
    if line.startswith(b"WARC/"):
        headers = _warc_headers(data)
    else:
        found = _arc_headers(line)
        if found is None:
            raise NotARecord
        headers = found
    declared = headers.get("content-length", "")
    if not _DIGITS.fullmatch(declared):
        raise RecordError("record header has no valid Content-Length")
    length = int(declared)
    block = data.read(length)
    if len(block) < length:
        raise RecordError(
            f"record cut short: {len(block)} of the {length} bytes its Content-Length announces"
        )
    return headers, block


def _warc_headers(data: _Bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        line = data.readline()
        if len(line) >= MAX_LINE:
            raise RecordError("WARC header line too long")
        if not line.endswith(b"\n"):
            raise RecordError("record header cut short")
        if not line.strip():
            return headers
        name, colon, value = line.partition(b":")
        if not colon or not name.strip() or name[:1].isspace():
            raise RecordError(f"bad WARC header line {line[:60]!r}")
        key = name.strip().decode("utf-8", "replace").lower()
        headers.setdefault(key, value.strip().decode("utf-8", "replace"))
    raise RecordError("record header has too many lines")


def _arc_headers(line: bytes) -> dict[str, str] | None:
    """WARC-style headers for an ARC (v1 or v2) record's header line; None if it is not one.

    v1: ``URL IP DATE MIME LENGTH``; v2: ``URL IP DATE MIME CODE CHECKSUM LOCATION OFFSET
    FILENAME LENGTH``. Fields are counted from the end, as URLs sometimes hold spaces.
    """
    if not line.endswith(b"\n"):
        return None
    parts = line.rstrip(b"\r\n").split(b" ")
    if len(parts) >= 10 and _ARC_DATE.fullmatch(parts[-8]):
        fields = len(parts) - 9
    elif len(parts) >= 5 and _ARC_DATE.fullmatch(parts[-3]):
        fields = len(parts) - 4
    else:
        return None
    url = b" ".join(parts[:fields])
    if not parts[-1].isdigit() or not _SCHEME.match(url):
        return None
    ip, date, mime = (part.decode("latin-1") for part in parts[fields : fields + 3])
    date = date.ljust(14, "0")
    text = url.decode("utf-8", "replace")
    return {
        "warc-type": "warcinfo" if text.startswith("filedesc:") else "response",
        "warc-target-uri": text,
        "warc-date": f"{date[:4]}-{date[4:6]}-{date[6:8]}T{date[8:10]}:{date[10:12]}:{date[12:]}Z",
        "warc-ip-address": ip,
        "content-type": mime,
        "content-length": parts[-1].decode("ascii"),
    }


def _next_member(stream: BinaryIO, start: int) -> int | None:
    """The offset of the next gzip member that opens a record, from ``start`` on."""
    while (found := _find(stream, GZIP_MAGIC, start)) is not None:
        try:
            data = _Bytes(_Member(stream, found).pull)
            data.skip_newlines()
            if data.at_record_start():
                return found
        except (zlib.error, EOFError):
            pass
        start = found + 1
    return None


def _find(stream: BinaryIO, pattern: bytes, start: int) -> int | None:
    """The offset of the next ``pattern`` from ``start`` on."""
    stream.seek(start)
    position, tail = start, b""
    while chunk := stream.read(CHUNK):
        window = tail + chunk
        index = window.find(pattern)
        if index >= 0:
            return position - len(tail) + index
        tail = window[-(len(pattern) - 1) :]
        position += len(chunk)
    return None


def _rest_is_padding(stream: BinaryIO, offset: int) -> bool:
    """Whether nothing but NULs and blank space follows ``offset`` (or nothing at all)."""
    stream.seek(offset)
    while chunk := stream.read(CHUNK):
        if chunk.strip(b"\0 \t\r\n"):
            return False
    return True


def _skipped(reason: str, at: int, found: int | None) -> str:
    if found is None:
        return f"{reason}; no readable record after it"
    return f"{reason}; skipped {found - at} bytes to the next record"
