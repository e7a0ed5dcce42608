"""The ``aggregator`` spider: listings, pagination, articles and related cards of a site.

``scrapy crawl aggregator -a start_urls=URL[,URL...]`` follows every link on the start
URLs' hosts, linked files included (depth bounded by ``DEPTH_LIMIT``, robots.txt obeyed by
default), and fetches each page's requisites (images, stylesheets, scripts, icons) so the
archive replays the page as it looked. Each HTML page goes through
``crawler.pages.extract``.

``request.meta["hops"]`` is the Heritrix-style path from the seed: ``L`` for a link
followed, ``E`` for an embedded requisite (e.g. ``LLE``: an image on a page two links away).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urldefrag, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.http import HtmlResponse, Response
from scrapy.linkextractors import LinkExtractor

from crawler.fetchtime import FETCHED_AT, REQUESTED_AT
from crawler.pages import extract
from crawler.profiles import Profile

logger = logging.getLogger(__name__)

#: ``request.meta`` key: the hop path from the seed (``L`` link, ``E`` embed).
HOPS = "hops"


def parse_start_urls(value: str | None) -> list[str]:
    """Comma-separated absolute http(s) URLs; a clear usage error for anything else."""
    urls = [url.strip() for url in (value or "").split(",") if url.strip()]
    if not urls:
        raise UsageError("give the pages to start from: -a start_urls=URL[,URL...]")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"start URL is not an absolute http(s) URL: {url!r}")
    return urls


class AggregatorSpider(scrapy.Spider):
    name = "aggregator"

    def __init__(self, start_urls: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = parse_start_urls(start_urls)
        self.allowed_domains = sorted({urlsplit(url).hostname for url in self.start_urls})
        # Scope is OffsiteMiddleware's job: it matches host names, where LinkExtractor's
        # allow_domains compares host:port and so never matches a site on a port.
        # No extension is denied: an archive wants the linked PDFs and images too.
        self.links = LinkExtractor(deny_extensions=[])
        self.requisites = LinkExtractor(
            deny_extensions=[],
            tags=("img", "link", "script", "source"),
            attrs=("src", "href"),
            restrict_css=("img", "link[rel~=stylesheet]", "link[rel~=icon]", "script", "source"),
        )
        self.profile = Profile()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AggregatorSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.profile = Profile.from_settings(crawler.settings)
        return spider

    @classmethod
    def check_arguments(cls, start_urls: str | None = None, **_: Any) -> None:
        """Refuse bad ``-a`` arguments before a crawl starts (``scrapy crawl`` calls it)."""
        parse_start_urls(start_urls)

    async def start(self) -> AsyncIterator[Any]:
        # Unlike Scrapy's default, start URLs pass the duplicate filter: a page linking
        # back to the home page must not fetch it a second time.
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, meta={HOPS: ""})

    def parse(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, HtmlResponse):
            return  # archived already; only HTML pages have items and links
        items = self._extract(response)
        hops = response.meta.get(HOPS, "")
        for hop, extractor in (("E", self.requisites), ("L", self.links)):
            for link in extractor.extract_links(response):
                # The fragment never reaches the server (nor WARC-Target-URI): drop it.
                url = urldefrag(link.url).url
                yield response.follow(url, callback=self.parse, meta={HOPS: hops + hop})
        # Items last: when a page's item is written, all its links are queued already,
        # which is what a resumed run (JOBDIR) relies on.
        yield from items

    def _extract(self, response: HtmlResponse) -> list[Any]:
        try:
            return extract(
                response.url,
                response.body,
                fetched_at=response.meta[FETCHED_AT],
                headers=response.headers,
                profile=self.profile,
                requested_at=response.meta.get(REQUESTED_AT),
            )
        except Exception:
            # The page is archived already; report it and keep crawling from its links.
            logger.exception("Extraction failed for %s", response.url)
            self.crawler.stats.inc_value("pages/extract_failed")
            return []
