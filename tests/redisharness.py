"""A real Redis server for a test module, and crawl workers started against it.

``redis_server`` runs ``crawler.demo.redis_server.LocalRedis`` (Debian's ``redis-server``);
each test gets its own key prefix. ``Worker`` is ``scrapy crawl aggregator`` in a child
process with ``REDIS_URL`` set, its log in a file. ``CountingSite`` counts what the site
was asked for, so a URL fetched twice by any worker is seen at the source.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from threading import Lock

from crawler.demo.crawl import crawl_command, crawl_env
from crawler.demo.redis_server import LocalRedis, RedisUnavailable
from crawler.demo.site import Response, Site
from tests.pywb_harness import unavailable


def redis_server(folder: Path) -> Iterator[str]:
    """A Redis server's URL while the generator lives."""
    try:
        server = LocalRedis(folder)
    except RedisUnavailable as exc:
        unavailable(str(exc))
    with server:
        yield server.url


class CountingSite(Site):
    """The sample site, counting how often each path is asked for."""

    def __init__(self, epoch: datetime) -> None:
        super().__init__(epoch)
        self.fetches: Counter[str] = Counter()
        self._lock = Lock()

    def respond(self, path_and_query: str, now: datetime) -> Response:
        with self._lock:
            self.fetches[path_and_query] += 1
        return super().respond(path_and_query, now)


@dataclass
class Worker:
    """One ``scrapy crawl aggregator`` worker; ``start_url`` only for the seeding one."""

    name: str
    archives: Path
    redis_url: str
    key: str
    logs: Path
    start_url: str | None = None
    settings: Mapping[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        settings = {"REDIS_URL": self.redis_url, "REDIS_KEY": self.key,
                    "REDIS_WORKER_ID": self.name, **self.settings}  # fmt: skip
        command = crawl_command(self.archives, settings, start_url=self.start_url)
        self.logs.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                command, env=crawl_env(), stdout=out, stderr=subprocess.STDOUT
            )
        return self

    @property
    def log(self) -> Path:
        return self.logs / f"{self.name}.log"

    def wait(self, timeout: float = 120) -> int:
        assert self.process is not None
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()

    def finished(self, timeout: float = 120) -> None:
        """Wait for the worker to exit; fail with its log unless it exited 0."""
        status = self.wait(timeout)
        assert status == 0, f"{self.name} exited {status}:\n{self.log.read_text()[-3000:]}"
