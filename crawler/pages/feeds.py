"""RSS and Atom feeds as raw listings, the feeds a page links to, and a cheap feed sniff.

Feeds carry machine times and often the original publisher, so they cross-check what an
aggregator's HTML shows. Everything here is pure and never raises: a body that is not a
feed gives None and the caller counts it.

Hostile XML: feedparser does not load external entities or DTDs, but it only strips
``<!ENTITY`` declarations that start a line. One written on the DOCTYPE's line reaches
expat and expands: expat's amplification guard stops a billion laughs only after ~8 MiB
and seconds of work, and smaller blow-ups pass whole. Line-initial declarations with a
plain value are kept as "safe" and re-declared, and when expat then gives up, feedparser's
fallback parser expands them without any limit (a 100 KB entity used 2,000 times gave a
200 MB title in 5 s). ``safe_xml`` therefore drops the whole prolog, DOCTYPE included,
before any parser sees the document: with no DTD there is nothing to expand, fetch or
load. ``crawler.pages.sitemaps`` uses it too.
"""

from __future__ import annotations

import io
import re
from html.entities import html5
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
from lxml import etree
from parsel import Selector
from w3lib.encoding import html_to_unicode, read_bom

from crawler.pages.raw import MachineTime, RawCard, RawListing

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})
_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})  # rdf: RSS 1.0's <rdf:RDF>
_SNIFF_BYTES = 4096
_UTF8_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_BREAKS = ("br", "p", "div", "li", "ul", "ol", "dd", "dt", "tr", "td", "th", "table", "hr",
           "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure", "figcaption",
           "section", "article", "header", "footer")  # fmt: skip
_SOURCE_SEPARATORS = (" - ", " \u2013 ", " \u2014 ", " | ")

_SPACE = re.compile(r"[\s\ufeff]*")
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_DECLARATION_MARK = re.compile(r"""["'<>\[\]]""")
_REFERENCE = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)?")
_XML_ENTITIES = frozenset({"amp;", "lt;", "gt;", "quot;", "apos;"})
_ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> RawListing | None:
    """An RSS (0.9x, 1.0, 2.0) or Atom document's entries as cards; None when not a feed.

    ``url`` resolves relative links; ``content_type`` (the header) gives the charset. Entries
    without an http(s) link are skipped: a card is something the crawl can follow.
    """
    data = safe_xml(body, content_type)
    if data is None:
        return None
    try:
        parsed = feedparser.parse(
            io.BytesIO(data),  # bytes alone would be tried as a file name first
            response_headers={
                "content-location": url,
                "content-type": "application/xml; charset=utf-8",
            },
            resolve_relative_uris=False,  # only rewrites links inside HTML we strip anyway
            sanitize_html=False,  # likewise; _html_text drops scripts and styles itself
        )
    except Exception:  # feedparser reports errors as bozo; a crawl must not die if it slips
        return None
    version = parsed.get("version") or ""
    via = "atom" if version.startswith("atom") else "rss" if version.startswith("rss") else None
    if via is None:  # not RSS or Atom (HTML, a sitemap, CDF, ...)
        return None
    cards = [card for entry in parsed.entries if (card := _card(entry, url, via))]
    feed = parsed.feed
    title = _plain(feed.get("title"), feed.get("title_detail")) or None
    return {"title": title, "format": via, "cards": cards}


def feed_links(page: Selector, url: str) -> list[str]:
    """The RSS and Atom feeds a page's head advertises, absolute, first occurrence kept.

    JSON Feed links are left out: feedparser 6.0 cannot read them, so following them would
    only fetch bodies ``parse_feed`` rejects.
    """
    base = urljoin(url, (page.xpath("//head/base/@href").get() or "").strip())
    found = []
    for link in page.xpath("//head/link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        mime = (link.attrib.get("type") or "").partition(";")[0].strip().lower()
        if "alternate" in rel and mime in FEED_TYPES:
            href = absolute_url(base, link.attrib["href"])
            if href:
                found.append(href)
    return list(dict.fromkeys(found))


def looks_like_feed(body: bytes, content_type: str | None) -> bool:
    """Whether a response should go to ``parse_feed`` rather than the HTML or sitemap parsers.

    The root element decides (``rss``, ``feed``, ``rdf:RDF``), since servers label feeds
    text/xml, text/html or octet-stream; the content type only decides when the first 4 KB
    do not show the root.
    """
    root = xml_root_name(body)
    if root is None:
        return _mime(content_type) in FEED_TYPES
    return root in _FEED_ROOTS


def xml_root_name(body: bytes) -> str | None:
    """The lowercased local name of the root element, read from the first 4 KB only; None
    when they do not show it (no markup, an unclosed or oversized prolog, no BOM on UTF-16)."""
    encoding, bom = read_bom(body[:4])
    head = body[len(bom or b"") : _SNIFF_BYTES].decode(encoding or "latin-1", "replace")
    start = _root_start(head)
    match = _ROOT.match(head, start) if start >= 0 else None
    return match.group(1).rpartition(":")[2].lower() if match else None


def safe_xml(body: bytes, content_type: str | None = None) -> bytes | None:
    """The document as UTF-8 from its root element on, safe for any XML parser; None when
    no root element follows the prolog.

    The prolog goes (XML declaration, comments, processing instructions, DOCTYPE with its
    internal subset): without a DTD no entity can be declared, so none can expand or point
    at a file or URL, whatever the parser's own defences. What parsers stop at is repaired
    outside CDATA sections: named references XML lacks (``&nbsp;``) become character
    references or, when unknown, literal text, as does a bare ``&``; characters XML forbids
    are dropped. libxml2 in recovery mode otherwise drops every later ``&amp;`` in the
    document, corrupting URLs, and expat gives up at the first such error.
    """
    _, text = html_to_unicode(content_type, body)  # BOM, then header charset, then declared
    start = _root_start(text)
    if start < 0 or not _ROOT.match(text, start):
        return None
    parts = []
    pos = start
    while (begin := text.find("<![CDATA[", pos)) >= 0 and (end := text.find("]]>", begin)) >= 0:
        parts.append(_REFERENCE.sub(_reference, text[pos:begin]))
        parts.append(text[begin : end + 3])
        pos = end + 3
    parts.append(_REFERENCE.sub(_reference, text[pos:]))
    return _UTF8_DECLARATION + _ILLEGAL_CHARS.sub("", "".join(parts)).encode("utf-8")


def absolute_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` when that gives an http(s) URL, else None: feeds,
    sitemaps and robots.txt may name javascript:, mailto: or data: targets, or broken ones."""
    href = href.strip()
    if not href:
        return None
    try:
        # Already absolute (sitemaps, most feeds): only checked, which halves the cost
        joined = href if href.startswith(("https://", "http://")) else urljoin(base, href)
        scheme = urlsplit(joined).scheme
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return joined if scheme in ("http", "https") else None


def _card(entry: dict, url: str, via: str) -> RawCard | None:
    link = absolute_url(url, entry.get("link") or "")
    if link is None:
        return None
    source = _source(entry)
    full_title = _plain(entry.get("title"), entry.get("title_detail"))
    title = _without_source(full_title, source)
    # Only a real summary/description: feedparser also copies a lone <content> into
    # "summary", without a "summary_detail", and a full article is no card summary.
    summary = ""
    if "summary_detail" in entry:
        summary = _plain(entry.get("summary"), entry["summary_detail"])
    # A summary that only repeats the title (Google News: "<a>title</a> <font>source</font>")
    with_source = f"{title} {source}" if source else title
    repeats = {full_title.casefold(), title.casefold(), with_source.casefold()}
    published, modified = _times(entry, via)
    return {
        "url": link,
        "title": title,
        "source": source,
        "summary": summary if summary and summary.casefold() not in repeats else None,
        "time": None,
        "machine_time": published,
        "modified": modified,
    }


def _source(entry: dict) -> str | None:
    """The original publisher: <source> (RSS, or Atom's source feed), then dc:source, then
    dc:publisher. Never the feed's own title nor the author: on an aggregator's feed those
    name the aggregator and the writer, not who published the story."""
    origin = entry.get("source") or {}
    for name in (
        _plain(origin.get("title"), origin.get("title_detail")),
        _plain(entry.get("dc_source"), None),
        _plain(entry.get("publisher"), None),
    ):
        if name and not name.startswith(("http://", "https://")):  # dc:source is often a URL
            return name
    return None


def _without_source(title: str, source: str | None) -> str:
    """Google News style titles end in " - Reuters" when <source> says Reuters: drop it."""
    if source:
        for separator in _SOURCE_SEPARATORS:
            suffix = separator + source
            if title.endswith(suffix) and len(title) > len(suffix):
                return title[: -len(suffix)].rstrip()
    return title


def _times(entry: dict, via: str) -> tuple[MachineTime | None, MachineTime | None]:
    """(published, modified) as the raw strings feedparser keeps (trimmed, entities decoded).

    feedparser files dc:date under "updated": an RSS item dated only that way (all of RSS
    1.0) was published then. Otherwise "updated" (Atom <updated>, dc:date, dcterms:modified)
    is a modification, reported when it is a different instant from the publication.
    """
    # dict.get: FeedParserDict answers "updated" with "published" when the entry lacks it
    published, updated = entry.get("published"), dict.get(entry, "updated")
    if not published and via == "rss":
        published, updated = updated, None
    if updated and published:
        parsed = dict.get(entry, "updated_parsed")
        if updated == published or (parsed is not None and parsed == entry.get("published_parsed")):
            updated = None
    return (
        MachineTime(published, via) if published else None,
        MachineTime(updated, via) if updated else None,
    )


def _plain(value: str | None, detail: dict | None) -> str:
    """A feed field as folded text, HTML stripped when feedparser says the field is HTML."""
    if not value:
        return ""
    if detail and detail.get("type") in _HTML_TYPES:
        value = _html_text(value)
    return " ".join(value.split())


def _html_text(markup: str) -> str:
    """Visible text of an HTML fragment, with a space where a block or line break was."""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):  # nothing parseable, or an encoding declaration
        return ""
    etree.strip_elements(root, "script", "style", with_tail=False)
    for element in root.iter(*_BREAKS):
        element.text = " " + (element.text or "")
        element.tail = " " + (element.tail or "")
    return root.text_content()


def _root_start(text: str) -> int:
    """Where the root element starts, past the XML declaration, comments, processing
    instructions and DOCTYPE; -1 when one of those never closes."""
    pos = 0
    while True:
        pos = _SPACE.match(text, pos).end()
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            pos = end + 2 if end >= 0 else -1
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            pos = end + 3 if end >= 0 else -1
        elif text.startswith("<!", pos):
            pos = _declaration_end(text, pos + 2)
        else:
            return pos
        if pos < 0:
            return -1


def _declaration_end(text: str, pos: int) -> int:
    """Just past the ``>`` closing a ``<!DOCTYPE`` whose body starts at ``pos``; -1 if none.

    Linear: quoted literals, comments and processing instructions in the internal subset
    are skipped with one ``find`` each, so a ``>`` or ``]`` inside them does not end it.
    """
    in_subset = False
    while match := _DECLARATION_MARK.search(text, pos):
        mark, pos = match.group(), match.end()
        if mark in "\"'":
            pos = text.find(mark, pos) + 1
            if not pos:
                return -1
        elif mark == "<" and text.startswith(("!--", "?"), pos):
            closer = "-->" if text.startswith("!--", pos) else "?>"
            end = text.find(closer, pos)
            if end < 0:
                return -1
            pos = end + len(closer)
        elif mark in "[]":
            in_subset = mark == "["
        elif mark == ">" and not in_subset:
            return pos
    return -1


def _reference(match: re.Match[str]) -> str:
    """A reference XML parsers accept for the one matched (see ``safe_xml``)."""
    ref = match.group(1)
    if ref is None:
        return "&amp;"
    if ref[0] == "#":
        code = int(ref[2:-1], 16) if ref[1] in "xX" else int(ref[1:-1])
        legal = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
        return match.group() if legal or 0x10000 <= code <= 0x10FFFF else ""
    if ref in _XML_ENTITIES:
        return match.group()
    char = html5.get(ref)
    return "".join(f"&#{ord(c)};" for c in char) if char else "&amp;" + ref


def _mime(content_type: str | None) -> str:
    return (content_type or "").partition(";")[0].strip().lower()
