"""Every archived response, recorded in the state store's ``fetches`` table.

A downloader middleware just outside the archive middleware. The archive passes a
response on before its record is written, so the row is added once the archive reports
the record written and flushed: a row never names a record that a killed process did not
finish. Responses not archived (``WARC_ENABLED`` off) are still
recorded, with no WARC location.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.archive.middleware import WARC_META, WARC_PAYLOAD, WarcArchiveMiddleware
from crawler.fetchtime import FETCHED_AT
from crawler.run import run_folder, run_state
from crawler.state.store import Fetch, StateStore
from crawler.timestamps import iso_utc


class FetchRecorderMiddleware:
    def __init__(self, crawler: Crawler, store: StateStore, run_seq: int, run_id: str) -> None:
        self.crawler = crawler
        self.store = store
        self.run_seq = run_seq
        self.run_id = run_id
        self.archive: WarcArchiveMiddleware | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchRecorderMiddleware:
        store, run_seq = run_state(crawler)
        middleware = cls(crawler, store, run_seq, run_folder(crawler).id)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: object = None) -> None:
        self.archive = self.crawler.get_downloader_middleware(WarcArchiveMiddleware)

    def process_response(
        self, request: Request, response: Response, spider: object = None
    ) -> Response:
        archived = self.archive.location(request) if self.archive is not None else None
        if archived is None:
            self._add(request, response)
        else:
            archived.add_done_callback(partial(self._add_if_written, request, response))
        return response

    def _add_if_written(
        self, request: Request, response: Response, archived: asyncio.Future[Any]
    ) -> None:
        # A record that could not be written is no fetch the archive holds (the archive
        # middleware logs and counts it).
        if archived.exception() is None:
            self._add(request, response)

    def _add(self, request: Request, response: Response) -> None:
        location = request.meta.get(WARC_META) or {}
        payload = request.meta.get(WARC_PAYLOAD) or {}
        filename = location.get("filename")
        self.store.add_fetch(
            Fetch(
                run_seq=self.run_seq,
                url=response.url,
                fetched_at=iso_utc(request.meta[FETCHED_AT]),
                status=response.status,
                payload_digest=payload.get("digest"),
                record_type=payload.get("type"),
                record_id=location.get("record_id"),
                warc_file=f"{self.run_id}/{filename}" if filename else None,
                warc_offset=location.get("offset"),
                warc_length=location.get("length"),
            )
        )
