"""A page's outlinks as Scrapy's link extractors find them: its requisites and its links.

The spider follows them, but they are found where the page is read
(``crawler.extraction``), in a worker process beside the crawl: parsing a page and
walking its tree costs the crawl's process as much as all Scrapy does for the page
besides. ``found`` builds the response Scrapy would have built from the same URL, body and
Content-Type (so the same charset decodes it and the same ``<base href>`` resolves it) and
runs the same extractors on it: where the links are found changes nothing in what is found.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor


class Outlinks(NamedTuple):
    """Absolute URLs in page order, as the extractors give them (fragments kept)."""

    requisites: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


def page_links() -> LinkExtractor:
    """A page's ``<a>`` links. No extension is denied: an archive wants the linked PDFs
    and images too."""
    return LinkExtractor(deny_extensions=[])


def page_requisites() -> LinkExtractor:
    """What a page needs to be seen as it was: images, stylesheets, icons, scripts."""
    return LinkExtractor(
        deny_extensions=[],
        tags=("img", "link", "script", "source"),
        attrs=("src", "href"),
        restrict_css=("img", "link[rel~=stylesheet]", "link[rel~=icon]", "script", "source"),
    )


_LINKS = page_links()
_REQUISITES = page_requisites()


def of(response: HtmlResponse) -> Outlinks:
    """The outlinks of an HTML response."""
    return Outlinks(
        tuple(link.url for link in _REQUISITES.extract_links(response)),
        tuple(link.url for link in _LINKS.extract_links(response)),
    )


def found(url: str, body: bytes, headers: Mapping | None) -> Outlinks:
    """The outlinks of the HTML page Scrapy fetched from ``url``: ``body`` as received
    (decompressed), ``headers`` at least its Content-Type (the only one read)."""
    return of(HtmlResponse(url, body=body, headers=headers))
