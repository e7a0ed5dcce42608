"""Downloader middleware that archives every exchange, byte-faithful, into the run folder.

It must sit nearer the downloader than HttpCompressionMiddleware (590) and
RedirectMiddleware (600): there the body is still as sent and 3xx responses are still
visible. robots.txt fetches pass through here too, so they are archived like any page.

Settings (defaults in ``crawler.settings``):

- ``WARC_ENABLED``: archive at all.
- ``WARC_PREFIX``: file name prefix; empty means the spider's name (a distributed run's
  worker adds its name).
- ``WARC_MAX_SIZE``: bytes after which the next record starts a new file.
- ``WARC_OPERATOR``: who runs the crawl (contact), written into every warcinfo record.
- ``WARC_REVISITS_ENABLED``: write a 2xx payload already archived as a ``revisit`` record.
- ``WARC_PAYLOAD_INDEX``: class path of the ``PayloadIndex`` that answers "archived already?".
- ``WARC_WRITER_PROCESS``: build and write the records in a process of their own
  (``crawler.archive.process``), on another core than the crawl's; off (the default): in
  the crawl's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import platform
import socket
from importlib.metadata import version
from typing import Any
from weakref import WeakKeyDictionary

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.misc import build_from_crawler, load_object

from crawler import __version__
from crawler.archive import require_archiving
from crawler.archive.process import ArchiveWriter, ExchangeRecords, MetadataRecord
from crawler.archive.records import (
    ArchiveRecordBuilder,
    Exchange,
    payload_digest,
    target_uri,
    warc_date,
)
from crawler.archive.revisits import ArchivedPayload, PayloadIndex
from crawler.archive.writer import RecordLocation
from crawler.fetchtime import FETCHED_AT, REQUESTED_AT
from crawler.profiles import Profile
from crawler.run import run_folder

logger = logging.getLogger(__name__)


class ArchiveWriteFailed(Exception):
    """A response's records could not be written: nothing may name them."""


#: ``request.meta`` key holding the response record's location (``RecordLocation.to_json``).
WARC_META = "warc"
#: ``request.meta`` key: the response record's type (``response`` or ``revisit``) and
#: payload digest, ``{"type", "digest"}``, for the state store.
WARC_PAYLOAD = "warc_payload"

#: warcinfo field name prefix of a crawl setting (``crawl-setting-SITE_TIMEZONE``); the
#: replay reads the site profile back from these fields.
CRAWL_SETTING_PREFIX = "crawl-setting-"

#: warcinfo field holding the site profile's document as JSON (``Profile.to_json``).
SITE_PROFILE_FIELD = "site-profile"

#: Settings that shape what a crawl fetches and how it reads pages, kept in every warcinfo.
CRAWL_SETTINGS = (
    "ROBOTSTXT_OBEY",
    "DEPTH_LIMIT",
    "CLOSESPIDER_PAGECOUNT",
    "DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_MAXSIZE",
    "EXTRACTION_MAX_SIZE",
    "SITE_PROFILE",
    "SITE_TIMEZONE",
    "SITE_LANGUAGES",
    "SITE_ZONE_NAMES",
    "SCOPE_OUTBOUND",
    "AUTOTHROTTLE_ENABLED",
)


class WarcArchiveMiddleware:
    """Writes a ``response`` (or ``revisit``) then its ``request`` record for every response."""

    def __init__(
        self, crawler: Crawler, writer: ArchiveWriter, payloads: PayloadIndex | None
    ) -> None:
        self.crawler = crawler
        self.writer = writer
        self.payloads = payloads
        #: Per request archived: its response record's location, once written.
        self._locations: WeakKeyDictionary[Request, asyncio.Future[dict[str, Any]]] = (
            WeakKeyDictionary()
        )
        self._unfinished: set[asyncio.Future[dict[str, Any]]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveMiddleware:
        settings = crawler.settings
        require_archiving(settings)
        run = run_folder(crawler)
        prefix = settings.get("WARC_PREFIX") or crawler.spidercls.name
        config = {
            "directory": run.path,
            # Workers of a distributed run write one folder: each its own files.
            "prefix": f"{prefix}-{run.worker}" if run.worker else prefix,
            "max_size": settings.getint("WARC_MAX_SIZE"),
            "info": warcinfo_fields(crawler, run.id),
            # Lines for the run's index.cdxj, kept as records are written.
            "index": settings.getbool("WARC_CDXJ_ENABLED"),
        }
        writer = ArchiveWriter(
            config, process=settings.getbool("WARC_WRITER_PROCESS"), stats=crawler.stats
        )
        payloads = None
        if settings.getbool("WARC_REVISITS_ENABLED"):
            payloads = build_from_crawler(load_object(settings["WARC_PAYLOAD_INDEX"]), crawler)
        middleware = cls(crawler, writer, payloads)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        # Started now: the writer process loads its libraries while the crawl starts.
        writer.start()
        return middleware

    def process_response(
        self, request: Request, response: Response, spider: object = None
    ) -> Response:
        """Hands the exchange to the writer and passes the response on at once: the wait
        for the writer would hold one of the crawl's ``CONCURRENT_REQUESTS`` (Scrapy counts
        a request active until the downloader middlewares return). What needs the record
        on disk waits for it: ``location(request)``."""
        fetched_at = request.meta[FETCHED_AT]
        exchange = Exchange.of(
            request, response, fetched_at, request.meta.get(REQUESTED_AT, fetched_at)
        )
        record_id = ArchiveRecordBuilder.make_warc_id()
        digest = payload_digest(exchange.body)
        original = None
        if self.payloads is not None and _is_complete_2xx(response):
            original = self.payloads.claim(
                digest,
                ArchivedPayload(
                    record_id=record_id,
                    target_uri=target_uri(exchange.url),
                    date=warc_date(fetched_at),
                ),
            )
        written = self.writer.write(ExchangeRecords(exchange, record_id, digest, original))
        payload = {"type": "response" if original is None else "revisit", "digest": digest}
        archived = asyncio.ensure_future(
            self._archived(request, written, payload, truncated=exchange.truncated)
        )
        self._locations[request] = archived
        self._unfinished.add(archived)
        archived.add_done_callback(self._finished)
        return response

    def location(self, request: Request) -> asyncio.Future[dict[str, Any]] | None:
        """The response record's location (``WARC_META``), resolved once the record is
        written; fails with ``ArchiveWriteFailed`` if it could not be. None: this
        request's response was not archived."""
        return self._locations.get(request)

    def write_metadata(self, response: Response, fields: list[tuple[str, str]]) -> None:
        """A ``metadata`` record about ``response``'s page, joined to its response record.
        Not waited for: nothing the crawl does next depends on where it lies."""
        record = MetadataRecord(
            response.url,
            response.meta[FETCHED_AT],
            response.meta[WARC_META]["record_id"],
            fields,
        )
        self.writer.write(record).add_done_callback(self._metadata_written)

    async def spider_closed(self, spider: object = None) -> None:
        if self._unfinished:
            await asyncio.gather(*self._unfinished, return_exceptions=True)
        await self.writer.close()

    async def _archived(
        self,
        request: Request,
        written: asyncio.Future[list[RecordLocation]],
        payload: dict[str, str],
        *,
        truncated: bool,
    ) -> dict[str, Any]:
        try:
            locations = await written
        except Exception as error:
            logger.error("Could not archive %s: %r", request.url, error)
            self._inc("archive/write_failed")
            raise ArchiveWriteFailed(f"{request.url}: its records were not written") from error
        location = locations[0].to_json()
        request.meta[WARC_META] = location
        request.meta[WARC_PAYLOAD] = payload
        self._count(locations)
        if payload["type"] == "revisit":
            self._inc("archive/revisits")
        if truncated:
            self._inc("archive/truncated")
        return location

    def _finished(self, archived: asyncio.Future[dict[str, Any]]) -> None:
        self._unfinished.discard(archived)
        # A failure is logged and counted above; taking it here keeps asyncio from
        # logging it again for a response nothing waited on (a redirect's, say).
        if not archived.cancelled():
            archived.exception()

    def _metadata_written(self, written: asyncio.Future[list[RecordLocation]]) -> None:
        try:
            self._count(written.result())
        except Exception:
            # The page's response record and item are safe; only its crawl facts are lost.
            logger.exception("Could not write a metadata record")
            self._inc("archive/metadata_failed")

    def _count(self, locations: list[RecordLocation]) -> None:
        self._inc("archive/records", len(locations))
        self._inc("archive/bytes", sum(location.length for location in locations))

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)


def _is_complete_2xx(response: Response) -> bool:
    """Only whole, successful, non-empty payloads are worth deduplicating."""
    return 200 <= response.status < 300 and bool(response.body) and "dataloss" not in response.flags


def setting_text(value: object) -> str:
    """A setting as warcinfo text: lists comma-separated, mappings as JSON."""
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    if isinstance(value, dict | BaseSettings):
        return json.dumps(dict(value), sort_keys=True)
    return str(value)


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
        fields[CRAWL_SETTING_PREFIX + name] = setting_text(settings.get(name))
    profile = getattr(crawler.spider, "profile", None)
    if isinstance(profile, Profile):
        # The profile pages were read with, whole, so a replay reads them the same way.
        fields[SITE_PROFILE_FIELD] = profile.to_json()
        for name, value in (
            ("SITE_TIMEZONE", profile.timezone),
            ("SITE_LANGUAGES", list(profile.languages)),
            ("SITE_ZONE_NAMES", dict(profile.zone_names)),
        ):
            fields[CRAWL_SETTING_PREFIX + name] = setting_text(value)
    return fields
