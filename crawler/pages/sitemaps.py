"""Sitemaps (urlset, sitemap index, Google News extension) and the sitemaps robots.txt names.

Pure and never raising: a body that is not a sitemap gives None and the caller counts it.
Elements are matched by local name, so any namespace prefix works, and so do sitemaps that
use a prefix without declaring it or no namespace at all. Image and video extensions are
ignored.

Cards from a sitemap without the news extension have an empty ``title``: the sitemap shows
none, so title checks do not apply to them (an empty title is not a missing one).
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import NamedTuple
from urllib.parse import urlsplit

from lxml import etree
from scrapy.utils.gz import gunzip

from crawler.pages.feeds import absolute_url, safe_xml, xml_root_name
from crawler.pages.raw import MachineTime, RawCard, RawListing

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the protocol's cap on an uncompressed sitemap
_GZIP_MAGIC = b"\x1f\x8b"
_ROOTS = frozenset({"urlset", "sitemapindex"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SNIFF_BYTES = 4096


class SitemapPage(NamedTuple):
    listing: RawListing | None  # urlset: format "sitemap", one card per <url>
    sitemaps: list[str]  # sitemapindex: the child sitemaps' URLs, absolute


def parse_sitemap(body: bytes, url: str) -> SitemapPage | None:
    """A urlset's entries as cards, or a sitemap index's children; None when neither.

    Gzipped bodies (``.xml.gz`` served without Content-Encoding) are inflated up to
    ``MAX_SITEMAP_BYTES``; larger ones give None. Parsing streams and frees each entry once
    read, so the tree stays small; memory is a few copies of the body plus the cards.

    Parsing is strict, not libxml2's recovery mode (which Scrapy's ``Sitemap`` uses): after
    its first error recovery silently drops every later ``&amp;``, so URLs lose their
    ``&``. A document broken part-way (cut off, mismatched tags) therefore yields the
    entries that closed before the break: each was read whole, none is a truncated URL.
    """
    if body.startswith(_GZIP_MAGIC):
        try:
            body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
        except (OSError, EOFError, zlib.error, struct.error, ValueError):  # ValueError: cap
            return None
    if len(body) > MAX_SITEMAP_BYTES:
        return None
    root = xml_root_name(body)
    if root is not None and root not in _ROOTS:  # cheap exit for feeds, HTML, other XML
        return None
    data = safe_xml(body)
    if data is None:
        return None
    return _read(data, url)


def looks_like_sitemap(body: bytes, content_type: str | None, url: str) -> bool:
    """Whether a response should go to ``parse_sitemap``: its root is ``urlset`` or
    ``sitemapindex`` (looked for inside gzip too). When the first 4 KB do not show the
    root (or the gzip is unreadable), a non-HTML response whose path names a sitemap is
    taken as one."""
    head = body[:_SNIFF_BYTES]
    if body.startswith(_GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body[:65536], _SNIFF_BYTES)
        except zlib.error:
            head = b""  # unreadable: the URL decides, and parse_sitemap reports the failure
    root = xml_root_name(head)
    if root is not None:
        return root in _ROOTS
    mime = (content_type or "").partition(";")[0].strip().lower()
    return mime not in _HTML_TYPES and "sitemap" in urlsplit(url).path.lower()


def sitemaps_from_robots(text: str, url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt (any case, comments dropped), resolved against
    the robots.txt URL, first occurrence kept."""
    found = []
    for line in text.lstrip("\ufeff").splitlines():
        field, colon, value = line.partition(":")
        if colon and field.strip().lower() == "sitemap":
            href = absolute_url(url, value.partition("#")[0])
            if href:
                found.append(href)
    return list(dict.fromkeys(found))


def _read(data: bytes, url: str) -> SitemapPage | None:
    """Stream the entries; the parser cannot expand entities, fetch or load DTDs."""
    events = etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag=("{*}url", "{*}sitemap"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    root = None
    cards: list[RawCard] = []
    sitemaps: list[str] = []
    try:
        for _, element in events:
            parent = element.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # the root itself, or an extension's element of the same name
            if root is None:
                root = _local(parent.tag)
                if root not in _ROOTS:
                    return None
            name = _local(element.tag)
            if root == "urlset" and name == "url":
                card = _card(element, url)
                if card:
                    cards.append(card)
            elif root == "sitemapindex" and name == "sitemap":
                loc = absolute_url(url, _text(_children(element).get("loc")))
                if loc:
                    sitemaps.append(loc)
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
    except etree.LxmlError:
        pass  # keep what closed before the break (a namespace error is raised only at the end)
    if root is None:  # no entries: an empty but well-formed sitemap still counts
        root = _local(events.root.tag) if events.root is not None else None
    if root == "urlset":
        return SitemapPage({"title": None, "format": "sitemap", "cards": cards}, [])
    if root == "sitemapindex":
        return SitemapPage(None, list(dict.fromkeys(sitemaps)))
    return None


def _card(element: etree._Element, url: str) -> RawCard | None:
    fields = _children(element)
    loc = absolute_url(url, _text(fields.get("loc")))
    if loc is None:
        return None
    news = _children(fields.get("news"))
    published = _text(news.get("publication_date"))
    lastmod = _text(fields.get("lastmod"))
    return {
        "url": loc,
        "title": _text(news.get("title")),
        "source": _text(_children(news.get("publication")).get("name")) or None,
        "summary": None,
        "time": None,
        "machine_time": MachineTime(published, "sitemap") if published else None,
        "modified": MachineTime(lastmod, "sitemap") if lastmod else None,
    }


def _children(element: etree._Element | None) -> dict[str, etree._Element]:
    """Child elements by local name, the first of each name winning."""
    found: dict[str, etree._Element] = {}
    if element is not None:
        for child in element.iterchildren(etree.Element):  # not comments, PIs or entities
            found.setdefault(_local(child.tag), child)
    return found


def _local(tag: str) -> str:
    """The local name: ``{ns}news`` and an undeclared ``news:news`` alike give ``news``."""
    return tag.rpartition("}")[2].rpartition(":")[2]


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    text = element.text if len(element) == 0 else "".join(element.itertext())
    return " ".join(text.split()) if text else ""
