"""The run the workers of a distributed crawl share, and who is working on it, in Redis.

The first worker (``scrapy crawl aggregator -a start_urls=...``) writes the run's record
under ``<REDIS_KEY>:run``: its id (the run folder's name, ``<UTC start>-<name>``), when it
started, its start URLs and the site profile its pages are read with. Every worker then
writes into a run folder of that name under its own ``ARCHIVES_DIR``, and a worker started
without start URLs joins the run the record names, reading its pages with the same
profile. A seeder that finds a run recorded joins it too: a run whose workers all died
is resumed, not started again.

Each worker announces itself in ``<run>:workers`` (and ``<run>:members``, which keeps
every worker that ever joined) and keeps ``<run>:alive:<worker>`` fresh; a worker whose
key has expired (``REDIS_WORKER_TIMEOUT``) is dead, and the frontier
(``crawler.distributed.frontier``) queues its requests in flight again. The last worker to
leave a finished run merges every worker's summary into ``run.json`` and removes the run's
keys, so the next ``scrapy crawl`` starts a new run.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from crawler.layout import RUN_STAMP

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger(__name__)

#: How often a joining worker looks for a run to join.
JOIN_POLL = 0.5

#: Removes this worker from the run and says how many remain (atomic).
_LEAVE = """
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return redis.call('SCARD', KEYS[1])
"""


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What every worker must agree on: the run, where it started, how pages are read."""

    id: str
    started: str
    start_urls: tuple[str, ...]
    profile: str  # crawler.profiles.Profile.to_json()

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> RunRecord:
        data = json.loads(text)
        return cls(data["id"], data["started"], tuple(data["start_urls"]), data["profile"])


def connect(settings: BaseSettings, *, decode_responses: bool = False) -> Redis:
    """A client of the Redis server ``REDIS_URL`` names."""
    try:
        from redis import Redis
    except ImportError:
        raise UsageError(
            "REDIS_URL is set but the redis client is not installed:"
            " pip install '.[distributed]'"
        ) from None
    return Redis.from_url(
        settings["REDIS_URL"], decode_responses=decode_responses,
        socket_timeout=30, socket_connect_timeout=10, health_check_interval=30,
    )  # fmt: skip


def await_run(settings: BaseSettings, server: Redis | None = None) -> RunRecord:
    """The run recorded in Redis, waited for ``REDIS_JOIN_TIMEOUT`` seconds; a usage error
    (exit status 2) when none is."""
    server = server or connect(settings, decode_responses=True)
    run_key = f"{settings.get('REDIS_KEY')}:run"
    deadline = time.monotonic() + settings.getfloat("REDIS_JOIN_TIMEOUT")
    while (text := server.get(run_key)) is None:
        if time.monotonic() >= deadline:
            raise UsageError(
                f"no run to join in Redis ({settings.get('REDIS_URL')}, key {run_key}):"
                " start the first worker with -a start_urls=URL[,URL...]"
            )
        time.sleep(JOIN_POLL)
    return RunRecord.from_json(text)


def worker_name(settings: BaseSettings) -> str:
    """``REDIS_WORKER_ID``, else ``<host>-<pid>``; made safe for file names."""
    name = settings.get("REDIS_WORKER_ID") or f"{socket.gethostname()}-{os.getpid()}"
    return re.sub(r"[^A-Za-z0-9_.]+", "_", name).strip("_.") or "worker"


class SharedRun:
    """This worker's membership of the run recorded in Redis (module docstring)."""

    def __init__(
        self, server: Redis, prefix: str, record: RunRecord, worker: str, timeout: float
    ) -> None:
        self.server = server
        self.prefix = prefix
        self.record = record
        self.worker = worker
        self.timeout = timeout
        self._leave = server.register_script(_LEAVE)

    @property
    def id(self) -> str:
        return self.record.id

    def key(self, *parts: str) -> str:
        """A key of this run: ``<REDIS_KEY>:<run id>:<parts>``."""
        return ":".join((self.prefix, self.record.id, *parts))

    @classmethod
    def open(
        cls, settings: BaseSettings, *, name: str, start_urls: list[str], profile: str
    ) -> SharedRun:
        """Join the run recorded in Redis, or record a new one with ``start_urls`` and
        ``profile``. A worker without start URLs waits ``REDIS_JOIN_TIMEOUT`` seconds for
        one to be recorded."""
        server = connect(settings, decode_responses=True)
        prefix = settings.get("REDIS_KEY")
        run_key = f"{prefix}:run"
        started = datetime.now(timezone.utc)
        if start_urls:
            new = RunRecord(
                f"{started.strftime(RUN_STAMP)}-{name}", started.isoformat(),
                tuple(start_urls), profile,
            )  # fmt: skip
            server.set(run_key, new.to_json(), nx=True)
        record = await_run(settings, server)
        if start_urls and record.start_urls != tuple(start_urls):
            logger.warning(
                "Joining run %s, recorded in Redis with start URLs %s: its start URLs and"
                " profile apply, not this command's",
                record.id, ", ".join(record.start_urls),
            )  # fmt: skip
        run = cls(
            server, prefix, record, worker_name(settings),
            settings.getfloat("REDIS_WORKER_TIMEOUT"),
        )  # fmt: skip
        run.heartbeat()
        logger.info("Worker %s in run %s (Redis key %s)", run.worker, record.id, run_key)
        return run

    def heartbeat(self) -> None:
        """Say this worker is alive for ``REDIS_WORKER_TIMEOUT`` more seconds."""
        with self.server.pipeline() as pipe:
            pipe.sadd(self.key("members"), self.worker)
            pipe.sadd(self.key("workers"), self.worker)
            pipe.set(self.key("alive", self.worker), "1", px=int(self.timeout * 1000))
            pipe.execute()

    def dead_workers(self) -> list[str]:
        """Workers of the run whose heartbeat has expired."""
        workers = self.workers()
        if not workers:
            return []
        with self.server.pipeline() as pipe:
            for worker in workers:
                pipe.exists(self.key("alive", worker))
            alive = pipe.execute()
        return [worker for worker, up in zip(workers, alive, strict=True) if not up]

    def workers(self) -> list[str]:
        """The workers in the run now (dead ones until they are found out)."""
        return sorted(self.server.smembers(self.key("workers")))

    def members(self) -> list[str]:
        """Every worker that ever joined the run."""
        return sorted(self.server.smembers(self.key("members")))

    def leave(self, summary: dict[str, Any]) -> int:
        """Leave the run, keeping this worker's ``summary``; how many workers remain."""
        return int(
            self._leave(
                keys=[self.key("workers"), self.key("alive", self.worker), self.key("summaries")],
                args=[self.worker, json.dumps(summary, ensure_ascii=False)],
            )
        )

    def summaries(self) -> dict[str, dict[str, Any]]:
        """Every worker's summary, by worker, of those that left the run."""
        return {
            worker: json.loads(text)
            for worker, text in self.server.hgetall(self.key("summaries")).items()
        }

    def end(self) -> None:
        """Remove the run from Redis: the next ``scrapy crawl`` starts a new one."""
        keys = list(self.server.scan_iter(match=self.key("*"), count=1000))
        self.server.delete(f"{self.prefix}:run", *keys)


#: The shared run of each crawler, opened by its spider.
_runs: WeakKeyDictionary[Crawler, SharedRun] = WeakKeyDictionary()


def open_shared_run(
    crawler: Crawler, *, start_urls: list[str], profile: str
) -> SharedRun:
    """Open (seed or join) the crawl's shared run; ``shared_run`` returns it afterwards."""
    run = SharedRun.open(
        crawler.settings,
        name=crawler.settings.get("RUN_NAME") or crawler.spidercls.name,
        start_urls=start_urls,
        profile=profile,
    )
    _runs[crawler] = run
    return run


def distributed(settings: BaseSettings) -> bool:
    """Whether ``REDIS_URL`` makes this crawl a worker of a distributed run."""
    return bool(settings.get("REDIS_URL"))


def shared_run(crawler: Crawler) -> SharedRun | None:
    """The crawl's shared run; None when it is not distributed."""
    if not distributed(crawler.settings):
        return None
    run = _runs.get(crawler)
    if run is None:
        raise RuntimeError(
            f"REDIS_URL is set but spider {crawler.spidercls.name!r} opened no shared run"
            " (crawler.distributed.run.open_shared_run)"
        )
    return run
