"""What a page is before it is parsed, and what parsing it had to repair.

The web serves empty pages, pages of tens of megabytes, images and random bytes labelled
text/html, documents cut off mid-tag and markup no validator would pass. Each is archived
like any page; these checks say what it is, so the crawl can count it (``pages/<kind>``),
log it, and skip what cannot be read instead of spending seconds on it or failing.

A ``Finding`` has a severity: ``UNREAD`` (archived only, not parsed: empty, too large,
binary), ``FAULT`` (read, but part of it may be wrong or missing) and ``ROUTINE`` (read as
browsers read it, and common on the web, so worth a count and one log line, not one per
page). Every check is pure and looks at a bounded part of the page, except the parse.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lxml import etree
from lxml.html import HTMLParser
from parsel import Selector

#: Archived only, not parsed.
UNREAD = "unread"
#: Read, but something on the page is wrong or missing.
FAULT = "fault"
#: Read as a browser would; common enough on the web to be logged once, not per page.
ROUTINE = "routine"


class Finding(NamedTuple):
    """What a page turned out to be: counted as ``pages/<kind>``, logged as
    ``<message>: <url>``. A ``ROUTINE`` message names no page-specific number, so that the
    first page of each message stands for the rest in the log."""

    kind: str
    message: str
    severity: str


EMPTY = Finding("empty", "Empty page, archived only", UNREAD)
BINARY = Finding("binary", "Binary body labelled HTML, archived only", UNREAD)
TRUNCATED = Finding(
    "truncated_html", "Truncated HTML (it ends before </body> and </html>), read as far as it goes",
    FAULT,
)  # fmt: skip
MALFORMED = Finding("malformed_html", "Malformed HTML (mismatched tags), read as repaired", ROUTINE)

#: Leading bytes searched for a NUL, which text in UTF-8 or an 8-bit charset never holds
#: (git looks at as many to tell binary files).
SNIFF = 8000
#: Characters at each end of a document where its opening and closing tags are looked for.
ENDS = 65536
#: The scheme of a link (``javascript:``, ``mailto:``), once tabs and newlines are out of
#: it, as browsers take them out; a link without one is relative, so http(s).
_SCHEME = re.compile(r"\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_NOT_IN_URLS = str.maketrans("", "", "\t\n\r")
WEB_SCHEMES = ("http", "https")
_OPENS = re.compile(r"<(?:html|body)[\s>]", re.IGNORECASE)
_CLOSES = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)


def unread(body: bytes, max_size: int | None) -> Finding | None:
    """Why an HTML page is archived but not parsed: it is empty, or larger than
    ``max_size`` bytes (None: no limit), whose parse could hold the crawl up for seconds."""
    if max_size is not None and len(body) > max_size:
        return Finding(
            "too_large",
            f"Too large to read ({len(body):,} bytes; EXTRACTION_MAX_SIZE is {max_size:,}),"
            " archived only",
            UNREAD,
        )
    return EMPTY if not body or body.isspace() else None


def binary(body: bytes, encoding: str) -> Finding | None:
    """``BINARY`` for a body with a NUL byte near its start, unless it is UTF-16 or UTF-32
    (``encoding``, the charset it was decoded with), where NULs are text."""
    if encoding.startswith(("utf-16", "utf-32")) or b"\x00" not in body[:SNIFF]:
        return None
    return BINARY


def truncated(text: str) -> Finding | None:
    """``TRUNCATED`` for a document that opens ``<html>`` or ``<body>`` and closes neither:
    the server stopped writing it (a cut connection is caught earlier, by its length)."""
    if _OPENS.search(text, 0, ENDS) and not _CLOSES.search(text, max(0, len(text) - ENDS)):
        return TRUNCATED
    return None


def parse(text: str) -> tuple[Selector, Finding | None]:
    """The page's tree, as parsel would build it from ``text``, and ``MALFORMED`` when lxml
    had to repair mismatched tags (parsel keeps its parser's error log to itself, and a
    second parse would cost as much as the first)."""
    parser = HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    root = etree.fromstring(
        text.strip().replace("\x00", "").encode("utf-8") or b"<html/>", parser=parser
    )
    if root is None:  # nothing lxml could make a tree of: as parsel, an empty document
        root = etree.fromstring(b"<html/>", parser=parser)
    mismatched = any(e.type == etree.ErrorTypes.ERR_TAG_NAME_MISMATCH for e in parser.error_log)
    return Selector(root=root, type="html"), MALFORMED if mismatched else None


def other_schemes(page: Selector) -> tuple[str, ...]:
    """The scheme of each ``<a>``/``<area>`` link of ``page`` that is not http(s), lower-case,
    in page order: links a crawl never follows (Scrapy's link extractor drops most of them
    unseen), worth counting on a hostile page."""
    schemes = []
    for href in page.xpath("//a/@href | //area/@href").getall():
        found = _SCHEME.match(href.translate(_NOT_IN_URLS))
        if found and (scheme := found[1].lower()) not in WEB_SCHEMES:
            schemes.append(scheme)
    return tuple(schemes)
