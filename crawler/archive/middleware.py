"""Downloader middleware that archives every exchange, byte-faithful, into the run folder.

It must sit nearer the downloader than HttpCompressionMiddleware (590) and
RedirectMiddleware (600): there the body is still as sent and 3xx responses are still
visible. robots.txt fetches pass through here too, so they are archived like any page.

Settings (defaults in ``crawler.settings``):

- ``WARC_ENABLED``: archive at all.
- ``WARC_PREFIX``: file name prefix; empty means the spider's name.
- ``WARC_MAX_SIZE``: bytes after which the next record starts a new file.
- ``WARC_OPERATOR``: who runs the crawl (contact), written into every warcinfo record.
"""

from __future__ import annotations

import platform
import socket
from importlib.metadata import version

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler import __version__
from crawler.archive.records import request_record, response_record
from crawler.archive.writer import WarcFileWriter
from crawler.fetchtime import FETCHED_AT, REQUESTED_AT
from crawler.run import run_folder

#: ``request.meta`` key holding the response record's location (``RecordLocation.to_json``).
WARC_META = "warc"

#: Settings that shape what a crawl fetches, recorded in every warcinfo record.
CRAWL_SETTINGS = (
    "ROBOTSTXT_OBEY",
    "DEPTH_LIMIT",
    "CLOSESPIDER_PAGECOUNT",
    "DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_MAXSIZE",
    "SITE_TIMEZONE",
)


class WarcArchiveMiddleware:
    """Writes a ``response`` then its ``request`` record for every downloaded response."""

    def __init__(self, crawler: Crawler, writer: WarcFileWriter) -> None:
        self.crawler = crawler
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveMiddleware:
        settings = crawler.settings
        if not settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        run = run_folder(crawler)
        writer = WarcFileWriter(
            run.path,
            prefix=settings.get("WARC_PREFIX") or crawler.spidercls.name,
            max_size=settings.getint("WARC_MAX_SIZE"),
            info=warcinfo_fields(crawler, run.id),
        )
        middleware = cls(crawler, writer)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(
        self, request: Request, response: Response, spider: object = None
    ) -> Response:
        fetched_at = request.meta[FETCHED_AT]
        builder = self.writer.builder
        response_rec = response_record(builder, response, fetched_at)
        request_rec = request_record(
            builder,
            request,
            request.meta.get(REQUESTED_AT, fetched_at),
            response_rec.rec_headers.get_header("WARC-Record-ID"),
        )
        locations = self.writer.write(response_rec, request_rec)
        request.meta[WARC_META] = locations[0].to_json()
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("archive/records", len(locations))
            stats.inc_value("archive/bytes", sum(location.length for location in locations))
        return response

    def spider_closed(self, spider: object = None) -> None:
        self.writer.close()


def warcinfo_fields(crawler: Crawler, run_id: str) -> dict[str, str]:
    """The warcinfo body: who wrote the file, with what, under which crawl settings."""
    settings = crawler.settings
    fields = {
        "software": (
            f"aggregator-archiver/{__version__} (Scrapy/{scrapy.__version__};"
            f" warcio/{version('warcio')}; Python/{platform.python_version()})"
        ),
        "format": "WARC File Format 1.1",
        "conformsTo": (
            "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
        ),
        "isPartOf": run_id,
        "hostname": socket.gethostname(),
        "operator": settings.get("WARC_OPERATOR") or "",
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "http-header-user-agent": settings.get("USER_AGENT") or "",
    }
    for name in CRAWL_SETTINGS:
        fields[f"crawl-setting-{name}"] = str(settings.get(name))
    return fields
