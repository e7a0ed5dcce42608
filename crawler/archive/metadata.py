"""A ``metadata`` record per HTML page: the crawl facts a replay needs.

A spider middleware next to the spider (only ``crawler.provenance``, which holds the
output until the response record is written, is nearer), so it sees every link the page's
callback followed before depth or scope filters drop any. Fields (``application/warc-fields``,
Heritrix's names): ``hopsFromSeed`` (the hop path: ``L`` link, ``E`` embed, ``R``
redirect), ``via`` (the page it was reached from: the redirecting URL, else the referrer),
``fetchTimeMs`` and one ``outlink`` per link or requisite found. A seed's hop path is
``-``, as in Heritrix's crawl log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response

from crawler.archive import require_archiving
from crawler.archive.middleware import WARC_META, WarcArchiveMiddleware
from crawler.spiders.aggregator import HOPS


class WarcMetadataMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.archive: WarcArchiveMiddleware | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcMetadataMiddleware:
        require_archiving(crawler.settings)
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
        if self.archive is None or not isinstance(response, HtmlResponse):
            return
        if WARC_META not in response.meta:
            return
        redirects = response.meta.get("redirect_urls", [])
        hops = response.meta.get(HOPS, "") + "R" * len(redirects)
        fields = [("hopsFromSeed", hops or "-")]
        referrer = response.request.headers.get("Referer") if response.request else None
        if redirects:
            fields.append(("via", redirects[-1]))
        elif referrer:
            fields.append(("via", referrer.decode("latin-1")))
        latency = response.meta.get("download_latency")
        if latency is not None:
            fields.append(("fetchTimeMs", str(round(latency * 1000))))
        fields.extend(("outlink", url) for url in outlinks)
        self.archive.write_metadata(response, fields)
