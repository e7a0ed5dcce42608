"""Putting killed runs back in order, so every record and line they finished stays readable.

A run killed with ``kill -9`` leaves its WARC file ``.open``, possibly ending in a record
cut mid-write, possibly a last ``items.jsonl`` line (or a worker's items file's) without its
newline, and no ``run.json`` or indexes. The next run calls ``recover_root`` before it
starts: each ``.open`` file is cut back to its last complete record and renamed, each
partial last line is removed, ``index.cdxj`` and ``pages.jsonl`` are rebuilt from what
remains, and ``run.json`` says the run was killed. The last worker of a distributed run
mends what its dead workers left the same way (``mend_folder``). Each finding is returned
as one line for the log. Nothing complete is ever touched.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from crawler.archive.indexes import PART_SUFFIX, sidecar, warc_files, write_cdxj, write_pages
from crawler.archive.writer import OPEN_SUFFIX
from crawler.layout import (
    ITEMS_FILE,
    RUN_FILE,
    RUN_FOLDER_NAME,
    WORKER_RUN_FILE,
    items_files,
    write_run_file,
)

_CHUNK = 1 << 20


def recover_root(root: Path) -> list[str]:
    """Recover every run folder under ``root``; one report line per thing mended."""
    if not root.is_dir():
        return []
    reports: list[str] = []
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        mended = mend_folder(folder)
        # A run killed before it wrote a file still gets its run.json. A distributed run's
        # folder gets it from its last worker, which may write on another machine.
        distributed = any(folder.glob(WORKER_RUN_FILE.format(worker="*")))
        if not (folder / RUN_FILE).exists() and not distributed and (
            items_files(folder) or warc_files(folder) or RUN_FOLDER_NAME.fullmatch(folder.name)
        ):
            mended.append(finish_killed_run(folder, mended))
        reports += mended
    return reports


def mend_folder(folder: Path) -> list[str]:
    """Close the WARC files left open in ``folder`` and cut partial last item lines."""
    mended = [close_open_warc(path) for path in sorted(folder.glob("*" + OPEN_SUFFIX))]
    for items in items_files(folder):
        cut = drop_partial_line(items)
        if cut:
            mended.append(f"{items}: removed a partial last line ({cut} bytes)")
    return mended


def finish_killed_run(folder: Path, mended: list[str]) -> str:
    """Give the folder what a finished run's has (an items file, empty if the run was
    killed before its first item; the indexes) and a ``run.json`` that says it was killed."""
    built = []
    if not items_files(folder):
        (folder / ITEMS_FILE).touch()
        built.append(ITEMS_FILE)
    if warc_files(folder):
        built.append(write_cdxj(folder).name)
    built.append(write_pages(folder).name)
    write_run_file(
        folder,
        {
            "run_id": folder.name,
            "finish_reason": "killed",
            "recovered_at": datetime.now(timezone.utc).isoformat(),
            "recovery": mended,
        },
    )
    return f"{folder}: the run was killed; wrote {', '.join([*built, RUN_FILE])}"


def close_open_warc(path: Path) -> str:
    """Cut ``path`` after its last complete record and drop the ``.open`` suffix."""
    size = path.stat().st_size
    end = complete_length(path)
    final = _cut_and_close(path, end, size)
    cut = f"cut {size - end} bytes of an unfinished record" if end < size else "complete"
    return f"{final}: closed a file left open by a killed run ({cut})"


def close_abandoned_warc(path: Path, end: int) -> str:
    """Cut ``path``, left open by a WARC writer process that died, after ``end``: where the
    last record it reported written ends (0: it reported none, and the file is removed).
    A record past ``end`` is written again by the next writer, so it is cut even if whole.
    Its index lines are dropped with it: the run's index reads the file back."""
    lines = sidecar(path.with_name(path.name.removesuffix(OPEN_SUFFIX)))
    lines.with_name(lines.name + PART_SUFFIX).unlink(missing_ok=True)
    size = path.stat().st_size
    if not end:
        path.unlink()
        return f"{path}: removed the file of a WARC writer that died ({size} bytes unreported)"
    final = _cut_and_close(path, end, size)
    return f"{final}: closed the file of a WARC writer that died (cut {size - end} bytes)"


def _cut_and_close(path: Path, end: int, size: int) -> Path:
    """Cut the open file ``path`` of ``size`` bytes after ``end`` (on disk before it is
    renamed) and drop its ``.open`` suffix; its final path."""
    if end < size:
        with open(path, "r+b") as stream:
            stream.truncate(end)
            os.fsync(stream.fileno())
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    os.replace(path, final)
    return final


def complete_length(path: Path) -> int:
    """Bytes from the start of ``path`` that hold whole records (one gzip member each)."""
    end = 0
    for member_end, record in _members(path):
        if not _is_complete_record(record):
            break
        end = member_end
    return end


def drop_partial_line(path: Path) -> int:
    """Remove a last line that has no newline; return how many bytes were removed."""
    size = path.stat().st_size
    if size == 0:
        return 0
    with open(path, "r+b") as stream:
        position = size
        while position > 0:
            step = min(_CHUNK, position)
            stream.seek(position - step)
            block = stream.read(step)
            newline = block.rfind(b"\n")
            if newline != -1:
                keep = position - step + newline + 1
                break
            position -= step
        else:
            keep = 0
        if keep < size:
            stream.truncate(keep)
            os.fsync(stream.fileno())
    return size - keep


def _members(path: Path) -> Iterator[tuple[int, bytes]]:
    """Each complete gzip member: where it ends in the file, and its decompressed bytes.

    Stops at the first member that is cut short or is not gzip at all.
    """
    with open(path, "rb") as stream:
        start = 0
        pending = b""
        while True:
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            parts: list[bytes] = []
            data, pending = pending, b""
            consumed = 0
            while not decompressor.eof:
                if not data:
                    data = stream.read(_CHUNK)
                    if not data:
                        return  # the file ends inside this member (or at its very start)
                try:
                    parts.append(decompressor.decompress(data))
                except zlib.error:
                    return
                consumed += len(data) - len(decompressor.unused_data)
                pending = decompressor.unused_data
                data = b""
            start += consumed
            yield start, b"".join(parts)


def _is_complete_record(record: bytes) -> bool:
    """A WARC record whose block is as long as its Content-Length says, then CRLF CRLF."""
    head, separator, rest = record.partition(b"\r\n\r\n")
    if not separator or not head.startswith(b"WARC/"):
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return False
            return len(rest) == length + 4 and rest.endswith(b"\r\n\r\n")
    return False
