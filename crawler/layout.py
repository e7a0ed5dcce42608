"""The files of an archives root and its run folders (README "Output layout")."""

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: A run folder is named ``<UTC start as RUN_STAMP>-<RUN_NAME or spider>[-n]``.
RUN_STAMP = "%Y%m%dT%H%M%SZ"
RUN_FOLDER_NAME = re.compile(r"\d{8}T\d{6}Z-.+")
#: The run's items, one JSON object per line.
ITEMS_FILE = "items.jsonl"
#: What the run was and how it ended.
RUN_FILE = "run.json"
#: A worker's own items and summary in the folder of a distributed run.
WORKER_ITEMS_FILE = "items-{worker}.jsonl"
WORKER_RUN_FILE = "run-{worker}.json"
#: Held by the crawl writing into an archives root (``crawler.run.lock_root``).
LOCK_FILE = ".lock"


def write_atomic(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all: a killed writer leaves the old file or none."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, "utf-8")
    os.replace(partial, path)


def write_run_file(folder: Path, summary: dict[str, Any], *, name: str = RUN_FILE) -> None:
    """Write ``run.json`` (or a worker's ``name``) whole or not at all."""
    write_atomic(folder / name, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")


def items_file(worker: str | None) -> str:
    """The items file of a crawl: ``items.jsonl``, or a distributed run worker's own."""
    return ITEMS_FILE if worker is None else WORKER_ITEMS_FILE.format(worker=worker)


def worker_run_file(worker: str) -> str:
    return WORKER_RUN_FILE.format(worker=worker)


def items_files(folder: Path) -> list[Path]:
    """Every items file of a run folder: ``items.jsonl`` and each worker's, by name."""
    return sorted(
        path
        for path in (folder / ITEMS_FILE, *folder.glob(WORKER_ITEMS_FILE.format(worker="*")))
        if path.is_file()
    )


def run_items(folder: Path) -> Iterator[dict[str, Any]]:
    """Each readable item of every items file of a run folder."""
    for path in items_files(folder):
        yield from written_items(path)


def written_items(path: Path) -> Iterator[dict[str, Any]]:
    """Each readable item of an items file (none if there is no file): a line cut short
    by a kill, or any other line that is not a JSON object, is passed over."""
    try:
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                if isinstance(item, dict):
                    yield item
    except FileNotFoundError:
        return


def item_urls(path: Path) -> set[str]:
    """The page URL of every readable item of an items file."""
    return {item["url"] for item in written_items(path) if isinstance(item.get("url"), str)}
