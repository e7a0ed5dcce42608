"""Per-run indexes: CDXJ over every WARC record, WACZ pages.jsonl, and a valid WACZ."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.indexes import write_cdxj, write_pages
from crawler.demo.crawl import crawl_sample_site


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    archives = tmp_path_factory.mktemp("archives")
    folder, _ = crawl_sample_site(archives, settings={"WACZ_ENABLED": "True"})
    return folder


def items(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "items.jsonl").read_text("utf-8").splitlines()]


def test_cdxj_is_sorted_and_indexes_every_capture(folder):
    lines = (folder / "index.cdxj").read_text("utf-8").splitlines()
    assert lines == sorted(lines)
    entries = [json.loads(line.split(" ", 2)[2]) for line in lines]
    captures = set()
    for path in folder.glob("*.warc.gz"):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit"):
                    captures.add((path.name, record.rec_headers["WARC-Target-URI"]))
    indexed = {(entry["filename"], entry["url"]) for entry in entries}
    assert captures <= indexed
    for item in items(folder):
        offset = str(item["warc"]["offset"])
        entry = next(e for e in entries if e["url"] == item["url"] and e["offset"] == offset)
        assert entry["filename"] == item["warc"]["filename"]
        assert entry["length"] == str(item["warc"]["length"])


def test_pages_list_every_item_page_with_its_title(folder):
    lines = [json.loads(line) for line in (folder / "pages.jsonl").read_text("utf-8").splitlines()]
    assert lines[0] == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    pages = {page["url"]: page for page in lines[1:]}
    for item in items(folder):
        page = pages[item["url"]]
        assert page["title"] == item["title"]
        assert page["ts"] == item["fetched_at"].replace("+00:00", "Z")


def test_wacz_validates(folder):
    (wacz,) = folder.glob("*.wacz")
    validate = Path(sys.executable).with_name("wacz")
    result = subprocess.run(
        [str(validate), "validate", "-f", str(wacz)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(wacz) as package:
        names = set(package.namelist())
    assert "pages/pages.jsonl" in names and "datapackage.json" in names
    assert {f"archive/{path.name}" for path in folder.glob("*.warc.gz")} <= names


def test_indexes_can_be_rebuilt_from_the_run_folder(folder):
    before = {name: (folder / name).read_bytes() for name in ("index.cdxj", "pages.jsonl")}
    write_cdxj(folder)
    write_pages(folder)
    assert {name: (folder / name).read_bytes() for name in before} == before
