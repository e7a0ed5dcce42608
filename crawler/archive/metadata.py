"""A ``metadata`` record per parsed page: the crawl facts a replay needs.

A spider middleware, nearest the spider, so it sees every link the page's callback
followed before depth or scope filters drop any. Fields (``application/warc-fields``):
``via`` (referrer), ``hopsFromSeed`` (link depth), ``fetchTimeMs`` and one ``outlink``
per link.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.archive.middleware import WARC_META, WarcArchiveMiddleware


class WarcMetadataMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.archive: WarcArchiveMiddleware | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcMetadataMiddleware:
        if not crawler.settings.getbool("WARC_ENABLED"):
            raise NotConfigured("WARC_ENABLED is off")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: object = None) -> None:
        self.archive = self.crawler.get_downloader_middleware(WarcArchiveMiddleware)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: object = None
    ) -> Iterator[Any]:
        outlinks: list[str] = []
        for output in result:
            if isinstance(output, Request):
                outlinks.append(output.url)
            yield output
        self._write(response, outlinks)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: object = None
    ) -> AsyncIterator[Any]:
        outlinks: list[str] = []
        async for output in result:
            if isinstance(output, Request):
                outlinks.append(output.url)
            yield output
        self._write(response, outlinks)

    def _write(self, response: Response, outlinks: list[str]) -> None:
        if self.archive is None or WARC_META not in response.meta:
            return
        fields = [("hopsFromSeed", str(response.meta.get("depth", 0)))]
        referrer = response.request.headers.get("Referer") if response.request else None
        if referrer:
            fields.append(("via", referrer.decode("latin-1")))
        latency = response.meta.get("download_latency")
        if latency is not None:
            fields.append(("fetchTimeMs", str(round(latency * 1000))))
        fields.extend(("outlink", url) for url in outlinks)
        self.archive.write_metadata(response, fields)
