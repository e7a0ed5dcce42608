"""Provenance: every item names the WARC response record it was extracted from.

A spider middleware, so spiders stay navigation-only: it waits until the archive middleware
reports the page's response record written, then copies its location onto each item as
``warc`` (``{"filename", "offset", "length", "record_id"}``; null when archiving is off).

The archive middleware passes a response on before its record is written (the writer
process writes it while the page is read). Nearest the spider, this middleware holds the
page's whole output until then, so nothing after it sees a page whose record is not on
disk: no item names such a record, the metadata record follows the response record, and
the frontier journal never marks such a page done. A page whose record could not be
written gives ``ArchiveWriteFailed`` instead of output: its items would name nothing, and
a resumed run fetches it again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.archive.middleware import WarcArchiveMiddleware


class ProvenanceMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.archive: WarcArchiveMiddleware | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProvenanceMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: object = None) -> None:
        self.archive = self.crawler.get_downloader_middleware(WarcArchiveMiddleware)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        location = None
        archived = self.archive.location(response.request) if self.archive else None
        if archived is not None:
            location = await archived
        async for output in result:
            if output is not None and not isinstance(output, Request):
                ItemAdapter(output)["warc"] = location
            yield output
