"""Distributed crawling: several workers share one run through scrapy-redis on Redis.

``REDIS_URL`` switches it on (the ``Distributed`` add-on, enabled in ``ADDONS``); without it
nothing here is used. With it:

- the scheduler is ``crawler.distributed.frontier.RedisFrontier``: one queue and one
  duplicate filter for every worker, and each worker's requests in flight kept in Redis
  until processed, so a killed worker's are queued again;
- the run is ``crawler.distributed.run.SharedRun``: its id, start URLs and profile in
  Redis, each worker's heartbeat, and the summaries the last worker merges;
- the payload index is ``crawler.distributed.payloads.RedisPayloadIndex``, so no two
  workers archive the same payload whole;
- robots.txt is fetched once per host for the run
  (``crawler.distributed.robots.SharedRobotsTxtMiddleware``).

Redis keys (``REDIS_KEY`` is their prefix, ``<run>`` the run id)::

    <REDIS_KEY>:run                       the run's record (JSON)
    <REDIS_KEY>:<run>:queue               requests waiting (sorted set, by priority)
    <REDIS_KEY>:<run>:seen                fingerprints of every request admitted (set)
    <REDIS_KEY>:<run>:inflight:<worker>   a worker's requests in flight (sorted set)
    <REDIS_KEY>:<run>:workers             the workers in the run (set)
    <REDIS_KEY>:<run>:members             every worker that ever joined it (set)
    <REDIS_KEY>:<run>:alive:<worker>      a worker's heartbeat (expires)
    <REDIS_KEY>:<run>:summaries           the summary of each worker that left (hash)
    <REDIS_KEY>:<run>:robots:<host>       a host's robots.txt, as fetched once
    <REDIS_KEY>:payloads                  payload digest -> the record holding it (hash)
"""

from __future__ import annotations

import logging

from scrapy.settings import BaseSettings

from crawler.distributed.run import distributed

logger = logging.getLogger(__name__)

#: The components a distributed crawl swaps in: setting -> class path.
COMPONENTS = {
    "SCHEDULER": "crawler.distributed.frontier.RedisFrontier",
    "WARC_PAYLOAD_INDEX": "crawler.distributed.payloads.RedisPayloadIndex",
}
#: Downloader middlewares it swaps, at Scrapy's own order: one robots.txt fetch per host.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.distributed.robots.SharedRobotsTxtMiddleware": 100,
}


class Distributed:
    """Scrapy add-on: with ``REDIS_URL`` set, the crawl's components become shared ones."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not distributed(settings):
            return
        for name, path in COMPONENTS.items():
            # Above the project's settings; the command line still wins.
            settings.set(name, path, priority="spider")
        settings["DOWNLOADER_MIDDLEWARES"].update(DOWNLOADER_MIDDLEWARES, priority="spider")
        if settings.get("JOBDIR"):
            logger.warning("REDIS_URL is set: the frontier is kept in Redis, not in JOBDIR")
