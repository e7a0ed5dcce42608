"""The frontier the workers share: scrapy-redis's queue and duplicate filter, and what each
worker has in flight, in Redis.

``RedisFrontier`` is scrapy-redis's scheduler on the run's keys (``<run>:queue``, a sorted
set of serialised requests by priority; ``<run>:seen``, the fingerprints of every request
admitted), so no URL is admitted twice by any worker. It adds what a killed worker needs
not to lose a page: popping a request moves it, in one Redis script, from the queue into
``<run>:inflight:<worker>``, and it leaves there only when its page has been processed to
the end:

- a page with an item, once the item has gone through the pipelines (its line is in the
  worker's items file; the spider yields its links before its item);
- a page without one (an image, an HTTP error), once the last request it yielded has been
  queued (``crawler.state.frontier.FrontierDoneMiddleware`` tells);
- a redirect or a retry, once its successor is queued;
- anything else (a download error, a robots.txt refusal), once the engine is done with it
  (checked at every heartbeat).

Every ``HEARTBEAT`` seconds each worker renews its own ``alive`` key, queues again the
requests in flight of any worker whose key has expired (``REDIS_WORKER_TIMEOUT``), and wakes
its engine to take queued work, or to see whether to stop (Scrapy itself looks only every
5 seconds). A worker
with nothing to do keeps waiting while the queue, or any worker's requests in flight,
could still bring work; once all is quiet for ``REDIS_IDLE_TIMEOUT`` seconds it stops.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from weakref import WeakKeyDictionary

from redis import Redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.task import LoopingCall

from crawler.distributed.run import SharedRun, connect, shared_run
from crawler.state.frontier import CompletesPages

logger = logging.getLogger(__name__)

#: Seconds between two heartbeats of a worker.
HEARTBEAT = 0.5
#: ``request.meta`` key: the in-flight entry a popped request (or its successor) holds.
IN_FLIGHT = "frontier_in_flight"

#: Pop the first request of the queue (KEYS[1]) into this worker's in-flight set (KEYS[2]).
_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if found[1] then
  redis.call('ZREM', KEYS[1], found[1])
  redis.call('ZADD', KEYS[2], found[2], found[1])
end
return found
"""
#: Move a worker's requests in flight (KEYS[2]) back into the queue (KEYS[1]), at their
#: priorities, and forget the worker (ARGV[1] of the set KEYS[3]); how many moved.
_REQUEUE = """
local moved = redis.call('ZCARD', KEYS[2])
if moved > 0 then
  redis.call('ZUNIONSTORE', KEYS[1], 2, KEYS[1], KEYS[2], 'AGGREGATE', 'MIN')
  redis.call('DEL', KEYS[2])
end
if ARGV[1] ~= '' then
  redis.call('SREM', KEYS[3], ARGV[1])
end
return moved
"""


#: Admit each request given (ARGV: fingerprint, score, serialised request; and so on) whose
#: fingerprint the seen set (KEYS[1]) lacks: add it and queue the request (KEYS[2]). One
#: script, so no request is ever seen but not queued. Per request, 1 admitted, 0 seen.
_ADMIT = """
local admitted = {}
for i = 1, #ARGV, 3 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i + 2])
    admitted[#admitted + 1] = 1
  else
    admitted[#admitted + 1] = 0
  end
end
return admitted
"""


class RedisFrontier(CompletesPages, RedisScheduler):
    """scrapy-redis's scheduler with requests in flight kept in Redis (module docstring)."""

    def __init__(self, crawler: Crawler, run: SharedRun, server: Redis) -> None:
        settings = crawler.settings
        super().__init__(
            server=server,
            persist=True,  # the last worker of a finished run removes its keys
            queue_key=run.key("queue"),
            queue_cls=f"{PriorityQueue.__module__}.{PriorityQueue.__qualname__}",
            dupefilter=RFPDupeFilter(
                server, key=run.key("seen"), debug=settings.getbool("DUPEFILTER_DEBUG")
            ),
        )
        self.crawler = crawler
        self.stats = crawler.stats
        self.run = run
        self.idle_timeout = settings.getfloat("REDIS_IDLE_TIMEOUT")
        self.in_flight_key = run.key("inflight", run.worker)
        #: This worker's requests in flight: their serialised form in Redis, by entry.
        self.in_flight: dict[str, tuple[bytes, Request]] = {}
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._admit = server.register_script(_ADMIT)
        #: Requests admitted together (``admit``), not yet handed over by the engine:
        #: whether each was new.
        self._admitted: WeakKeyDictionary[Request, bool] = WeakKeyDictionary()
        self._heartbeat = LoopingCall(self.heartbeat)
        self._quiet_since: float | None = None
        self._entries = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisFrontier:
        run = shared_run(crawler)
        assert run is not None, "RedisFrontier needs REDIS_URL"
        frontier = cls(crawler, run, connect(crawler.settings))
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(frontier.item_done, signal=signal)
        crawler.signals.connect(frontier.spider_idle, signal=signals.spider_idle)
        return frontier

    def open(self, spider: Spider) -> None:
        super().open(spider)
        self._heartbeat.start(HEARTBEAT, now=False)

    def close(self, reason: str) -> None:
        """Leave nothing behind in flight: what this worker did not finish goes back to
        the queue for the others (or the next worker to join)."""
        if self._heartbeat.running:
            self._heartbeat.stop()
        moved = self._requeue(keys=[self.queue_key, self.in_flight_key, ""], args=[""])
        if moved:
            logger.info("Queued again %d requests this worker had not finished", moved)
        self.in_flight.clear()

    # --- the queue -------------------------------------------------------------------

    def admit(self, requests: list[Request]) -> None:
        """A page's new requests checked and queued in two round trips to Redis, where one
        at a time each would take two (scrapy-redis's check, then its push): which of the
        page's links are new (most are not), then those, serialised, admitted."""
        batch = [r for r in requests if not r.dont_filter and IN_FLIGHT not in r.meta]
        if not batch:
            return
        fingerprints = [self.df.request_fingerprint(request) for request in batch]
        new = []
        args: list[Any] = []
        for request, fingerprint, seen in zip(
            batch, fingerprints, self.server.smismember(self.df.key, fingerprints), strict=True
        ):
            if seen:
                self._admitted[request] = False
            else:
                new.append(request)
                args += [fingerprint, -request.priority, self.queue._encode_request(request)]
        if new:
            answers = self._admit(keys=[self.df.key, self.queue_key], args=args)
            for request, admitted in zip(new, answers, strict=True):
                self._admitted[request] = bool(admitted)

    def enqueue_request(self, request: Request) -> bool:
        predecessor = request.meta.pop(IN_FLIGHT, None)  # a retry's or a redirect's
        completed = self.completed_by(request)
        admitted = self._admitted.pop(request, None)
        if admitted is None:
            admitted = request.dont_filter or not self.df.request_seen(request)
            if admitted:
                self.queue.push(request)
        if admitted:
            if self.stats is not None:
                self.stats.inc_value("scheduler/enqueued/redis")
        else:
            self.df.log(request, self.spider)
        if predecessor is not None:
            self._done(predecessor)
        for page in completed:
            self.page_done(page)
        return admitted

    def next_request(self) -> Request | None:
        found = self._pop(keys=[self.queue_key, self.in_flight_key])
        if not found:
            return None
        request = self.queue._decode_request(found[0])
        self._entries += 1
        entry = f"{self._entries}"
        request.meta[IN_FLIGHT] = entry
        self.in_flight[entry] = (found[0], request)
        if self.stats is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    # --- pages done ------------------------------------------------------------------

    def page_done(self, request: Request) -> None:
        entry = request.meta.get(IN_FLIGHT)
        if entry is not None:
            self._done(entry)

    def item_done(self, item: Any, response: Response, spider: Spider, **_: Any) -> None:
        """The page's item went through the pipelines (written, dropped, or failed)."""
        if isinstance(response, Response):
            self.page_done(response.request)

    def _done(self, entry: str) -> None:
        held = self.in_flight.pop(entry, None)
        if held is not None:
            self.server.zrem(self.in_flight_key, held[0])

    def _sweep(self) -> None:
        """Entries whose request the engine has let go of (it failed, or was refused)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        in_progress = getattr(slot, "inprogress", None)
        if in_progress is None:
            return
        for entry, (_, request) in list(self.in_flight.items()):
            if request not in in_progress:
                self._done(entry)

    # --- the workers -----------------------------------------------------------------

    def heartbeat(self) -> None:
        try:
            self.run.heartbeat()
            self._sweep()
            for worker in self.run.dead_workers():
                if worker != self.run.worker:
                    self._requeue_dead(worker)
            self._wake()
        except Exception:
            # Redis out of reach for a moment: the next heartbeat tries again.
            logger.exception("Heartbeat of worker %s failed", self.run.worker)

    def _requeue_dead(self, worker: str) -> None:
        moved = self._requeue(
            keys=[self.queue_key, self.run.key("inflight", worker), self.run.key("workers")],
            args=[worker],
        )
        logger.warning(
            "Worker %s stopped answering: queued again the %d requests it had in flight",
            worker, moved,
        )  # fmt: skip
        if self.stats is not None:
            self.stats.inc_value("frontier/requeued", moved)
            self.stats.inc_value("frontier/dead_workers")

    def _wake(self) -> None:
        """Have the engine ask for requests now, or, idle, whether to stop (Scrapy itself
        would in up to 5 seconds)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def busy(self) -> bool:
        """Whether the run may still have work: requests queued, or in flight anywhere."""
        if len(self.queue) or self.in_flight:
            return True
        keys = [self.run.key("inflight", worker) for worker in self.run.workers()]
        with self.server.pipeline() as pipe:
            for key in keys:
                pipe.zcard(key)
            return any(pipe.execute())

    def spider_idle(self, spider: Spider) -> None:
        """Keep this worker while the run is busy, and for ``REDIS_IDLE_TIMEOUT`` after."""
        self._sweep()
        if self.busy():
            self._quiet_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self._quiet_since is None:
            self._quiet_since = now
        if now - self._quiet_since < self.idle_timeout:
            raise DontCloseSpider
        logger.info("The run has been quiet for %.0f s: this worker stops", self.idle_timeout)

