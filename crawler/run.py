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
"""

from __future__ import annotations

import fcntl
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from crawler import __version__
from crawler.layout import LOCK_FILE, RUN_STAMP, write_atomic, write_run_file
from crawler.recovery import recover_root
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
    "timestamps/parsed",
    "timestamps/unparsed",
    "timestamps/machine",
    "timestamps/machine_shown_conflict",
    "discovery/sitemaps_from_robots",
    "robotstxt/forbidden",
    "offsite/filtered",
    "log_count/ERROR",
    "recovery/mended",
    "resume/requeued",
    "resume/done",
    "items/duplicate_dropped",
    "incremental/skipped",
    "incremental/updated",
    "narrowing/conflicts",
)

#: In ``JOBDIR``: the name of the run folder a resumed crawl continues.
RESUME_FILE = "run-folder"


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
    ) -> None:
        self.crawler = crawler
        self._lock = lock_root(root)
        self.started = datetime.now(timezone.utc)
        reports = recover_root(root)
        self.state = StateStore(state_file) if state_file is not None else None
        if self.state is not None:
            reports += self.state.recover(root, self.started.isoformat())
        for report in reports:
            logger.warning("Recovered: %s", report)
            crawler.stats.inc_value("recovery/mended")
        self._resume_file = jobdir / RESUME_FILE if jobdir is not None else None
        self.resumed = self._resumable(root)
        if self.resumed is not None:
            self.path = self.resumed
            logger.info("Resuming the run in %s", self.path)
        else:
            self.path = _make_unique(root, f"{self.started.strftime(RUN_STAMP)}-{name}")
            if self._resume_file is not None:
                self._resume_file.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(self._resume_file, self.path.name + "\n")
        self.id = self.path.name
        self.run_seq = (
            self.state.begin_run(self.id, self.started.isoformat()) if self.state else None
        )
        self._committer = LoopingCall(self.state.commit if self.state else lambda: None)
        #: When the run began: a resumed run's first start (from the store, else its name).
        self.first_started = self.started
        if self.resumed is not None:
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
        folder = cls(crawler, root, name, state_file=state_file, jobdir=jobdir)
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
        """Release the store and the archives root once everything (indexes included) is
        written."""
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
        write_run_file(self.path, summary)
        if self.state is not None and self.run_seq is not None:
            self.state.finish_run(self.run_seq, finished.isoformat(), reason)
        if reason == "finished" and self._resume_file is not None:
            self._resume_file.unlink(missing_ok=True)


def run_state(crawler: Crawler) -> tuple[StateStore, int]:
    """The crawl's state store and this run's ``seq`` in it; NotConfigured (the component
    steps aside) when ``STATE_ENABLED`` is off."""
    run = run_folder(crawler)
    if run.state is None or run.run_seq is None:
        raise NotConfigured("STATE_ENABLED is off")
    return run.state, run.run_seq


def lock_root(root: Path) -> TextIO:
    """Hold ``<root>/.lock`` until the returned file is closed (or the process dies)."""
    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / LOCK_FILE, "a+")  # noqa: SIM115
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ArchivesLocked(
            f"another crawl is writing to {root} (it holds {root / LOCK_FILE}); "
            "this run did not start"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


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
