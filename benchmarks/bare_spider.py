"""Bare Scrapy: the baseline of ``benchmarks.scale``.

The links the project's spider follows on the sample site (every ``<a>`` link on the
site, and each page's requisites: images, stylesheets, scripts), found by the same link
extractors, in the same order (a listing's next pages, found by the profile's pagination
selector, at the project's ``PAGINATION_PRIORITY``), and one minimal item per HTML page,
written by Scrapy's own feed export. No archive, no extraction, no timestamps, no state.
Run with Scrapy's default settings and the benchmark's ``-s`` options: ``scrapy runspider
benchmarks/bare_spider.py -a start_url=URL -a pagination=CSS -a priority=N -o
items.jsonl``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse, Response

from crawler.outlinks import page_links, page_requisites


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(
        self, start_url: str, pagination: str = "", priority: str = "0", *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = [start_url]
        self.allowed_domains = [urlsplit(start_url).hostname or ""]
        self.links = page_links()
        self.requisites = page_requisites()
        self.pagination = pagination
        self.priority = int(priority)

    def parse(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, HtmlResponse):
            return
        if self.pagination and (href := response.css(self.pagination).attrib.get("href")):
            yield response.follow(href, callback=self.parse, priority=self.priority)
        for extractor in (self.requisites, self.links):
            for link in extractor.extract_links(response):
                yield response.follow(link.url, callback=self.parse)
        yield {"url": response.url}
