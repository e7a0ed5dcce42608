"""The ``aggregator`` spider: listings, pagination, articles and related cards of a site.

``scrapy crawl aggregator -a start_urls=URL[,URL...] [-a profile=NAME_OR_PATH]`` follows
every link on the start URLs' sites, linked files included (depth bounded by
``DEPTH_LIMIT``, pages by ``CLOSESPIDER_PAGECOUNT``, robots.txt obeyed by default), and
fetches each page's requisites (images, stylesheets, scripts, icons) so the archive
replays the page as it looked. Start URLs may be listings, RSS/Atom feeds or sitemaps;
feeds named by ``<link rel=alternate>`` and sitemaps named by robots.txt are followed too
(``DISCOVERY_SITEMAPS``). Each page goes through ``crawler.pages.read`` with the site profile
(``crawler.profiles``; none: zero-config detection), and its links and requisites are
found by Scrapy's link extractors (``crawler.outlinks``), both in ``EXTRACTION_PROCESSES``
worker processes (``crawler.extraction``) while the crawl goes on.

Scope: the start URLs' sites (their registrable domains, so ``www.`` and ``news.`` hosts
of one site are in) plus the profile's ``domains``. With ``SCOPE_OUTBOUND`` on, the cards'
links to other sites (the publishers' pages) are fetched too, one hop: their requisites
come along, their links are not followed.

With ``REDIS_URL`` the spider is one worker of a distributed run (``crawler.distributed``):
the first worker's start URLs and profile are the run's, and a worker started without
``start_urls`` joins the run and reads pages with them.

``request.meta["hops"]`` is the Heritrix-style path from the seed: ``L`` for a link
followed, ``E`` for an embedded requisite (e.g. ``LLE``: an image on a page two links away).

Hostile pages are routine: what ``crawler.pages.read`` finds a page to be (empty, too large
for ``EXTRACTION_MAX_SIZE``, binary, truncated, malformed, in a charset it lies about) is
counted as ``pages/<kind>`` and logged, a page it leaves unparsed gives no links, a page's
links are followed once each and at most ``EXTRACTION_MAX_LINKS`` of them
(``links/over_limit``), and links that are not http(s) (``javascript:``, ``mailto:``,
``file:``...) are counted (``links/not_http``), never followed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import Any
from urllib.parse import urldefrag, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.settings import BaseSettings

from crawler import outlinks
from crawler.distributed.run import await_run, distributed, open_shared_run
from crawler.extraction import Fetched, PageReader
from crawler.fetchtime import FETCHED_AT, REQUESTED_AT
from crawler.gctuning import Tuning
from crawler.offline import bundled_suffixes
from crawler.outlinks import Outlinks
from crawler.pages import Reading, readable
from crawler.pages.guards import ROUTINE, WEB_SCHEMES, Finding
from crawler.pages.sitemaps import sitemaps_from_robots
from crawler.profiles import Profile, ProfileError, load

logger = logging.getLogger(__name__)

#: ``request.meta`` key: the hop path from the seed (``L`` link, ``E`` embed).
HOPS = "hops"
#: ``request.meta`` key: True on a page outside the site, fetched one hop out.
OUTBOUND = "outbound"


def parse_start_urls(value: str | None, *, required: bool = True) -> list[str]:
    """Comma-separated absolute http(s) URLs; a clear usage error for anything else, and
    for none when ``required`` (a worker joining a distributed run needs none)."""
    urls = [url.strip() for url in (value or "").split(",") if url.strip()]
    if not urls and required:
        raise UsageError("give the pages to start from: -a start_urls=URL[,URL...]")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"start URL is not an absolute http(s) URL: {url!r}")
    return urls


def site_of(host: str) -> str:
    """The registrable domain of ``host`` (``news.example.co.uk`` → ``example.co.uk``);
    an IP address or a single-label host is its own site."""
    return bundled_suffixes()(host).top_domain_under_public_suffix or host


class AggregatorSpider(scrapy.Spider):
    name = "aggregator"

    def __init__(
        self,
        start_urls: str | None = None,
        profile: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = parse_start_urls(start_urls, required=False)
        self.profile_name = profile
        self.profile = Profile()
        # What was logged once (a routine finding, a link scheme): its key.
        self._logged: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AggregatorSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if not spider.start_urls and not distributed(settings):
            parse_start_urls(None)  # the usage error
        if spider.profile_name:
            settings.set("SITE_PROFILE", spider.profile_name, priority="cmdline")
        try:
            profile = Profile.from_settings(settings)
        except ProfileError as error:
            raise UsageError(str(error)) from None
        # Scope is OffsiteMiddleware's job: it matches host names and their subdomains,
        # where LinkExtractor's allow_domains compares host:port and never matches a port.
        sites = {site_of(urlsplit(url).hostname) for url in spider.start_urls}
        # The profile read on the site's pages, recorded in every warcinfo for replay.
        spider.profile = replace(profile, domains=tuple(sorted({*sites, *profile.domains})))
        if distributed(settings):
            # Every worker reads pages as the run's first worker does.
            run = open_shared_run(
                crawler, start_urls=spider.start_urls, profile=spider.profile.to_json()
            )
            spider.start_urls = list(run.record.start_urls)
            spider.profile = Profile.from_json(run.record.profile)
        spider.allowed_domains = list(spider.profile.domains)
        spider.skip = [re.compile(p) for p in spider.profile.links.skip]
        spider.follow = [re.compile(p) for p in spider.profile.links.follow]
        spider.outbound = settings.getbool("SCOPE_OUTBOUND")
        spider.reader = PageReader(
            spider.profile,
            max_size=settings.getint("EXTRACTION_MAX_SIZE") or None,
            processes=settings.getint("EXTRACTION_PROCESSES"),
            tuning=Tuning.from_settings(settings),
        )
        crawler.signals.connect(spider.reader.start, signal=signals.spider_opened)
        crawler.signals.connect(spider.reader.close, signal=signals.spider_closed)
        spider.max_links = settings.getint("EXTRACTION_MAX_LINKS") or None
        spider.pagination_priority = settings.getint("PAGINATION_PRIORITY")
        _apply_politeness(crawler, spider.profile)
        if settings.getbool("DISCOVERY_SITEMAPS"):
            crawler.signals.connect(spider.robots_received, signal=signals.response_received)
        # Started now, not when the spider opens: a worker takes most of a second to
        # import its libraries, and the first page (the start URL) waits for it.
        spider.reader.start()
        return spider

    @classmethod
    def check_arguments(
        cls,
        settings: BaseSettings,
        start_urls: str | None = None,
        profile: str | None = None,
        **_: Any,
    ) -> None:
        """Refuse bad ``-a`` arguments before a crawl starts (``scrapy crawl`` calls it); a
        worker without start URLs has a distributed run to join, or is refused too."""
        urls = parse_start_urls(start_urls, required=not distributed(settings))
        if not urls:
            await_run(settings)
        if profile:
            try:
                load(profile)
            except ProfileError as error:
                raise UsageError(str(error)) from None

    async def start(self) -> AsyncIterator[Any]:
        # Unlike Scrapy's default, start URLs pass the duplicate filter: a page linking
        # back to the home page must not fetch it a second time.
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, meta={HOPS: ""})
        if self.crawler.settings.getbool("DISCOVERY_SITEMAPS") and not (
            self.crawler.settings.getbool("ROBOTSTXT_OBEY")
        ):
            # Obeying robots.txt fetches it anyway (robots_received reads it then).
            for root in sorted({_robots_url(url) for url in self.start_urls}):
                yield scrapy.Request(root, callback=self.parse_robots, meta={HOPS: "P"})

    async def parse(self, response: Response) -> Iterable[Any]:
        # A coroutine that returns its output, not an async generator: Scrapy then takes
        # the output in at once, where an async generator's goes item by item through
        # asyncio queues (measured: an eighth of the crawl process's CPU on a large site).
        if not readable(response.url, response.body, response.headers, html=_is_html(response)):
            return ()  # archived already; only pages, feeds and sitemaps have items and links
        reading, found = await self._read(response)
        return self._output(response, reading, found)

    def _output(self, response: Response, reading: Reading, found: Outlinks) -> Iterator[Any]:
        """A page's requests and items: what it found to be is counted first."""
        # Archived all the same; the crawl goes on from the site's other pages.
        for finding in reading.findings:
            self._report(finding, response.url)
        self._count_schemes(reading.schemes, response.url)
        if reading.unread:
            return  # empty, too large to parse, or not text: no links to look for
        hops = response.meta.get(HOPS, "")
        outbound = response.meta.get(OUTBOUND, False)
        for url in found.requisites:
            yield self._request(response, url, hops + "E", outbound)
        if not outbound:
            yield from self._links(response, reading, found.links, hops)
        # Items last: when a page's item is written, all its links are queued already,
        # which is what a resumed run (JOBDIR) relies on.
        yield from reading.items

    def parse_robots(self, response: Response) -> Iterator[Request]:
        """robots.txt fetched by the spider (ROBOTSTXT_OBEY off): follow its sitemaps."""
        yield from self._sitemaps(response, response.meta.get(HOPS, "P"))

    def robots_received(self, response: Response, request: Request, spider: Any) -> None:
        """robots.txt fetched by RobotsTxtMiddleware: schedule the sitemaps it names."""
        if spider is self and request.meta.get("dont_obey_robotstxt") and (
            urlsplit(response.url).path == "/robots.txt"
        ):
            for sitemap in self._sitemaps(response, "P"):
                self.crawler.engine.crawl(sitemap)

    def _sitemaps(self, response: Response, hops: str) -> Iterator[Request]:
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        for url in sitemaps_from_robots(response.text, response.url):
            self.crawler.stats.inc_value("discovery/sitemaps_from_robots")
            yield scrapy.Request(url, callback=self.parse, meta={HOPS: hops + "L"})

    def _links(
        self, response: Response, reading: Reading, links: tuple[str, ...], hops: str
    ) -> Iterator[Request]:
        """The listing's next pages (at ``PAGINATION_PRIORITY``), then the page's ``<a>``
        links, then what else discovery found (feeds, feed and sitemap entries, cards'
        links off the site)."""
        yield from self._discovered(response, reading.pagination, hops, self.pagination_priority)
        yield from self._page_links(response, links, hops)
        yield from self._discovered(response, reading.links, hops)

    def _discovered(
        self, response: Response, urls: Iterable[str], hops: str, priority: int = 0
    ) -> Iterator[Request]:
        """Requests for links discovery found: on the crawl's sites, or off them when
        ``SCOPE_OUTBOUND`` lets the crawl out one hop."""
        for url in urls:
            offsite = not self.profile.covers(url)
            if offsite and not self.outbound:
                continue
            yield self._request(response, url, hops + "L", offsite, priority)

    def _page_links(
        self, response: Response, links: tuple[str, ...], hops: str
    ) -> Iterator[Request]:
        """The ``<a>`` links the profile lets through, each URL once, in page order, and no
        more than ``EXTRACTION_MAX_LINKS``: a link farm or a calendar trap would otherwise
        queue thousands of requests per page."""
        urls = dict.fromkeys(urldefrag(url).url for url in links if self._wanted(url))
        if self.max_links and len(urls) > self.max_links:
            self.crawler.stats.inc_value("links/over_limit", len(urls) - self.max_links)
            logger.warning(
                "Page links to %d URLs, following the first %d (EXTRACTION_MAX_LINKS): %s",
                len(urls), self.max_links, response.url,
            )  # fmt: skip
        for url in islice(urls, self.max_links):
            yield self._request(response, url, hops + "L", False)

    def _count_schemes(self, schemes: tuple[str, ...], url: str) -> None:
        """Count the page's links that are not http(s): Scrapy's link extractor drops most
        of them unseen (and lets ``file:`` and ``ftp:`` through, which ``_wanted`` stops)."""
        for scheme in schemes:
            self.crawler.stats.inc_value("links/not_http")
            self._log_once(
                ("scheme", scheme), "Not following %s: links (the first on %s; all links "
                "that are not http(s) are counted in links/not_http)", scheme, url,
            )  # fmt: skip

    def _report(self, finding: Finding, url: str) -> None:
        """Count what a page turned out to be; log a fault on each page, a routine finding
        (a legacy charset, repaired markup) on the first page it is found on."""
        self.crawler.stats.inc_value(f"pages/{finding.kind}")
        if finding.severity != ROUTINE:
            logger.warning("%s: %s", finding.message, url)
            return
        self._log_once(
            (finding.kind, finding.message), "%s: %s (the first such page; all are counted in "
            "pages/%s)", finding.message, url, finding.kind,
        )  # fmt: skip

    def _log_once(self, key: tuple[str, str], message: str, *args: object) -> None:
        if key not in self._logged:
            self._logged.add(key)
            logger.info(message, *args)

    def _wanted(self, url: str) -> bool:
        """Whether ``url`` is a web link the profile's ``follow`` and ``skip`` patterns let
        through."""
        parts = urlsplit(url)
        if parts.scheme not in WEB_SCHEMES:
            return False
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if any(pattern.search(target) for pattern in self.skip):
            return False
        return not self.follow or any(pattern.search(target) for pattern in self.follow)

    def _request(
        self, response: Response, url: str, hops: str, outbound: bool, priority: int = 0
    ) -> Request:
        # The fragment never reaches the server (nor WARC-Target-URI): drop it.
        meta: dict[str, Any] = {HOPS: hops}
        if outbound:
            meta.update({OUTBOUND: True, "allow_offsite": True})
        return response.follow(
            urldefrag(url).url, callback=self.parse, meta=meta, priority=priority
        )

    async def _read(self, response: Response) -> tuple[Reading, Outlinks]:
        try:
            return await self.reader.read(Fetched(
                response.url,
                response.body,
                html=_is_html(response),
                fetched_at=response.meta[FETCHED_AT],
                headers=response.headers,
                requested_at=response.meta.get(REQUESTED_AT),
            ))  # fmt: skip
        except Exception:
            # The page is archived already; report it and keep crawling from its links.
            logger.exception("Extraction failed for %s", response.url)
            self.crawler.stats.inc_value("pages/extract_failed")
            return Reading([], []), outlinks.of(response) if _is_html(response) else Outlinks()


def _is_html(response: Response) -> bool:
    return isinstance(response, HtmlResponse)


def _robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def _apply_politeness(crawler: Crawler, profile: Profile) -> None:
    """The profile's politeness, above the project's settings, below the command line's."""
    rules = profile.politeness
    for setting, value in (
        ("DOWNLOAD_DELAY", rules.download_delay),
        ("CONCURRENT_REQUESTS_PER_DOMAIN", rules.concurrency),
        ("AUTOTHROTTLE_TARGET_CONCURRENCY", rules.autothrottle_target),
        ("CLOSESPIDER_PAGECOUNT", rules.max_pages),
    ):
        if value is not None:
            crawler.settings.set(setting, value, priority="spider")
