"""A crawl contacts only the sites it crawls: no public-suffix-list download at run time.

Scrapy's CookiesMiddleware splits cookie domains with a module-level ``TLDExtract()``,
which fetches the public suffix list from publicsuffix.org on first use. With
``PUBLIC_SUFFIX_LIST_FETCH`` off (the default) this extension swaps in an extractor that
uses the snapshot shipped with tldextract (updated by upgrading tldextract), as
tldextract's own documentation recommends for offline use.
"""

from __future__ import annotations

import logging
from functools import cache

import scrapy.downloadermiddlewares.cookies as cookies
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from tldextract import TLDExtract

logger = logging.getLogger(__name__)


@cache
def bundled_suffixes() -> TLDExtract:
    """A public-suffix splitter on the snapshot shipped with tldextract: no network."""
    return TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


class BundledPublicSuffixList:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BundledPublicSuffixList:
        if crawler.settings.getbool("PUBLIC_SUFFIX_LIST_FETCH"):
            raise NotConfigured("PUBLIC_SUFFIX_LIST_FETCH is on")
        if not isinstance(getattr(cookies, "_split_domain", None), TLDExtract):
            logger.warning("Scrapy's cookie domain splitter moved; the suffix list may be fetched")
            raise NotConfigured("nothing to replace")
        cookies._split_domain = bundled_suffixes()
        return cls()
