"""The files of an archives root and its run folders (README "Output layout")."""

import json
import os
from pathlib import Path
from typing import Any

#: The run's items, one JSON object per line.
ITEMS_FILE = "items.jsonl"
#: What the run was and how it ended.
RUN_FILE = "run.json"
#: Held by the crawl writing into an archives root (``crawler.run.lock_root``).
LOCK_FILE = ".lock"


def write_run_file(folder: Path, summary: dict[str, Any]) -> None:
    """Write ``run.json`` whole or not at all."""
    partial = folder / (RUN_FILE + ".tmp")
    partial.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(partial, folder / RUN_FILE)
