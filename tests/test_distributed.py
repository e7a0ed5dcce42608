"""Several workers crawl one run through a real Redis server (scrapy-redis).

Two and three ``scrapy crawl aggregator`` workers share the slow sample site: together
they must give the items of one worker crawling alone, fetch no URL twice (robots.txt
included, counted by the site itself), leave one run folder that the CDXJ index, the pages
list and ``scrapy replay`` read as one run, and remove the run from Redis. A worker
killed with SIGKILL mid-run loses nothing: the other queues its requests in flight
again, finishes the run and mends the killed worker's files.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from threading import Timer
from typing import Any
from urllib.parse import urlsplit

import pytest
from redis import Redis

from crawler import run as run_module
from crawler.archive.indexes import CDXJ_FILE, PAGES_FILE, warc_files
from crawler.archive.revisits import ArchivedPayload
from crawler.archive.writer import OPEN_SUFFIX
from crawler.demo.crawl import run_crawl
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from crawler.distributed.payloads import RedisPayloadIndex
from crawler.layout import RUN_FILE, items_files, run_items, worker_run_file
from crawler.run import ArchivesLocked, RootLock
from tests.redisharness import CountingSite, Worker, redis_server
from tests.replaytools import lines, offline, replay
from tests.warctools import warcio_check

#: Seconds the site takes per response: requests are in flight when a worker is killed.
DELAY = 0.03
#: Items a worker writes before it is killed.
KILL_AFTER = 5
#: Short quiet and heartbeat timeouts, so the tests do not wait long for the end.
SETTINGS = {"REDIS_IDLE_TIMEOUT": "1", "REDIS_WORKER_TIMEOUT": "2", "LOG_LEVEL": "INFO"}


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from redis_server(tmp_path_factory.mktemp("redis"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    """The (type, url) of every item of one crawl of the sample site, without Redis."""
    site = Site(datetime.now(timezone.utc))
    with SampleServer(site) as server:
        server.start()
        folder = run_crawl(server.url, tmp_path_factory.mktemp("alone"))
    return keys(run_items(folder))


def keys(items: Iterator[dict[str, Any]]) -> set[tuple[str, str]]:
    """(type, path) of each item: each crawl serves the site on a port of its own."""
    return {(item["type"], urlsplit(item["url"]).path) for item in items}


@dataclass
class Run:
    site: CountingSite
    folder: Path  # the run's folder where its last worker wrote run.json
    workers: list[Worker]
    key: str


def crawl(
    tmp_path: Path,
    redis_url: str,
    count: int,
    *,
    kill: tuple[int, signal.Signals] | None = None,
    machines: bool = False,
) -> Run:
    """``count`` workers crawl the sample site. ``kill``: which worker (0: the one that
    seeds the run) gets which signal, once it has written ``KILL_AFTER`` items.
    ``machines``: each worker writes an archives root of its own, as on a machine of its
    own."""
    site = CountingSite(datetime.now(timezone.utc))
    logs, key = tmp_path / "logs", f"t{uuid.uuid4().hex[:8]}"
    with SampleServer(site, latency=DELAY) as server:
        server.start()
        workers = [
            Worker(f"w{n}", tmp_path / (f"archives-w{n}" if machines else "archives"),
                   redis_url, key, logs, settings=SETTINGS,
                   start_url=server.url if n == 1 else None)
            for n in range(1, count + 1)
        ]  # fmt: skip
        for worker in workers:
            worker.start()
        if kill is not None:
            signal_when_written(workers[kill[0]], kill[1])
        for worker in workers:
            if kill is None or worker is not workers[kill[0]]:
                worker.finished()
    (folder,) = {path for worker in workers for path in worker.archives.glob("*/" + RUN_FILE)}
    return Run(site, folder.parent, workers, key)


def signal_when_written(worker: Worker, how: signal.Signals) -> None:
    """Send ``how`` to ``worker`` once it has written ``KILL_AFTER`` items; wait for it."""
    assert worker.process is not None
    deadline = time.monotonic() + 60
    while True:
        found = list(worker.archives.glob(f"*/items-{worker.name}.jsonl"))
        if found and found[0].read_bytes().count(b"\n") >= KILL_AFTER:
            break
        assert worker.process.poll() is None, f"{worker.name} ended before {KILL_AFTER} items"
        assert time.monotonic() < deadline, f"{worker.name} wrote too few items in time"
        time.sleep(0.005)
    worker.process.send_signal(how)
    worker.wait()


def summary(folder: Path, name: str = RUN_FILE) -> dict[str, Any]:
    return json.loads((folder / name).read_text("utf-8"))


@pytest.mark.parametrize("count", [2, 3])
def test_workers_crawl_one_run_as_one_worker_would(tmp_path, redis_url, reference, count):
    run = crawl(tmp_path, redis_url, count)
    folder = run.folder
    # The union of their items is the lone worker's, and no URL was asked for twice.
    assert keys(run_items(folder)) == reference
    assert run.site.fetches and max(run.site.fetches.values()) == 1, [
        path for path, n in run.site.fetches.items() if n > 1
    ]
    assert run.site.fetches["/robots.txt"] == 1
    # Each worker wrote its own files into the one folder, and the work was shared.
    names = [worker.name for worker in run.workers]
    assert [path.name for path in items_files(folder)] == [f"items-{n}.jsonl" for n in names]
    fetched = {n: summary(folder, worker_run_file(n))["stats"] for n in names}
    assert sum(bool(stats.get("downloader/response_count")) for stats in fetched.values()) >= 2
    assert sum(s.get("downloader/response_count", 0) for s in fetched.values()) == sum(
        run.site.fetches.values()
    )
    assert {path.name.split("-")[1] for path in warc_files(folder)} <= set(names)
    for path in warc_files(folder):
        warcio_check(path)
    # The run's summary adds up its workers'.
    whole = summary(folder)
    assert whole["finish_reason"] == "finished" and whole["workers"] == names
    assert whole["stats"]["item_scraped_count"] == len(list(run_items(folder)))
    # One index over every worker's WARC files, one pages list over every items file.
    indexed = {
        json.loads(line.split(" ", 2)[2])["filename"]
        for line in (folder / CDXJ_FILE).read_text("utf-8").splitlines()
    }
    assert indexed == {path.name for path in warc_files(folder)}
    pages = (folder / PAGES_FILE).read_text("utf-8").splitlines()[1:]
    assert len(pages) == len(list(run_items(folder)))
    # The run is gone from Redis: the next crawl starts a new one.
    leftover = Redis.from_url(redis_url).keys(f"{run.key}:*")
    assert leftover in ([], [f"{run.key}:payloads".encode()])


def test_workers_on_several_machines_gather_into_one_run(tmp_path, redis_url, reference):
    run = crawl(tmp_path, redis_url, 2, machines=True)
    # Each "machine" has the run's folder with its worker's files; the last worker's also
    # has the run's summary and the indexes of what it holds.
    folders = sorted(tmp_path.glob(f"archives-*/{run.folder.name}"))
    assert len(folders) == 2
    for folder in folders:
        if folder != run.folder:
            assert not (folder / RUN_FILE).exists() and not (folder / CDXJ_FILE).exists()
            for path in folder.iterdir():
                shutil.copy2(path, run.folder / path.name)
    result = offline("index", run.folder, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    indexed = {
        json.loads(line.split(" ", 2)[2])["filename"]
        for line in (run.folder / CDXJ_FILE).read_text("utf-8").splitlines()
    }
    assert {name.split("-")[1] for name in indexed} == {"w1", "w2"}
    assert keys(run_items(run.folder)) == reference
    # scrapy replay reads the gathered folder as one run: every worker's items, field for
    # field (WARC locations included).
    result = replay(run.folder, "-o", tmp_path / "replay.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    live = [line for path in items_files(run.folder) for line in lines(path)]
    assert sorted(lines(tmp_path / "replay.jsonl")) == sorted(live)


@pytest.mark.parametrize(
    ("victim", "how"), [(0, signal.SIGKILL), (1, signal.SIGKILL), (1, signal.SIGTERM)]
)
def test_killing_a_worker_loses_nothing(tmp_path, redis_url, reference, victim, how):
    """SIGKILL the worker that seeded the run, or another; or stop one with SIGTERM."""
    run = crawl(tmp_path, redis_url, 2, kill=(victim, how))
    folder = run.folder
    killed, survivor = run.workers[victim].name, run.workers[1 - victim].name
    assert keys(run_items(folder)) == reference
    stats = summary(folder, worker_run_file(survivor))["stats"]
    whole = summary(folder)
    assert whole["finish_reason"] == "finished" and whole["workers"] == ["w1", "w2"]
    if how == signal.SIGKILL:
        # The survivor found the other dead and queued again what it had in flight.
        assert stats["frontier/dead_workers"] == 1 and whole["workers_lost"] == [killed]
        requeued = stats["frontier/requeued"]
        assert requeued > 0
    else:
        # Stopped, the worker gave its unfinished requests back itself, and left.
        assert "frontier/dead_workers" not in stats and whole["workers_lost"] == []
        assert summary(folder, worker_run_file(killed))["finish_reason"] == "shutdown"
        gave_back = re.search(r"Queued again (\d+) requests", run.workers[victim].log.read_text())
        requeued = int(gave_back[1]) if gave_back else 0
    # Only requests in flight at the kill could be asked for twice.
    again = [path for path, n in run.site.fetches.items() if n > 1]
    assert max(run.site.fetches.values()) <= 2 and len(again) <= requeued
    # The survivor ended the run: mended the killed worker's open file, indexed both.
    assert not list(folder.glob("*" + OPEN_SUFFIX))
    assert {path.name.split("-")[1] for path in warc_files(folder)} == {"w1", "w2"}
    for path in warc_files(folder):
        warcio_check(path)
    assert (folder / CDXJ_FILE).exists()


def test_a_run_whose_workers_all_died_is_resumed_by_the_next_worker(
    tmp_path, redis_url, reference
):
    """SIGKILL the run's only worker; a worker started later with the start URLs, as the
    next scheduled crawl would be, finds the run in Redis and finishes it."""
    site = CountingSite(datetime.now(timezone.utc))
    archives, logs, key = tmp_path / "archives", tmp_path / "logs", f"t{uuid.uuid4().hex[:8]}"
    with SampleServer(site, latency=DELAY) as server:
        server.start()
        first = Worker("w1", archives, redis_url, key, logs, server.url, SETTINGS).start()
        signal_when_written(first, signal.SIGKILL)
        Worker("w2", archives, redis_url, key, logs, server.url, SETTINGS).start().finished()
    (folder,) = [path for path in archives.iterdir() if path.is_dir()]
    assert keys(run_items(folder)) == reference
    whole = summary(folder)
    assert whole["finish_reason"] == "finished"
    assert whole["workers"] == ["w1", "w2"] and whole["workers_lost"] == ["w1"]
    assert max(site.fetches.values()) <= 2
    for path in warc_files(folder):
        warcio_check(path)


def test_a_worker_with_no_run_to_join_says_so(tmp_path, redis_url):
    worker = Worker("lonely", tmp_path / "archives", redis_url, "nobody", tmp_path / "logs",
                    settings={**SETTINGS, "REDIS_JOIN_TIMEOUT": "1"}).start()  # fmt: skip
    assert worker.wait(60) == 2
    assert "no run to join in Redis" in worker.log.read_text()


def test_one_worker_claims_a_payload_the_others_refer_to(redis_url):
    key = f"t{uuid.uuid4().hex[:8]}:payloads"
    first, second = (RedisPayloadIndex(Redis.from_url(redis_url, decode_responses=True), key)
                     for _ in range(2))  # fmt: skip
    mine = ArchivedPayload("<urn:uuid:1>", "http://a.test/", "2026-11-22T00:00:00Z")
    theirs = ArchivedPayload("<urn:uuid:2>", "http://b.test/", "2026-11-22T00:00:01Z")
    assert first.claim("sha1:X", mine) is None
    assert second.claim("sha1:X", theirs) == mine
    assert first.claim("sha1:Y", theirs) is None


def test_workers_share_the_root_a_lone_crawl_holds_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "SHARED_LOCK_WAIT", 0.3)
    first = RootLock(tmp_path, shared=True)
    assert first.exclusive  # alone: it may mend killed runs, then lets workers in
    # A worker starting meanwhile waits for the mending to end, then shares the root.
    Timer(0.1, first.share_if, (True,)).start()
    second = RootLock(tmp_path, shared=True)
    assert not second.exclusive and not first.exclusive  # neither mends anything now
    with pytest.raises(ArchivesLocked):
        RootLock(tmp_path)  # a crawl of one process waits for the workers to finish
    first.close()
    second.close()
    alone = RootLock(tmp_path)
    with pytest.raises(ArchivesLocked):
        RootLock(tmp_path, shared=True)  # and workers for it
    alone.close()
