"""Per-run indexes, built from the run's own files once its WARC files are closed.

- ``index.cdxj``: a sorted CDXJ index of every WARC file in the run (cdxj-indexer), what
  replay tools look records up by.
- ``pages.jsonl``: the WACZ pages list, one entry per article and listing page with its
  title, written from the run's items files (``items.jsonl``, or each worker's).
- ``<run id>.wacz``: on demand, a WACZ package (py-wacz) of the WARC files and pages.

Built from files rather than from memory, so the same functions index a run folder when
its crawl ends (``crawler.archive.run_indexes``) and after a crash (``crawler.recovery``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

from cdxj_indexer.main import write_cdx_index

from crawler.layout import run_items

CDXJ_FILE = "index.cdxj"
PAGES_FILE = "pages.jsonl"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}


def warc_files(folder: Path) -> list[Path]:
    """The run's finished WARC files, in name (and so creation) order."""
    return sorted(folder.glob("*.warc.gz"))


def write_cdxj(folder: Path) -> Path:
    """Index every finished WARC file of the run into one sorted CDXJ file."""
    target = folder / CDXJ_FILE
    partial = target.with_name(target.name + ".tmp")
    inputs = [str(path) for path in warc_files(folder)]
    write_cdx_index(str(partial), inputs, {"sort": True, "dir_root": str(folder)})
    os.replace(partial, target)
    return target


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
