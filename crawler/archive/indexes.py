"""Per-run indexes, built from the run's own files once its WARC files are closed.

- ``index.cdxj``: a sorted CDXJ index of every WARC file in the run, what replay tools look
  records up by: the lines cdxj-indexer writes, sorted and deduplicated as it does them.
- ``pages.jsonl``: the WACZ pages list, one entry per article and listing page with its
  title, written from the run's items files (``items.jsonl``, or each worker's).
- ``<run id>.wacz``: on demand, a WACZ package (py-wacz) of the WARC files and pages.

Built from files rather than from memory, so the same functions index a run folder when
its crawl ends (``crawler.archive.run_indexes``) and after a crash (``crawler.recovery``).
Reading every WARC file again is what costs, so the writer keeps each file's index lines
beside it as it writes (``<file>.warc.gz.cdxj-lines``, unsorted, ``.part`` until the file
is closed): at the end of a crawl ``write_cdxj_from_sidecars`` sorts those and reads only
the files without a finished sidecar (a killed writer's). ``write_cdxj``, the repair path,
reads every file. Either way the sidecars are removed once ``index.cdxj`` is written.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from functools import lru_cache
from json.encoder import encode_basestring_ascii as _json
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer, SortingWriter, write_cdx_index
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_timestamp

from crawler.archive.records import RawHeaders
from crawler.layout import run_items

CDXJ_FILE = "index.cdxj"
PAGES_FILE = "pages.jsonl"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}

#: A WARC file's index lines, kept beside it by its writer: ``<file>.warc.gz.cdxj-lines``.
LINES_SUFFIX = ".cdxj-lines"
#: Added to the sidecar's name until its WARC file is closed: only then is it complete.
PART_SUFFIX = ".part"

#: cdxj-indexer's own URL key (SURT, the URL itself if it cannot be parsed), kept for the
#: last URLs: an exchange's records (request, response, metadata) share one, and the SURT
#: of a URL costs more than the rest of its line.
_url_key = lru_cache(maxsize=64)(CDXJIndexer(None, []).get_url_key)
#: A WARC-Date as the writer writes it: its 14-digit timestamp is its digits to seconds.
_WARC_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?Z")


class InexactRecord(ValueError):
    """A record whose index line, read back from its file, might not be the one built from
    memory (a header that warcio would parse differently): its file must be read."""


def warc_files(folder: Path) -> list[Path]:
    """The run's finished WARC files, in name (and so creation) order."""
    return sorted(folder.glob("*.warc.gz"))


def sidecar(warc: Path) -> Path:
    """Where the index lines of the finished WARC file ``warc`` are kept."""
    return warc.with_name(warc.name + LINES_SUFFIX)


def write_cdxj(folder: Path) -> Path:
    """Index every finished WARC file of the run, reading each (the repair path)."""
    return _write_cdxj(folder, warc_files(folder), [])


def write_cdxj_from_sidecars(folder: Path) -> Path:
    """Index the run from the lines its writers kept, reading only the WARC files without
    a finished sidecar (their writer was killed, or gave the sidecar up)."""
    reread, kept = [], []
    for warc in warc_files(folder):
        lines = sidecar(warc)
        if lines.is_file():
            kept.append(lines)
        else:
            reread.append(warc)
    return _write_cdxj(folder, reread, kept)


def _write_cdxj(folder: Path, reread: list[Path], kept: list[Path]) -> Path:
    """One sorted CDXJ file of the lines cdxj-indexer reads from ``reread`` and of the
    sidecars ``kept``, sorted by cdxj-indexer's own sorter (32 MB in memory at most)."""
    target = folder / CDXJ_FILE
    partial = target.with_name(target.name + ".tmp")
    with open(partial, "w", encoding="utf-8", newline="\n") as out:
        lines = SortingWriter(out)
        if reread:
            write_cdx_index(lines, [str(path) for path in reread], {"dir_root": str(folder)})
        for path in kept:
            with open(path, encoding="utf-8", newline="\n") as stream:
                for line in stream:
                    lines.write(line)
        lines.flush()
    os.replace(partial, target)
    # Only called once every writer of the run is done: a ``.part`` left is a dead one's.
    for suffix in (LINES_SUFFIX, LINES_SUFFIX + PART_SUFFIX):
        for path in folder.glob("*.warc.gz" + suffix):
            path.unlink(missing_ok=True)
    return target


def cdxj_line(record: ArcWarcRecord, filename: str, offset: int, length: int) -> str | None:
    """The line cdxj-indexer writes for ``record``, written at ``offset`` (``length`` bytes)
    of ``filename``; None for a record it does not index.

    Its fields are taken as warcio parses them back from the file (values stripped, the
    target URI mended), so the line is the one reading the file gives; InexactRecord when
    that cannot be told from memory.
    """
    rec_type = record.rec_type
    if rec_type not in CDXJIndexer.DEFAULT_RECORDS:
        return None
    headers: dict[str, str] = {}
    for name, value in record.rec_headers.headers:
        if "\n" in value:
            raise InexactRecord("a WARC header value spans lines")
        headers.setdefault(name.lower(), value.strip())
    content_type = headers.get("content-type")
    if rec_type in ("resource", "metadata") and content_type == "application/warc-fields":
        return None
    url = headers.get("warc-target-uri")
    date = headers.get("warc-date")
    digest = headers.get("warc-payload-digest")
    if url is None or date is None or digest is None:
        raise InexactRecord("no target URI, date or payload digest")
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    url = url.replace(" ", "%20")
    mime, status = content_type, None
    if rec_type in ("response", "revisit"):
        mime = "warc/revisit" if rec_type == "revisit" else None
        # warcio parses the HTTP headers of these records only, with an http(s) URI.
        http = record.http_headers if url.startswith(ArcWarcRecordLoader.HTTP_SCHEMES) else None
        if url.startswith(ArcWarcRecordLoader.HTTP_SCHEMES) and not http and record.length:
            raise InexactRecord("a payload whose HTTP headers warcio would parse")
        if http:
            status, http_type = _read_back(http)
            mime = mime or http_type
    if mime:
        mime = CDXJIndexer.RE_SPACE.split(mime, 1)[0].strip()
    fields = (
        ("url", url),
        ("mime", mime),
        ("status", status),
        ("digest", digest),
        ("length", str(length)),
        ("offset", str(offset)),
        ("filename", filename),
    )
    # json.dumps of these fields, without building an encoder for each line.
    found = ", ".join([f'"{name}": {_json(value)}' for name, value in fields if value is not None])
    return f"{_url_key(url)} {_timestamp(date)} {{{found}}}\n"


def _timestamp(date: str) -> str:
    """``iso_date_to_timestamp``, sliced out of a date of the usual form."""
    match = _WARC_DATE.fullmatch(date)
    return "".join(match.groups()) if match else iso_date_to_timestamp(date)


def _read_back(http: StatusAndHeaders) -> tuple[str, str | None]:
    """The status code and Content-Type warcio's parser reads from the HTTP headers as
    written (``headers_buff``): one line each, decoded as UTF-8, else as latin-1."""
    written = http.headers_buff or b""
    line = f"{http.protocol} {http.statusline}"
    if (
        not (http.protocol and http.statusline and line.isascii())
        or written.count(b"\n") != len(http.headers) + 2
        or b"\n " in written
        or b"\n\t" in written
    ):
        raise InexactRecord("HTTP headers warcio would read as other lines")
    parts = line.rstrip().split(" ", 1)
    status = parts[1].strip() if len(parts) > 1 else ""
    if not status:
        raise InexactRecord("no status")
    content_type = None
    for name, value in http.headers:
        if ":" in name:
            raise InexactRecord("a header name with a colon")
        if content_type is None and name.rstrip(" \t").lower() == "content-type":
            content_type = value
    if content_type is not None and not content_type.isascii():
        if not isinstance(http, RawHeaders):
            raise InexactRecord("a non-ASCII Content-Type of unknown encoding")
        with contextlib.suppress(UnicodeDecodeError):
            content_type = content_type.encode("latin-1").decode("utf-8")
    return status.split(" ", 1)[0], None if content_type is None else content_type.strip()


def write_pages(folder: Path) -> Path:
    """The WACZ ``pages.jsonl``: one line per article and listing page of the run's items."""
    target = folder / PAGES_FILE
    partial = target.with_name(target.name + ".tmp")
    with open(partial, "w", encoding="utf-8") as pages:
        pages.write(json.dumps(PAGES_HEADER) + "\n")
        for item in run_items(folder):
            if item.get("warc") is None:
                continue
            page = {
                "id": item["warc"]["record_id"].strip("<>").removeprefix("urn:uuid:"),
                "url": item["url"],
                "ts": item["fetched_at"].replace("+00:00", "Z"),
                "title": item.get("title") or item["url"],
            }
            pages.write(json.dumps(page, ensure_ascii=False) + "\n")
    os.replace(partial, target)
    return target


def write_wacz(folder: Path) -> Path:
    """Package the run as ``<run id>.wacz`` with its pages list (needs the ``wacz`` extra)."""
    from wacz.main import main as wacz_main

    target = folder / f"{folder.name}.wacz"
    pages = folder / PAGES_FILE
    if not pages.exists():
        write_pages(folder)
    args = ["create", "-o", str(target), "-p", str(pages), "--title", folder.name]
    args += [str(path) for path in warc_files(folder)]
    with contextlib.redirect_stdout(io.StringIO()):
        status = wacz_main(args)
    if status not in (0, None):
        raise RuntimeError(f"wacz create exited with status {status}")
    return target
