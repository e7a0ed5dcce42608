"""What to replay: the archive files named on the command line, found in folders and WACZs.

A path is a file (WARC or ARC, gzip'd or not, or a WACZ) or a folder searched for such
files at any depth, in name order (a run names its files in the order it wrote them).
Each file becomes a ``Source``: the name faults are reported under, the file name items
point at (relative to the folder given, as a run's ``items.jsonl`` has it), and a way to
open it as a seekable stream. A WACZ's WARC files are read in place, not unpacked, and a
WACZ that only packages WARC files lying beside it is not read a second time.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from crawler.archive.writer import OPEN_SUFFIX
from crawler.replay.faults import Fault

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
WACZ_SUFFIX = ".wacz"
_LOCAL_HEADER = struct.Struct("<4s22xHH")


@dataclass(frozen=True, slots=True)
class Source:
    """One archive file: its name in faults, its name in items, and how to open it."""

    name: str
    filename: str
    open: Callable[[], BinaryIO]


def is_archive(name: str) -> bool:
    """A WARC or ARC file name, finished or still ``.open`` (a crawl in progress or killed)."""
    return name.lower().removesuffix(OPEN_SUFFIX).endswith(ARCHIVE_SUFFIXES)


def is_wacz(name: str) -> bool:
    return name.lower().endswith(WACZ_SUFFIX)


def locate(paths: Sequence[Path]) -> Iterator[Source | Fault]:
    """The sources under ``paths``, each file once, and a fault for what cannot be read."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files = _folder(path)
            if not files:
                yield Fault(str(path), 0, "no WARC, ARC or WACZ file in this folder")
            entries = [(file, file.relative_to(path).as_posix()) for file in files]
        else:
            entries = [(path, path.name)]
        for file, filename in entries:
            if file.resolve() in seen:
                continue
            seen.add(file.resolve())
            if is_wacz(file.name):
                yield from _wacz(file)
            else:
                # Items name a file as its crawl did, without the in-progress suffix.
                filename = filename.removesuffix(OPEN_SUFFIX)
                yield Source(str(file), filename, partial(open, file, "rb"))


def _folder(folder: Path) -> list[Path]:
    files = sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and (is_archive(path.name) or is_wacz(path.name))
    )
    return [path for path in files if not (is_wacz(path.name) and _packs_siblings(path))]


def _packs_siblings(wacz: Path) -> bool:
    """Whether every archive file in ``wacz`` also lies beside it (a run folder's WACZ)."""
    try:
        with zipfile.ZipFile(wacz) as package:
            names = [PurePosixPath(name).name for name in package.namelist() if is_archive(name)]
    except (OSError, zipfile.BadZipFile):
        return False
    return bool(names) and all((wacz.parent / name).is_file() for name in names)


def _wacz(path: Path) -> Iterator[Source | Fault]:
    try:
        with zipfile.ZipFile(path) as package:
            members = {info.filename: info for info in package.infolist()}
            listed, problem = _listed(package, members)
    except (OSError, zipfile.BadZipFile) as exc:
        yield Fault(str(path), 0, f"not a readable WACZ (ZIP) file: {exc}")
        return
    if problem:
        yield Fault(str(path), 0, problem)
    for name in listed:
        if name not in members:
            reason = "missing from the WACZ, though datapackage.json lists it"
            yield Fault(f"{path}/{name}", 0, reason)
    for name in sorted(members):
        if name.startswith("archive/") and is_archive(name):
            opener = partial(_open_member, path, members[name])
            yield Source(f"{path}/{name}", PurePosixPath(name).name, opener)


def _listed(package: zipfile.ZipFile, members: dict) -> tuple[list[str], str | None]:
    """The archive files ``datapackage.json`` lists, and what is wrong with it if anything."""
    if "datapackage.json" not in members:
        return [], "no datapackage.json: not a valid WACZ"
    try:
        resources = json.loads(package.read("datapackage.json"))["resources"]
        paths = [resource["path"] for resource in resources]
    except (ValueError, KeyError, TypeError) as exc:
        return [], f"unreadable datapackage.json ({exc!r})"
    return [path for path in paths if isinstance(path, str) and is_archive(path)], None


def _open_member(path: Path, info: zipfile.ZipInfo) -> BinaryIO:
    """A member as a seekable stream: a stored one in place, a compressed one unpacked."""
    if info.compress_type == zipfile.ZIP_STORED:
        stream = open(path, "rb")  # noqa: SIM115 (the slice owns it)
        stream.seek(info.header_offset)
        local = stream.read(_LOCAL_HEADER.size)
        if len(local) < _LOCAL_HEADER.size or local[:4] != b"PK\x03\x04":
            stream.close()
            raise OSError(f"no ZIP entry at offset {info.header_offset}")
        _, name_length, extra_length = _LOCAL_HEADER.unpack(local)
        start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        return _Slice(stream, start, info.file_size)
    copy = tempfile.TemporaryFile()  # noqa: SIM115 (returned open)
    try:
        with zipfile.ZipFile(path) as package, package.open(info) as member:
            shutil.copyfileobj(member, copy)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        copy.close()
        raise OSError(f"cannot unpack: {exc}") from exc
    copy.seek(0)
    return copy


class _Slice(io.RawIOBase):
    """Bytes ``start`` to ``start + size`` of an open file, as a file of their own."""

    def __init__(self, stream: BinaryIO, start: int, size: int) -> None:
        super().__init__()
        self._stream = stream
        self._start = start
        self._size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:
        count = max(0, min(len(buffer), self._size - self._pos))
        if not count:
            return 0
        self._stream.seek(self._start + self._pos)
        got = self._stream.readinto(memoryview(buffer)[:count])
        self._pos += got
        return got

    def close(self) -> None:
        self._stream.close()
        super().close()
