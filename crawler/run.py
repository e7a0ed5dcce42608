"""The run folder: one per crawl under ``ARCHIVES_DIR``, never shared with another run.

Built as an extension so every component (archive middleware, JSONL pipeline, state
recorders) asks the same instance for the folder and the state store. Before the run
starts it takes ``<ARCHIVES_DIR>/.lock``, so two crawls never write one archives root at
once, and puts runs killed earlier back in order (``crawler.recovery``, then the state
store's own check). At the end of the crawl it writes ``run.json``: what was crawled,
when, how it ended, and the crawl's counters.

With ``JOBDIR`` set, the folder is named in ``<JOBDIR>/run-folder`` until the run
finishes, so a run that was killed or stopped resumes into the same folder (and the same
run in the state store); a finished run removes the name and the next start is a new run.

A worker of a distributed run (``REDIS_URL``, ``crawler.distributed``) writes into the folder
the shared run names, beside the other workers: it shares the root's lock with them (and
mends killed runs only when no other crawl holds it), writes its own items file and
``run-<worker>.json``, and the last worker to leave a finished run mends what dead workers
left open, writes the run's ``run.json`` from every worker's summary and builds the indexes.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from crawler import __version__
from crawler.distributed.run import SharedRun, shared_run
from crawler.layout import (
    LOCK_FILE,
    RUN_STAMP,
    items_file,
    worker_run_file,
    write_atomic,
    write_run_file,
)
from crawler.recovery import mend_folder, recover_root
from crawler.state.store import COMMIT_INTERVAL, StateStore

logger = logging.getLogger(__name__)

#: Counters copied from Scrapy's stats into run.json.
SUMMARY_STATS = (
    "downloader/request_count",
    "downloader/response_count",
    "item_scraped_count",
    "archive/records",
    "archive/bytes",
    "archive/revisits",
    "archive/truncated",
    "items/article",
    "items/listing",
    "items/invalid",
    "pages/extract_failed",
    "pages/unreadable_feed",
    "pages/unreadable_sitemap",
    "pages/empty",
    "pages/too_large",
    "pages/binary",
    "pages/truncated_html",
    "pages/malformed_html",
    "pages/charset_mismatch",
    "pages/charset_undeclared",
    "pages/legacy_charset",
    "links/not_http",
    "links/over_limit",
    "download/over_maxsize",
    "download/decompressed_over_maxsize",
    "timestamps/parsed",
    "timestamps/unparsed",
    "timestamps/machine",
    "timestamps/machine_shown_conflict",
    "discovery/sitemaps_from_robots",
    "robotstxt/forbidden",
    "offsite/filtered",
    "offsite/domains",
    "log_count/ERROR",
    "recovery/mended",
    "resume/requeued",
    "resume/done",
    "frontier/requeued",
    "frontier/dead_workers",
    "items/duplicate_dropped",
    "incremental/skipped",
    "incremental/updated",
    "narrowing/conflicts",
)

#: In ``JOBDIR``: the name of the run folder a resumed crawl continues.
RESUME_FILE = "run-folder"
#: Seconds a worker of a distributed run waits for another crawl's exclusive hold of the
#: archives root to end (a worker mending killed runs; a lone crawl holds it to its end).
SHARED_LOCK_WAIT = 30.0


class ArchivesLocked(RuntimeError):
    """Another crawl holds the archives root."""


class RunFolder:
    """Creates ``<ARCHIVES_DIR>/<UTC start>-<spider>/`` and describes the run when it ends."""

    def __init__(
        self,
        crawler: Crawler,
        root: Path,
        name: str,
        *,
        state_file: Path | None = None,
        jobdir: Path | None = None,
        shared: SharedRun | None = None,
    ) -> None:
        self.crawler = crawler
        self.shared = shared
        self._lock = RootLock(root, shared=shared is not None)
        self.started = datetime.now(timezone.utc)
        # Killed runs are mended only when no other crawl (or worker) writes the root.
        reports = recover_root(root) if self._lock.exclusive else []
        self.state = StateStore(state_file, shared=shared is not None) if state_file else None
        if self.state is not None and self._lock.exclusive:
            reports += self.state.recover(root, self.started.isoformat())
        self._lock.share_if(shared is not None)
        for report in reports:
            logger.warning("Recovered: %s", report)
            crawler.stats.inc_value("recovery/mended")
        self._resume_file = jobdir / RESUME_FILE if jobdir is not None else None
        self.resumed = self._resumable(root) if shared is None else None
        if shared is not None:
            self.path = root / shared.id
            self.path.mkdir(parents=True, exist_ok=True)
        elif self.resumed is not None:
            self.path = self.resumed
            logger.info("Resuming the run in %s", self.path)
        else:
            self.path = _make_unique(root, f"{self.started.strftime(RUN_STAMP)}-{name}")
            if self._resume_file is not None:
                self._resume_file.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(self._resume_file, self.path.name + "\n")
        self.id = self.path.name
        #: This worker's name in a distributed run (None: the crawl is the run).
        self.worker = shared.worker if shared is not None else None
        #: Where this crawl's items go: ``items.jsonl``, or the worker's own file.
        self.items_path = self.path / items_file(self.worker)
        #: Whether this crawl ends the run: writes ``run.json`` and the indexes. A worker
        #: learns it when it leaves (the last to leave a finished run).
        self.finisher = shared is None
        self.run_seq = (
            self.state.begin_run(self.id, self.started.isoformat()) if self.state else None
        )
        self._committer = LoopingCall(self.state.commit if self.state else lambda: None)
        #: When the run began: a resumed run's first start (from the store, else its name).
        self.first_started = self.started
        if shared is not None:
            self.first_started = datetime.fromisoformat(shared.record.started)
        elif self.resumed is not None:
            self.first_started = (
                self.state.run_started(self.run_seq)
                if self.state is not None and self.run_seq is not None
                else datetime.strptime(self.id[:16], RUN_STAMP).replace(tzinfo=timezone.utc)
            )
        logger.info("Run folder: %s", self.path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunFolder:
        settings = crawler.settings
        root = Path(settings.get("ARCHIVES_DIR", "archives"))
        name = settings.get("RUN_NAME") or crawler.spidercls.name
        state_file = root / settings["STATE_FILE"] if settings.getbool("STATE_ENABLED") else None
        jobdir = Path(settings["JOBDIR"]) if settings.get("JOBDIR") else None
        folder = cls(
            crawler, root, name, state_file=state_file, jobdir=jobdir,
            shared=shared_run(crawler),
        )  # fmt: skip
        crawler.signals.connect(folder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(folder.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(folder.engine_stopped, signal=signals.engine_stopped)
        return folder

    def _resumable(self, root: Path) -> Path | None:
        """The folder ``JOBDIR`` names, when there is one to resume."""
        if self._resume_file is None or not self._resume_file.exists():
            return None
        name = self._resume_file.read_text("utf-8").strip()
        folder = root / name
        if not name or "/" in name or not folder.is_dir():
            logger.warning(
                "JOBDIR names no run folder under %s (%r); starting a new run", root, name
            )
            return None
        return folder

    def engine_stopped(self) -> None:
        """Release the store and the archives root once everything is written; the last
        worker of a distributed run first mends what dead workers left open (every other
        worker has closed its files by now)."""
        if self.shared is not None and self.finisher:
            for report in mend_folder(self.path):
                logger.warning("Recovered: %s", report)
        if self.state is not None:
            self.state.close()
        self._lock.close()

    def spider_opened(self, spider: Spider) -> None:
        """Commit the store's gathered writes on a timer too, so a crawl waiting on slow
        responses holds none of them longer than ``COMMIT_INTERVAL``."""
        if self.state is not None:
            self._committer.start(COMMIT_INTERVAL, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._committer.running:
            self._committer.stop()
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        finished = datetime.now(timezone.utc)
        summary = {
            "run_id": self.id,
            "spider": spider.name,
            "software": f"aggregator-archiver/{__version__}",
            "start_urls": list(getattr(spider, "start_urls", [])),
            "started": self.first_started.isoformat(),
            "finished": finished.isoformat(),
            "finish_reason": reason,
            "resumed": self.resumed is not None,
            **({"resumed_at": self.started.isoformat()} if self.resumed is not None else {}),
            "stats": {key: stats[key] for key in SUMMARY_STATS if key in stats},
        }
        if self.shared is not None:
            summary = self._leave_shared_run(summary, reason)
            if summary is None:
                return
        write_run_file(self.path, summary)
        if self.state is not None and self.run_seq is not None:
            self.state.finish_run(self.run_seq, finished.isoformat(), reason)
        if reason == "finished" and self._resume_file is not None:
            self._resume_file.unlink(missing_ok=True)

    def _leave_shared_run(self, summary: dict[str, Any], reason: str) -> dict[str, Any] | None:
        """Write this worker's summary and leave the run; the run's summary, merged from
        every worker's, when this was the last worker of a finished run (None otherwise:
        the run goes on, or waits in Redis for a worker to resume it)."""
        assert self.shared is not None and self.worker is not None
        summary = {**summary, "worker": self.worker, "started": self.started.isoformat()}
        write_run_file(self.path, summary, name=worker_run_file(self.worker))
        remaining = self.shared.leave(summary)
        if remaining or reason != "finished":
            logger.info(
                "Worker %s left run %s (%s); %d workers remain", self.worker, self.id,
                reason, remaining,
            )  # fmt: skip
            return None
        self.finisher = True
        workers = self.shared.summaries()
        members = self.shared.members()
        self.shared.end()
        totals: dict[str, int | float] = {}
        for each in workers.values():
            for key, value in each.get("stats", {}).items():
                totals[key] = totals.get(key, 0) + value
        return {
            **summary,
            "started": self.first_started.isoformat(),
            "workers": members,
            # Killed (or cut off from Redis) before they could leave: their pages were
            # queued again for the others, their files mended by this worker.
            "workers_lost": sorted(set(members) - set(workers)),
            "stats": totals,
        }

def run_state(crawler: Crawler) -> tuple[StateStore, int]:
    """The crawl's state store and this run's ``seq`` in it; NotConfigured (the component
    steps aside) when ``STATE_ENABLED`` is off."""
    run = run_folder(crawler)
    if run.state is None or run.run_seq is None:
        raise NotConfigured("STATE_ENABLED is off")
    return run.state, run.run_seq


class RootLock:
    """``<root>/.lock``, held until closed (or the process dies): exclusively by a crawl,
    shared by the workers of distributed runs, so neither kind starts beside the other."""

    def __init__(self, root: Path, *, shared: bool = False) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self._handle: TextIO = open(root / LOCK_FILE, "a+")  # noqa: SIM115
        #: Whether no other crawl holds the root: killed runs may be mended.
        self.exclusive = self._take(fcntl.LOCK_EX)
        if not self.exclusive and not (shared and self._wait_shared()):
            self._handle.close()
            raise ArchivesLocked(
                f"another crawl is writing to {root} (it holds {root / LOCK_FILE}); "
                "this run did not start"
            )
        if self.exclusive:
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.write(f"{os.getpid()}\n")
            self._handle.flush()

    def _take(self, mode: int) -> bool:
        try:
            fcntl.flock(self._handle, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _wait_shared(self) -> bool:
        """A shared hold, waiting ``SHARED_LOCK_WAIT`` seconds: a worker starting beside
        another holds the root alone while it mends killed runs, then shares it."""
        deadline = time.monotonic() + SHARED_LOCK_WAIT
        while not self._take(fcntl.LOCK_SH):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def share_if(self, shared: bool) -> None:
        """Let other workers of distributed runs in (once killed runs are mended)."""
        if shared and self.exclusive:
            self.exclusive = False  # before another worker can see the root shared
            fcntl.flock(self._handle, fcntl.LOCK_SH)

    def close(self) -> None:
        self._handle.close()


def lock_root(root: Path, *, shared: bool = False) -> RootLock:
    """Hold ``<root>/.lock`` (``RootLock``); ArchivesLocked if another crawl holds it."""
    return RootLock(root, shared=shared)


def _make_unique(root: Path, name: str) -> Path:
    """Create the folder atomically; a clash (two runs in one second) gets a suffix."""
    for attempt in range(1, 1000):
        path = root / (name if attempt == 1 else f"{name}-{attempt}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise RuntimeError(f"cannot create a run folder for {name!r} under {root}")


def run_folder(crawler: Crawler) -> RunFolder:
    """The crawl's ``RunFolder``; a clear error when the extension is switched off."""
    folder = crawler.get_extension(RunFolder)
    if folder is None:
        raise RuntimeError("crawler.run.RunFolder must be enabled in EXTENSIONS")
    return folder
