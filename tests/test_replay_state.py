"""``scrapy replay`` with the archives root's state store: revisits across runs, narrowing.

Two crawls of the sample site into one archives root (``two_runs``): the second refetches
every article, and each page the site serves unchanged is written as a revisit record
referring to the first run's record (the crawl's payload index is the state store). The
second run's items carry windows narrowed with the first run's observations. Replay finds
the store beside the run folder, reads each original from the first run's file, narrows
as the crawl did, and gives the run's ``items.jsonl`` line for line; without the store,
each revisit of another run's record is one fault.
"""

from __future__ import annotations

import json
import shutil

import pytest

from crawler.pipelines.jsonl import dumps
from crawler.state.store import item_sightings
from tests.replaytools import fault_lines, lines, replay, sample_run, two_runs, unnarrowed
from tests.warctools import run_records

NO_STORE = "no state store to look for it in other runs (see --state)"


@pytest.fixture(scope="module")
def runs():
    return two_runs()


def record_id(record) -> str:
    return record.rec_headers.get_header("WARC-Record-ID")


def refers_to(record) -> str:
    return record.rec_headers.get_header("WARC-Refers-To")


def cross_run_revisits(runs) -> list:
    """The second run's revisit records whose original is in the first run's files."""
    first = {record_id(record) for record in run_records(runs.first)}
    return [
        record
        for record in run_records(runs.second)
        if record.rec_type == "revisit" and refers_to(record) in first
    ]


def items(path) -> list[dict]:
    return [json.loads(line) for line in lines(path)]


def stored_at(item: dict, places: set[tuple[str, int]]) -> bool:
    """Whether the item's record is one of ``places`` (file name, offset)."""
    return (item["warc"]["filename"], item["warc"]["offset"]) in places


def test_the_second_run_revisits_the_first_runs_records_and_narrows_with_them(runs):
    revisits = cross_run_revisits(runs)
    places = {(record.path.name, record.offset) for record in revisits}
    second = items(runs.second / "items.jsonl")
    # Pages with items among them: replaying the run needs the first run's files.
    revisited = [item for item in second if stored_at(item, places)]
    assert revisited and {item["type"] for item in revisited} == {"article", "listing"}
    # An article page weighs the first run's observations of it with its own.
    article = next(item for item in revisited if item["type"] == "article")
    own = [s for s in item_sightings(article) if s.article_url == article["url"] and s.window]
    assert article["narrowed"]["observations"] > len(own)


def test_replay_resolves_them_from_the_store_beside_the_run(runs, tmp_path):
    result = replay(runs.second, "-j", "2", "-o", "two.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert fault_lines(result.stderr) == []
    assert result.stderr.splitlines()[-1].endswith(", 0 faults")
    # Every line byte for byte, narrowed windows and warc pointers (at the revisits) included.
    assert sorted(lines(tmp_path / "two.jsonl")) == sorted(lines(runs.second / "items.jsonl"))
    # Each worker process opens the store itself: one process gives the same bytes.
    one = replay(runs.second, "-j", "1", "-o", "one.jsonl", cwd=tmp_path)
    assert one.returncode == 0
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_without_the_store_each_revisit_of_another_run_is_a_fault(runs, tmp_path):
    result = replay(runs.second, "--no-state", "-o", "alone.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    revisits = cross_run_revisits(runs)
    # Reported once each, after the last file, in record order; the reason says what to do.
    assert fault_lines(result.stderr) == [
        f"{record.path}:{record.offset}: revisit of {refers_to(record)},"
        f" a record that is in none of the inputs; {NO_STORE}"
        for record in revisits
    ]
    assert result.stderr.splitlines()[-1].endswith(f", {len(revisits)} faults")
    # Only the pages stored in full in this run come out, and without narrowed windows.
    places = {(record.path.name, record.offset) for record in revisits}
    stored = [
        dumps(unnarrowed(item))
        for item in items(runs.second / "items.jsonl")
        if not stored_at(item, places)
    ]
    assert sorted(lines(tmp_path / "alone.jsonl")) == sorted(stored)


def test_a_copy_of_the_run_names_its_store(runs, tmp_path):
    (warc,) = runs.second.glob("*.warc.gz")
    copy = shutil.copy(warc, tmp_path)
    result = replay(copy, "--state", runs.root / "state.sqlite", "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 0 and fault_lines(result.stderr) == [], result.stderr
    assert sorted(lines(tmp_path / "out.jsonl")) == sorted(lines(runs.second / "items.jsonl"))


def test_the_whole_root_replays_every_run(runs, tmp_path):
    """Given the archives root, replay finds the store in it and reads both runs."""
    result = replay(runs.root, "-o", "all.jsonl", cwd=tmp_path)
    assert result.returncode == 0 and fault_lines(result.stderr) == [], result.stderr
    live = lines(runs.first / "items.jsonl") + lines(runs.second / "items.jsonl")
    # Pointers name each file relative to the folder given: the run folder, then the file.
    replayed = [json.loads(line) for line in lines(tmp_path / "all.jsonl")]
    for item in replayed:
        folder, _, filename = item["warc"]["filename"].partition("/")
        assert folder in (runs.first.name, runs.second.name)
        item["warc"]["filename"] = filename
    assert sorted(map(dumps, replayed)) == sorted(live)


def test_a_run_the_store_does_not_know_replays_without_narrowed_windows(runs, tmp_path):
    """Another root's run (the shared sample crawl) given this root's store."""
    other = sample_run()
    state = runs.root / "state.sqlite"
    result = replay(other, "--state", state, "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 0 and fault_lines(result.stderr) == [], result.stderr
    expected = [dumps(unnarrowed(item)) for item in items(other / "items.jsonl")]
    assert sorted(lines(tmp_path / "out.jsonl")) == sorted(expected)


def test_an_unusable_store_is_a_fault_and_the_run_replays_without_it(runs, tmp_path):
    (tmp_path / "state.sqlite").write_text("not a database\n")
    result = replay(runs.first, "--state", "state.sqlite", "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    (fault,) = fault_lines(result.stderr)
    assert fault.startswith("state.sqlite:0: state.sqlite is not a usable state store")
    assert fault.endswith("; replaying without it")
    expected = [dumps(unnarrowed(item)) for item in items(runs.first / "items.jsonl")]
    assert sorted(lines(tmp_path / "out.jsonl")) == sorted(expected)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--state", "nowhere.sqlite", "."], "no such state file: nowhere.sqlite"),
        (["--state", "x", "--no-state", "."], "give --state FILE or --no-state, not both"),
    ],
)
def test_bad_state_options_exit_with_status_2(tmp_path, args, message):
    result = replay(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "replay.jsonl").exists()
