"""Every archived response, recorded in the state store's ``fetches`` table.

A downloader middleware just outside the archive middleware, so it runs after the
response's WARC record has been written and flushed: a row never names a record that a
killed process did not finish. Responses not archived (``WARC_ENABLED`` off) are still
recorded, with no WARC location.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.archive.middleware import WARC_META, WARC_PAYLOAD
from crawler.fetchtime import FETCHED_AT
from crawler.run import run_folder, run_state
from crawler.state.store import Fetch, StateStore
from crawler.timestamps import iso_utc


class FetchRecorderMiddleware:
    def __init__(self, store: StateStore, run_seq: int, run_id: str) -> None:
        self.store = store
        self.run_seq = run_seq
        self.run_id = run_id

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchRecorderMiddleware:
        store, run_seq = run_state(crawler)
        return cls(store, run_seq, run_folder(crawler).id)

    def process_response(
        self, request: Request, response: Response, spider: object = None
    ) -> Response:
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
        return response
