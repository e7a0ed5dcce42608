"""Broken input: each fault is one ``FILE:OFFSET: reason`` line, and the rest still replays.

Every broken file is made here from a real WARC file of the shared sample-site crawl. For
each one: the exact fault lines on standard error (nothing else but the summary), exit
status 1, no traceback, and the items of the intact records, as the live crawl wrote them
but for ``narrowed``: the broken copies lie away from the archives root, with no state
store to narrow with.
"""

from __future__ import annotations

import gzip
import json
import re
import zipfile
import zlib
from pathlib import Path

import pytest

from crawler.pipelines.jsonl import dumps
from tests.replaytools import fault_lines, lines, replay, sample_run, unnarrowed


def key(item: dict) -> tuple[str, str]:
    return item["url"], item["fetched_at"]


def stored_as(name: str, items: list[dict]) -> list[dict]:
    """The items as they read from a copy of their WARC file called ``name``."""
    return [dict(item, warc=dict(item["warc"], filename=name)) for item in items]


class Intact:
    """The first WARC file of the shared run, its gzip members, and the items it holds (as
    a replay of a copy with no state store gives them)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = sorted(folder.glob("*.warc.gz"))[0]
        self.data = self.path.read_bytes()
        self.items = [
            unnarrowed(item)
            for item in map(json.loads, lines(folder / "items.jsonl"))
            if item["warc"]["filename"] == self.path.name
        ]
        articles = [item["warc"] for item in self.items if item["type"] == "article"]
        # A record in the middle of the file, with intact records before and after it.
        self.victim = articles[len(articles) // 2]
        self.offset, self.length = self.victim["offset"], self.victim["length"]

    def record(self) -> bytes:
        return zlib.decompress(self.data[self.offset : self.offset + self.length], 31)

    def with_record(self, record: bytes) -> bytes:
        """The file with the victim's gzip member replaced by one holding ``record``."""
        member = gzip.compress(record, mtime=0)
        return self.data[: self.offset] + member + self.data[self.offset + self.length :]

    def keys(self, *, before: int | None = None) -> set[tuple[str, str]]:
        """The items of every record but the victim (or of those before ``before`` only)."""
        return {
            key(item)
            for item in self.items
            if item["warc"]["offset"] != self.offset
            and (before is None or item["warc"]["offset"] < before)
        }


@pytest.fixture(scope="module")
def intact() -> Intact:
    return Intact(sample_run())


def replay_broken(tmp_path: Path, name: str, data: bytes) -> tuple[list[str], list[dict], int]:
    """Replay one file made of ``data``: its fault lines, its items, its exit status."""
    (tmp_path / name).write_bytes(data)
    result = replay(name, "-o", "out.jsonl", cwd=tmp_path)
    items = [json.loads(line) for line in lines(tmp_path / "out.jsonl")]
    faults = fault_lines(result.stderr)
    assert result.stderr.splitlines()[-1].endswith(f", {len(faults)} faults")
    return faults, items, result.returncode


def assert_one_fault(faults: list[str], prefix: str, reason: str) -> None:
    assert len(faults) == 1, faults
    assert faults[0].startswith(prefix), faults
    assert re.search(reason, faults[0][len(prefix) :]), faults


def test_truncated_file(intact, tmp_path):
    cut = intact.offset + intact.length // 2
    faults, items, status = replay_broken(tmp_path, "cut.warc.gz", intact.data[:cut])
    assert status == 1
    assert_one_fault(faults, f"cut.warc.gz:{intact.offset}: ", "gzip member cut short")
    # Everything before the cut comes out exactly as the crawl wrote it, pointers included.
    before = [item for item in intact.items if item["warc"]["offset"] < intact.offset]
    assert items == stored_as("cut.warc.gz", before)


def test_corrupt_bytes_inside_a_gzip_member(intact, tmp_path):
    data = bytearray(intact.data)
    middle = intact.offset + intact.length // 2
    data[middle : middle + 16] = bytes(byte ^ 0xFF for byte in data[middle : middle + 16])
    faults, items, status = replay_broken(tmp_path, "corrupt.warc.gz", bytes(data))
    assert status == 1
    # Replay resyncs at the very next member: nothing else is lost.
    prefix = f"corrupt.warc.gz:{intact.offset}: "
    assert_one_fault(faults, prefix, rf"bad gzip data .*; skipped {intact.length} bytes")
    assert {key(item) for item in items} == intact.keys()
    after = [item for item in intact.items if item["warc"]["offset"] > intact.offset]
    assert [item for item in items if item["warc"]["offset"] > intact.offset] == stored_as(
        "corrupt.warc.gz", after
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [(+25, "record cut short: .* bytes its Content-Length announces"),
     (-25, "record does not end where its Content-Length says")],
    ids=["too-long", "too-short"],
)  # fmt: skip
def test_wrong_warc_content_length(intact, tmp_path, change, reason):
    record = intact.record()
    declared = int(re.search(rb"\r\nContent-Length: (\d+)\r\n", record)[1])
    wrong = record.replace(
        b"\r\nContent-Length: %d\r\n" % declared,
        b"\r\nContent-Length: %d\r\n" % (declared + change),
        1,
    )
    faults, items, status = replay_broken(tmp_path, "length.warc.gz", intact.with_record(wrong))
    assert status == 1
    assert_one_fault(faults, f"length.warc.gz:{intact.offset}: ", reason)
    assert {key(item) for item in items} == intact.keys()


def test_digest_mismatch(intact, tmp_path):
    record = intact.record()
    assert b"Server: Daily8Sample" in record
    changed = record.replace(b"Server: Daily8Sample", b"Server: Daily9Sample", 1)
    faults, items, status = replay_broken(tmp_path, "digest.warc.gz", intact.with_record(changed))
    assert status == 1
    prefix = f"digest.warc.gz:{intact.offset}: "
    assert_one_fault(faults, prefix, "WARC-Block-Digest .* does not match the record's block")
    assert {key(item) for item in items} == intact.keys()


def test_plain_warc_resyncs_after_a_wrong_content_length(intact, tmp_path):
    plain = gzip.decompress(intact.data)  # every member, one after the other
    victim = intact.record()
    at = plain.index(victim)
    declared = int(re.search(rb"\r\nContent-Length: (\d+)\r\n", victim)[1])
    broken = plain.replace(
        victim, victim.replace(b"Content-Length: %d" % declared, b"Content-Length: 99", 1)
    )
    faults, items, status = replay_broken(tmp_path, "plain.warc", broken)
    assert status == 1
    assert_one_fault(
        faults,
        f"plain.warc:{at}: ",
        r"does not end where its Content-Length says; skipped \d+ bytes",
    )
    assert {key(item) for item in items} == intact.keys()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.warc.gz", b"", "empty file"),
        ("page.warc", b"<!doctype html><p>not an archive</p>\n", "not a WARC or ARC file"),
        ("notes.txt.gz", gzip.compress(b"just some notes\n"), r"not a WARC or ARC file \(gzip"),
        ("image.warc.gz", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not a WARC or ARC file"),
    ],
    ids=["empty", "html", "gzip-text", "png"],
)
def test_files_that_hold_no_records(tmp_path, name, data, reason):
    faults, items, status = replay_broken(tmp_path, name, data)
    assert status == 1
    assert_one_fault(faults, f"{name}:0: ", reason)
    assert items == []


def test_wacz_with_a_missing_member(intact, tmp_path):
    (wacz,) = intact.folder.glob("*.wacz")
    missing = f"archive/{intact.path.name}"
    broken = tmp_path / "broken.wacz"
    with zipfile.ZipFile(wacz) as source, zipfile.ZipFile(broken, "w") as target:
        assert missing in source.namelist() and len(source.namelist()) > 3
        for info in source.infolist():
            if info.filename != missing:
                target.writestr(info, source.read(info))
    result = replay("broken.wacz", "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    assert fault_lines(result.stderr) == [
        f"broken.wacz/{missing}:0: missing from the WACZ, though datapackage.json lists it"
    ]
    # The other WARC files of the package replay as the crawl wrote them (no state store
    # beside the copy: no narrowed windows).
    others = [
        dumps(unnarrowed(item))
        for item in map(json.loads, lines(intact.folder / "items.jsonl"))
        if item["warc"]["filename"] != intact.path.name
    ]
    assert others and sorted(lines(tmp_path / "out.jsonl")) == sorted(others)


def test_a_broken_file_does_not_stop_the_next_one(intact, tmp_path):
    (tmp_path / "empty.warc").write_bytes(b"")
    (tmp_path / "cut.warc.gz").write_bytes(intact.data[: intact.offset + 10])
    (tmp_path / "whole.warc.gz").write_bytes(intact.data)
    result = replay("empty.warc", "cut.warc.gz", "whole.warc.gz", "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    assert [line.split(": ", 1)[0] for line in fault_lines(result.stderr)] == [
        "empty.warc:0",
        f"cut.warc.gz:{intact.offset}",
    ]
    items = [json.loads(line) for line in lines(tmp_path / "out.jsonl")]
    whole = [item for item in items if item["warc"]["filename"] == "whole.warc.gz"]
    assert [key(item) for item in whole] == [key(item) for item in intact.items]
