"""Fetch time is data: the instant each response arrived, recorded once, at download.

Sits nearest the downloader so ``requested_at`` is taken last before sending and
``fetched_at`` first after receiving. Everything downstream (WARC-Date, item
``fetched_at``, timestamp resolution) reads these two meta keys and never the clock.
"""

from __future__ import annotations

from datetime import datetime, timezone

from scrapy import Request
from scrapy.http import Response

REQUESTED_AT = "requested_at"
FETCHED_AT = "fetched_at"


class FetchTimeMiddleware:
    """Stamps ``request.meta`` with aware UTC ``requested_at`` and ``fetched_at``."""

    def process_request(self, request: Request, spider: object = None) -> None:
        request.meta[REQUESTED_AT] = datetime.now(timezone.utc)

    def process_response(
        self, request: Request, response: Response, spider: object = None
    ) -> Response:
        request.meta[FETCHED_AT] = datetime.now(timezone.utc)
        return response
