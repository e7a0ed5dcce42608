"""Crawls of the sample site as child processes, killed with SIGKILL at chosen moments.

A moment is read from the files the crawl writes, polled every few milliseconds: so many
lines in ``items.jsonl``, or so many bytes in the WARC file still open. The sample site
can answer slowly (``SampleServer``'s ``latency``), so more requests are in flight when the
kill lands.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crawler.archive.writer import OPEN_SUFFIX
from crawler.demo.crawl import child_processes, crawl_command, crawl_env
from crawler.layout import ITEMS_FILE

POLL = 0.005


@dataclass(frozen=True)
class Moment:
    """When to kill: once ``what`` ("items": lines, "warc": open-file bytes) reaches
    ``count``."""

    what: str
    count: int

    def reached(self, root: Path) -> bool:
        pattern = f"*/{ITEMS_FILE}" if self.what == "items" else f"*/*{OPEN_SUFFIX}"
        for path in root.glob(pattern):
            try:  # the open file may be closed (renamed) under us
                if self.what == "items":
                    reached = path.read_bytes().count(b"\n") >= self.count
                else:
                    reached = path.stat().st_size >= self.count
            except FileNotFoundError:
                continue
            if reached:
                return True
        return False

    def __str__(self) -> str:
        return f"{self.what}>={self.count}"


@dataclass
class Crawl:
    """``scrapy crawl aggregator`` of one site into one archives root, run again and again.

    Each run's log goes to ``<logs>/<n>.log``.
    """

    start_url: str
    archives: Path
    logs: Path
    settings: Mapping[str, str] = field(default_factory=dict)
    runs: int = 0

    def _start(self) -> tuple[subprocess.Popen[bytes], Path]:
        command = crawl_command(self.archives, self.settings, start_url=self.start_url)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.runs += 1
        log = self.logs / f"{self.runs}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                command,
                env=crawl_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return process, log

    def run(self, timeout: float = 60) -> str:
        """Run to the end; its log."""
        process, log = self._start()
        try:
            status = process.wait(timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        text = log.read_text("utf-8")
        assert status == 0, f"crawl failed with status {status}:\n{text[-3000:]}"
        return text

    def kill_at(self, moment: Moment, timeout: float = 60) -> None:
        """Start a run and SIGKILL it at ``moment``."""
        process, _ = self._start()
        deadline = time.monotonic() + timeout
        try:
            while not moment.reached(self.archives):
                assert process.poll() is None, f"the crawl ended before {moment}"
                assert time.monotonic() < deadline, f"{moment} not reached in {timeout} s"
                time.sleep(POLL)
        finally:
            helpers = child_processes(process.pid)
            if process.poll() is None:
                process.kill()
            process.wait()
        assert process.returncode == -signal.SIGKILL
        # Its worker processes (page readers, WARC writer) do not outlive it.
        deadline = time.monotonic() + 10
        while left := [pid for pid in helpers if Path(f"/proc/{pid}").exists()]:
            assert time.monotonic() < deadline, f"processes {left} outlived the killed crawl"
            time.sleep(0.1)

