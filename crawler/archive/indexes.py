"""Per-run indexes, built from the run's own files once its WARC files are closed.

- ``index.cdxj``: a sorted CDXJ index of every WARC file in the run (cdxj-indexer), what
  replay tools and ``scrapy replay`` look records up by.
- ``pages.jsonl``: the WACZ pages list, one entry per article and listing page with its
  title, written from ``items.jsonl``.
- ``<run id>.wacz``: on demand, a WACZ package (py-wacz) of the WARC files and pages.

Built from files rather than from memory, so the same functions can index a run folder
long after its crawl (or after a crash).

Settings: ``WARC_CDXJ_ENABLED``, ``WARC_PAGES_ENABLED``, ``WACZ_ENABLED``.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from cdxj_indexer.main import write_cdx_index
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.layout import ITEMS_FILE
from crawler.run import run_folder

logger = logging.getLogger(__name__)

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
    """The WACZ ``pages.jsonl``: one line per article and listing page of ``items.jsonl``."""
    target = folder / PAGES_FILE
    partial = target.with_name(target.name + ".tmp")
    with open(folder / ITEMS_FILE, encoding="utf-8") as items, open(
        partial, "w", encoding="utf-8"
    ) as pages:
        pages.write(json.dumps(PAGES_HEADER) + "\n")
        for line in items:
            item = json.loads(line)
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


class RunIndexes:
    """Builds the enabled indexes when the engine stops (after the WARC files close)."""

    def __init__(self, crawler: Crawler, builders: list[Callable[[Path], Path]]) -> None:
        self.crawler = crawler
        self.builders = builders

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunIndexes:
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        enabled = [
            (settings.getbool("WARC_CDXJ_ENABLED"), write_cdxj),
            (settings.getbool("WARC_PAGES_ENABLED"), write_pages),
            (settings.getbool("WACZ_ENABLED"), write_wacz),
        ]
        builders = [builder for on, builder in enabled if on]
        if not builders:
            raise NotConfigured("no run index enabled")
        indexes = cls(crawler, builders)
        crawler.signals.connect(indexes.engine_stopped, signal=signals.engine_stopped)
        return indexes

    def engine_stopped(self) -> None:
        # Looked up now: extensions cannot ask for each other while they are being built.
        folder = run_folder(self.crawler).path
        for builder in self.builders:
            try:
                path = builder(folder)
            except Exception:
                # An index can be rebuilt from the run's files; the archive itself is safe.
                logger.exception("Could not build %s for %s", builder.__name__, folder)
            else:
                logger.info("Wrote %s", path)
