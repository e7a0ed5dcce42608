"""``scrapy replay`` of a live crawl's run folder gives the crawl's own items, offline.

The run is the shared crawl of the sample site (``sample_run``): Asia/Tokyo, so calendar
words need the zone the crawl recorded in its warcinfo; several WARC files and a WACZ.
Every replay runs in a child process that would die on any network use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest

from crawler.demo.crawl import crawl_sample_site
from crawler.pipelines.jsonl import dumps
from tests.replaytools import NETGUARD, fault_lines, lines, replay, sample_run, unnarrowed


@pytest.fixture(scope="module")
def run():
    return sample_run()


def test_replayed_run_folder_equals_the_live_items(run, tmp_path):
    assert len(list(run.glob("*.warc.gz"))) > 1 and list(run.glob("*.wacz"))
    result = replay(run, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert fault_lines(result.stderr) == []
    live = lines(run / "items.jsonl")
    replayed = lines(tmp_path / "replay.jsonl")  # the default output, in the current folder
    # Field for field, warc pointers included; the WACZ beside the WARC files is not read again.
    assert sorted(replayed) == sorted(live)
    summary = result.stderr.splitlines()[-1]
    assert f"{len(live)} items written" in summary and ", 0 faults" in summary


def test_output_order_does_not_depend_on_the_processes(run, tmp_path):
    one = replay(run, "-j", "1", "-o", "one.jsonl", cwd=tmp_path)
    two = replay(run, "-j", "2", "-o", "two.jsonl", cwd=tmp_path)
    assert one.returncode == two.returncode == 0
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_standard_output(run, tmp_path):
    result = replay(run, "-o", "-", cwd=tmp_path)
    assert result.returncode == 0
    assert sorted(result.stdout.splitlines()) == sorted(lines(run / "items.jsonl"))
    assert not (tmp_path / "replay.jsonl").exists()


@pytest.mark.parametrize("compression", [None, zipfile.ZIP_DEFLATED])
def test_wacz_alone_replays_like_the_run(run, tmp_path, compression):
    """A WACZ stores its WARC files uncompressed and is read in place; a deflated one
    (not what WACZ asks for, but a valid ZIP) is unpacked first."""
    (wacz,) = run.glob("*.wacz")
    live = lines(run / "items.jsonl")
    if compression is not None:
        repacked = tmp_path / wacz.name
        with zipfile.ZipFile(wacz) as source, zipfile.ZipFile(repacked, "w") as target:
            for info in source.infolist():
                target.writestr(info.filename, source.read(info), compress_type=compression)
        wacz = repacked
        # Copied away from its archives root, the WACZ has no state store to narrow with:
        # the crawl's items without their narrowed windows.
        live = [dumps(unnarrowed(json.loads(line))) for line in live]
    # In its run folder, it finds the root's state store (the folder's parent): the very items.
    result = replay(wacz, "-o", "wacz.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(lines(tmp_path / "wacz.jsonl")) == sorted(live)


def test_site_timezone_on_the_command_line_wins_over_the_warcinfo(run, tmp_path):
    result = replay(run, "-s", "SITE_TIMEZONE=UTC", "-o", "utc.jsonl", cwd=tmp_path)
    assert result.returncode == 0
    live = {item["url"]: item for item in map(json.loads, lines(run / "items.jsonl"))}
    days = 0
    for item in map(json.loads, lines(tmp_path / "utc.jsonl")):
        for card in item.get("cards") or item.get("related"):
            published = card["published"]
            if published["precision"] == "day":
                # Calendar days now end at UTC midnight, not at Tokyo's (15:00 UTC).
                assert published["latest"].endswith("T00:00:00.000000+00:00"), published
                days += 1
        assert item["title"] == live[item["url"]]["title"]
    assert days > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give at least one PATH"),
        (["no-such-run"], "no such file or folder: no-such-run"),
        (["--bogus", "."], "unrecognized arguments: --bogus"),
        (["-s", "SITE_TIMEZONE=Mars/Olympus", "."], "unknown IANA time zone"),
    ],
)
def test_bad_usage_exits_with_status_2(tmp_path, args, message):
    result = replay(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "replay.jsonl").exists()


def test_the_network_guard_is_armed(tmp_path):
    """The guard the replays run under does stop a connection attempt."""
    env = dict(os.environ, PYTHONPATH=str(NETGUARD))
    code = "import socket; socket.create_connection(('127.0.0.1', 9), timeout=1)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert result.returncode == 99


def test_the_crawls_extraction_limit_holds_in_its_replay(tmp_path):
    """A crawl records EXTRACTION_MAX_SIZE in its warcinfo: the replay leaves the pages it
    left unread unread, unless the command line says otherwise."""
    run, _ = crawl_sample_site(tmp_path / "archives", settings={"EXTRACTION_MAX_SIZE": "9000"})
    stats = json.loads((run / "run.json").read_text())["stats"]
    live = lines(run / "items.jsonl")
    assert stats["pages/too_large"] > 0 and live
    result = replay(run, "-o", "same.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(lines(tmp_path / "same.jsonl")) == sorted(live)
    result = replay(run, "-s", "EXTRACTION_MAX_SIZE=0", "-o", "all.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(lines(tmp_path / "all.jsonl")) > len(live)
