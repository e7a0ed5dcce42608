"""One robots.txt fetch per host for a whole distributed run, not one per worker.

Scrapy's ``RobotsTxtMiddleware`` fetches a host's robots.txt before its first request, in
every process. Here the first worker to need it claims the host in Redis
(``<run>:robots:<host>``), fetches and archives it, and leaves the body there; the other
workers wait for the body (``POLL``) and parse the same bytes, so the site sees one fetch
and the run's archive holds one copy. A claim expires after ``CLAIM_TIMEOUT`` seconds, so
a worker killed while fetching leaves it to the next to ask.
"""

from __future__ import annotations

import asyncio

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from crawler.distributed.run import SharedRun, connect, shared_run

#: Seconds between two looks at a robots.txt another worker is fetching.
POLL = 0.05
#: Seconds a worker may take to fetch a robots.txt it claimed.
CLAIM_TIMEOUT = 60
#: First byte of the value kept: claimed (being fetched), fetched (the body follows),
#: failed (no robots.txt could be had: everything is allowed, as Scrapy does).
PENDING, FETCHED, FAILED = b"P", b"B", b"E"


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, fetching each host's file once per run."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        run = shared_run(crawler)
        assert run is not None, "SharedRobotsTxtMiddleware needs REDIS_URL"
        self.run: SharedRun = run
        self.server = connect(crawler.settings)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        if netloc in self._parsers:
            return await super().robot_parser(request)
        key = self.run.key("robots", netloc)
        while True:
            if self.server.set(key, PENDING, nx=True, ex=CLAIM_TIMEOUT):
                return await super().robot_parser(request)  # fetches it: _parse_robots
            held = self.server.get(key)
            if held is None or held[:1] == PENDING:
                await asyncio.sleep(POLL)
                continue
            if netloc in self._parsers:  # another request of this worker got it first
                return await super().robot_parser(request)
            parser = (
                build_from_crawler(self._parserimpl, self.crawler, held[1:])
                if held[:1] == FETCHED
                else None
            )
            self._parsers[netloc] = parser
            self._stats.inc_value("robotstxt/shared")
            return parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        self.server.set(self.run.key("robots", netloc), FETCHED + response.body)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self.server.set(self.run.key("robots", netloc), FAILED)
        super()._robots_error(exc, netloc)
