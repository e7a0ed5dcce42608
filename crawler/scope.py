"""The crawl's scope: Scrapy's offsite filter, and the robots.txt of pages one hop out.

With ``SCOPE_OUTBOUND`` the spider fetches publishers' pages off the site (their requests
carry ``allow_offsite``). Before each, Scrapy's RobotsTxtMiddleware asks for that host's
robots.txt with a request of its own, without that flag, which the stock filter drops:
the publisher's robots.txt was then never read and all its pages were allowed. Scrapy
only asks for a robots.txt on behalf of a request that passed this filter, so letting
those through widens nothing else.

Links off the site are routine (Scrapy counts them in ``offsite/filtered`` and
``offsite/domains``); the first to each host is logged at INFO, where Scrapy logs at DEBUG,
so a crawl's log says where it did not go.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


class ScopeMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter that lets RobotsTxtMiddleware's own requests through."""

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        seen = len(self.domains_seen)
        try:
            super().process_request(request)
        except IgnoreRequest:
            if len(self.domains_seen) > seen:  # the first request to this host
                logger.info(
                    "Not following links off the site to %s (the first: %s; all are counted"
                    " in offsite/filtered)", urlparse_cached(request).hostname, request.url,
                )  # fmt: skip
            raise

    def should_follow(self, request: Request, spider: Spider) -> bool:
        robots = request.meta.get("dont_obey_robotstxt") and (
            urlparse_cached(request).path == "/robots.txt"
        )
        return bool(robots) or super().should_follow(request, spider)
