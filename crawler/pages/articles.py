"""Zero-config article pages: any publisher's article, read without a site profile.

Aggregators link out to thousands of publishers; no one writes selectors for each. What
they share is metadata written for search engines and social networks (JSON-LD, OpenGraph,
``<meta>`` names, microdata, ``<time datetime>``), and prose in sibling paragraphs that
trafilatura finds. ``article_fields`` decides from those whether a page is an article and
returns its fields as the page shows them; ``crawler.timestamps.machine`` reads the
machine time and ``crawler.timestamps.normalise`` the displayed one.

The publication time comes from the most deliberate source the page has: its own JSON-LD
``datePublished``, then OpenGraph, microdata, ``<meta>`` names, the ``<time>`` nearest the
headline, and only then htmldate's guess. Blocks that carry other stories' dates (related,
trending, comments, sidebars) are never read.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from copy import deepcopy
from datetime import datetime, time, timedelta
from html import escape, unescape
from urllib.parse import urlsplit

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector
from trafilatura import bare_extraction
from trafilatura.settings import use_config

from crawler.pages.raw import MachineTime, RawArticle
from crawler.pages.sources import clean_source
from crawler.timestamps.machine import machine
from crawler.timestamps.windows import UTC

ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle",
    "askpublicnewsarticle", "satiricalarticle", "blogposting", "liveblogposting",
    "techarticle", "report", "socialmediaposting",
})  # fmt: skip
#: JSON-LD types of pages that list stories rather than tell one.
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})
#: JSON-LD types of the page itself, whose datePublished is the article's on article pages.
PAGE_TYPES = frozenset({"webpage", "itempage"})

#: OpenGraph properties of the publication time (via ``opengraph``).
OPENGRAPH_DATES = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "article:published",
)  # fmt: skip
#: ``<meta>`` names of the publication time (via ``meta``), most specific first.
META_DATES = (
    "parsely-pub-date", "sailthru.date", "article.published", "article_date_original",
    "article.created", "cxenseparse:recs:publishtime", "publishdate", "publish-date",
    "publish_date", "pubdate", "datepublished", "date_published", "originalpublicationdate",
    "dcterms.created", "dcterms.issued", "dc.date.issued", "dc.date.created", "dc.created",
    "dcterms.date", "dc.date", "citation_publication_date", "citation_date", "rnews:datepublished",
    "pdate", "displaydate", "date",
)  # fmt: skip

#: Class or id words of blocks that hold other stories or readers' posts.
ASIDE_WORDS = frozenset({
    "related", "recommend", "recommended", "recommendations", "comment", "comments",
    "sidebar", "trending", "popular", "mostread", "outbrain", "taboola", "newsletter",
    "promo", "widget", "rail", "discussion", "disqus", "replies", "reply", "breadcrumb",
    "breadcrumbs", "more", "teaser", "teasers", "sponsored", "advert", "advertisement",
    "nav", "navigation", "menu", "topics", "tags", "share", "sharing", "social", "side",
    "ranking",
})  # fmt: skip
ASIDE_TAGS = frozenset({"aside", "nav", "form", "template", "noscript"})
#: Class or id words that mark a headline as the site's logo rather than the story's.
LOGO_WORDS = frozenset({"logo", "brand", "branding", "masthead", "sitename"})
#: Class or id words of a displayed date; ``LATER_WORDS`` mark the last change or the
#: reading time instead, so such elements come last.
DATE_WORDS = frozenset({
    "date", "dates", "time", "datetime", "timestamp", "pubdate", "published", "publish",
    "publication", "posted", "dateline", "fecha", "datum", "zeit", "heure", "hora", "data",
    "veroeffentlicht", "publie", "publicado", "pubblicato",
})  # fmt: skip
LATER_WORDS = frozenset({"update", "updated", "modified", "lastmod", "edited", "read", "reading"})
SOURCE_WORDS = frozenset({"source", "provider", "publisher", "agency", "syndication"})

#: A page without article metadata is a story only with a title this long (a section's
#: is a word or two) ...
MIN_HEADLINE_CHARS = 20
#: ... and fewer story cards (``<article>`` elements beside the headline's) than this.
MIN_CARDS = 3
#: Prose a page without article metadata needs to count as an article.
MIN_PROSE_CHARS = 300
#: ... or this much under a headline with a date beside it (an aggregator's short story).
MIN_DATED_PROSE_CHARS = 120
MIN_PARAGRAPH_CHARS = 80
#: A displayed date is short; longer text is a byline block or a paragraph.
MAX_DISPLAYED = 120
#: How many elements after the headline may hold an unmarked date.
DATELINE_REACH = 40
#: The fetch instant assumed when none is given: nothing a page says lies after it.
_UNBOUNDED = datetime(9000, 1, 1, tzinfo=UTC)
#: The machine time must say at least the day: a month or a year is no publication time.
DAY_OR_FINER = frozenset({"second", "minute", "hour", "day"})

_WORD = re.compile(r"[a-z0-9]+")
_SPACES = re.compile(r"\s+")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_MISSING_COMMA = re.compile(r'("|\d|true|false|null|[}\]])(\s*\n\s*)(")')
_LD_TYPE = re.compile(r'"@type"\s*:\s*"([^"]{1,80})"')
_LD_FIELD = r'"{}"\s*:\s*"((?:[^"\\]|\\.){{1,400}})"'
_DATELIKE = re.compile(r"\d{1,2}\D{1,12}(?:19|20)\d\d|(?:19|20)\d\d\D{1,4}\d{1,2}")
_CREDIT_MARK = re.compile(r"^(?:©|\(c\)|copyright\b)\s*(?:(?:19|20)\d\d\s*)?", re.IGNORECASE)
_BY = re.compile(r"^(?:by|photo|source|credit)\s*:?\s+", re.IGNORECASE)
_HIDDEN = re.compile(r"visually-?hidden|sr-only|screen-reader|a11y-only|offscreen", re.I)
_SOURCE_LABEL = re.compile(r"^(?:source|quelle|fuente|fonte|来源|出典|출처)\s*[:\uff1a]\s*", re.I)
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_SITE_RIGHTS = re.compile(
    r"rights reserved|all rights|droits r|rechte vorbehalten|derechos reservados|版权所有|"
    r"無断転載|(?:19|20)\d\d\s*[-\u2013]\s*(?:19|20)\d\d",
    re.IGNORECASE,
)
#: trafilatura's settings, but a short story (a few hundred CJK characters) is not sent to
#: its fallbacks, which join the paragraphs into one.
_TRAFILATURA = use_config()
_TRAFILATURA.set("DEFAULT", "MIN_EXTRACTED_SIZE", "100")
_TITLE_SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " :: ", " \u00b7 ")


def article_fields(
    page: Selector, html: str, url: str, *, fetched_at: datetime
) -> RawArticle | None:
    """The fields of an article page, or None for listings, home pages and other pages.

    Pure: ``fetched_at`` only bounds which dates are plausible (nothing after it, as the
    page was written before it was fetched), so a replay years later gives the same answer.
    ``related`` is left empty for the caller, who knows where the site keeps its cards.
    """
    root = page.root
    if not isinstance(root, HtmlElement):
        return None
    graph = _jsonld(root)
    ids = {node["@id"]: node for node in graph if isinstance(node.get("@id"), str)}
    metas = _metas(root)
    pages = _page_keys(url, metas.get("canonical"))
    main = _main_article(graph, pages)
    strong = (
        main is not None
        or any(metas.get(name) for name in OPENGRAPH_DATES)
        or _microdata_article(root)
    )
    if not strong and any(_types(node) & (LISTING_TYPES | ARTICLE_TYPES) for node in graph):
        return None  # a listing's JSON-LD, or stories that all live on other pages
    site_names = _site_names(main, metas, ids)
    ld_title = None
    if main is not None:
        ld_title = _clean_title(_text_value(main.get("headline") or main.get("name")), site_names)
    og_title = _clean_title(metas.get("og:title"), site_names)
    headline = _headline(root, ld_title or og_title)
    if not strong and headline is None:
        return None
    title = ld_title or og_title or _clean_title(_text(headline), site_names)
    if not title:
        return None
    prose, run = _prose_run(root)
    scope = _Scope(root, headline, prose)
    if not strong and (
        _weight(title) < MIN_HEADLINE_CHARS
        or (scope.cards() >= MIN_CARDS and not scope.story_article())
        or (run < 3 and not _hints_story(metas, scope))
    ):
        return None
    time_node = scope.best(_time_nodes(_body_of(root)))
    shown_node = time_node if time_node is not None and _text(time_node) else None
    if shown_node is None:
        shown_node = scope.best(_hinted(scope.container, DATE_WORDS, MAX_DISPLAYED, wordy=25))
    if shown_node is None:
        shown_node = scope.dateline()
    shown = _text(shown_node)
    body = _body(scope, url, title)
    if not strong and _weight(body) < (MIN_DATED_PROSE_CHARS if shown else MIN_PROSE_CHARS):
        return None
    found = _machine_time(main, graph, metas, scope, time_node, fetched_at) or _guessed_time(
        scope, html, url, shown, fetched_at
    )
    return {
        "title": title,
        "body": body,
        "image_caption": _text(scope.best(_captions(scope.container))),
        "credit": _credit(scope),
        "source": _shown_source(scope)
        or _source_name(main, ids)
        or (site_names[0] if site_names else None),
        "time": shown,
        "machine_time": found,
        "related": [],
    }


def structured_time(
    page: Selector, url: str | None = None, *, fetched_at: datetime | None = None
) -> MachineTime | None:
    """The publication time the page's metadata gives (JSON-LD, OpenGraph, microdata,
    ``<meta>``), for pages whose displayed time a site profile reads.

    Neither ``<time>`` elements nor htmldate are consulted: where the time is shown is the
    profile's business. ``fetched_at``, if known, rules out times after the fetch.
    """
    root = page.root
    if not isinstance(root, HtmlElement):
        return None
    graph = _jsonld(root)
    metas = _metas(root)
    pages = _page_keys(url, metas.get("canonical")) if url else set()
    main = _main_article(graph, pages)
    title = _text_value(main.get("headline")) if main else metas.get("og:title")
    scope = _Scope(root, _headline(root, _fold(title)), None)
    return _machine_time(main, graph, metas, scope, None, fetched_at)


# -- JSON-LD -------------------------------------------------------------------------------


def _jsonld(root: HtmlElement) -> list[dict]:
    """Every JSON-LD node a search engine would read as describing this page, in order.

    Nodes of ``@graph`` and ``mainEntity`` count; lists of other stories (``ItemList``
    elements, ``hasPart``, live-blog updates) are not entered.
    """
    nodes: list[dict] = []
    for script in root.iter("script"):
        kind = (script.get("type") or "").lower()
        if "ld+json" in kind and script.text:
            _collect(_load(script.text), nodes, 0)
    return nodes


def _load(text: str) -> object:
    """Parse JSON-LD as publishers write it: with HTML comment wrappers, trailing or missing
    commas, raw newlines or HTML entities; what still fails is salvaged field by field."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    text = text.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    repaired = _MISSING_COMMA.sub(r"\1,\2\3", _TRAILING_COMMA.sub(r"\1", text))
    for attempt in (text, repaired, unescape(repaired)):
        try:
            return json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
    return _salvage(text)


def _salvage(text: str) -> dict | None:
    """The fields we read, by pattern, from JSON-LD no parser accepts."""
    types = _LD_TYPE.findall(text)
    if not types:
        return None
    articles = [name for name in types if _type_name(name) in ARTICLE_TYPES]
    node: dict[str, object] = {"@type": (articles or types)[0]}
    for field in ("headline", "datePublished", "dateCreated"):
        match = re.search(_LD_FIELD.format(field), text)
        if match is not None:
            try:
                node[field] = json.loads(f'"{match[1]}"', strict=False)
            except ValueError:
                node[field] = match[1]
    return node


def _collect(node: object, out: list[dict], depth: int) -> None:
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            _collect(item, out, depth + 1)
    elif isinstance(node, dict):
        out.append(node)
        for key in ("@graph", "mainEntity"):
            if key in node:
                _collect(node[key], out, depth + 1)


def _type_name(name: str) -> str:
    """``schema:NewsArticle`` and ``http://schema.org/NewsArticle`` are ``newsarticle``."""
    return name.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()


def _types(node: dict) -> set[str]:
    kind = node.get("@type")
    if isinstance(kind, str):
        return {_type_name(kind)}
    if isinstance(kind, list):
        return {_type_name(name) for name in kind if isinstance(name, str)}
    return set()


def _main_article(graph: list[dict], pages: set[str]) -> dict | None:
    """The article node this page is about: the one naming this page, else the first with
    a publication date. Several that all name other pages make a listing, not an article."""
    articles = [node for node in graph if _types(node) & ARTICLE_TYPES]
    if not articles:
        return None
    own = [node for node in articles if _names_page(node, pages)]
    if own:
        return own[0]
    if len(articles) > 2 and all(_names_page(node, None) for node in articles):
        return None
    dated = [node for node in articles if node.get("datePublished")]
    return (dated or articles)[0]


def _names_page(node: dict, pages: set[str] | None) -> bool:
    """Whether the node's url names one of ``pages`` (with None: names any page at all)."""
    for key in ("url", "mainEntityOfPage", "@id"):
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if (
            isinstance(value, str)
            and value.startswith("http")
            and (pages is None or _page_key(value) in pages)
        ):
            return True
    return False


def _page_keys(url: str, canonical: str | None) -> set[str]:
    return {_page_key(url), *([_page_key(canonical)] if canonical else [])}


def _page_key(url: str) -> str:
    """A URL up to what names the same story: host without www, path without a trailing
    slash or AMP suffix; scheme, query and fragment dropped."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a broken IPv6 host
        return url
    path = parts.path.rstrip("/").removesuffix("/amp").removesuffix(".amp")
    return f"{parts.netloc.lower().removeprefix('www.')}{path}"


def _text_value(value: object) -> str | None:
    """A JSON-LD value as text: a string, the first of a list, a ``@value`` object."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _name(value: object, ids: dict[str, dict], depth: int = 0) -> str | None:
    """The name of an organisation, or of a work's publisher, following ``@id`` references
    into the graph (a few steps: graphs may refer in circles)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict) or depth > 3:
        return None
    if "name" not in value and isinstance(value.get("@id"), str):
        value = ids.get(value["@id"], value)
    kinds = _types(value)
    if not kinds or kinds & {"organization", "newsmediaorganization", "person", "corporation"}:
        return _fold(_text_value(value.get("name")))
    return _name(value.get("publisher"), ids, depth + 1)


def _source_name(main: dict | None, ids: dict[str, dict]) -> str | None:
    """Who the article is from by its JSON-LD: the work it is based on, else its publisher."""
    if main is None:
        return None
    for key in ("isBasedOn", "provider", "sourceOrganization", "publisher"):
        found = _name(main.get(key), ids)
        if found:
            return found
    return None


# -- meta ----------------------------------------------------------------------------------


def _metas(root: HtmlElement) -> dict[str, str]:
    """``<meta>`` name/property values by lower-case key (the first of each), and the
    canonical link. Microdata ``itemprop`` metas belong to items and are read apart."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("http-equiv")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), content.strip())
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            found.setdefault("canonical", link.get("href"))
    return found


def _site_names(main: dict | None, metas: dict[str, str], ids: dict[str, dict]) -> list[str]:
    names = [metas.get("og:site_name"), _name(main.get("publisher"), ids) if main else None]
    return [name for name in (_fold(name) for name in names) if name]


def _clean_title(title: str | None, site_names: list[str]) -> str | None:
    """The headline without the site's name appended ("Story | Site", "Story - Site")."""
    title = _fold(unescape(title)) if title else None
    if not title:
        return None
    for site in site_names:
        for separator in _TITLE_SEPARATORS:
            suffix = f"{separator}{site}"
            if title.lower().endswith(suffix.lower()) and len(title) > len(suffix):
                return title[: -len(suffix)].strip()
    return title


# -- the page's own time -------------------------------------------------------------------


def _machine_time(
    main: dict | None,
    graph: list[dict],
    metas: dict[str, str],
    scope: _Scope,
    time_node: HtmlElement | None,
    fetched_at: datetime | None,
) -> MachineTime | None:
    """The first plausible machine-readable publication time, most deliberate source first.

    A time written without its zone ("2024-03-12T00:20:00") gives way to a later source
    that writes the same wall time with one ("2024-03-12T00:20:00+01:00"): the instant is
    then known whatever zone the site is configured with.
    """
    found: MachineTime | None = None
    for raw, via in _candidates(main, graph, metas, scope, time_node):
        if not raw or not _plausible(raw, via, fetched_at):
            continue
        if found is None:
            found = MachineTime(raw.strip(), via)
            if _zoned(found.raw):
                return found
        elif _digits(raw)[:12] == _digits(found.raw)[:12] and _zoned(raw):
            return MachineTime(raw.strip(), via)
    return found


def _candidates(
    main: dict | None,
    graph: list[dict],
    metas: dict[str, str],
    scope: _Scope,
    time_node: HtmlElement | None,
) -> Iterator[tuple[str | None, str]]:
    if main is not None:
        yield _text_value(main.get("datePublished")), "jsonld"
    for name in OPENGRAPH_DATES:
        yield metas.get(name), "opengraph"
    for node in scope.ordered(_microdata_dates(scope.root)):
        yield node.get("content") or node.get("datetime") or node.get("title"), "microdata"
    for name in META_DATES:
        yield metas.get(name), "meta"
    if main is not None:
        yield _text_value(main.get("dateCreated")), "jsonld"
    for node in graph:
        if _types(node) & PAGE_TYPES:
            yield _text_value(node.get("datePublished")), "jsonld"
    if time_node is not None:
        yield _stamp_of(time_node), "time-element"


def _plausible(raw: str, via: str, fetched_at: datetime | None) -> bool:
    """Whether ``machine`` reads ``raw`` to at least a day, not after the fetch (any zone);
    without a fetch instant, any such time after 1990."""
    found = machine(raw, tz="UTC", via=via, fetched_at=fetched_at or _UNBOUNDED)
    return found is not None and found.precision in DAY_OR_FINER


def _zoned(raw: str) -> bool:
    """Whether a machine time says its zone: it reads the same wherever the site is."""
    here = machine(raw, tz="UTC", via="", fetched_at=_UNBOUNDED)
    there = machine(raw, tz="Asia/Tokyo", via="", fetched_at=_UNBOUNDED)
    return here is not None and there is not None and here.value == there.value


def _digits(raw: str) -> str:
    return re.sub(r"\D", "", raw)


def _microdata_article(root: HtmlElement) -> bool:
    """Whether the page is one microdata Article item with its own ``datePublished``: as
    deliberate as JSON-LD, and pages that mark up no ``<h1>`` rely on it. Several such items
    are a listing's cards."""
    items = [
        node
        for node in root.xpath("//*[@itemscope][@itemtype]")
        if _type_name(node.get("itemtype").strip().rstrip("/")) in ARTICLE_TYPES
    ]
    return len(items) == 1 and any(_item_of(node) is items[0] for node in _microdata_dates(root))


def _item_of(node: HtmlElement) -> HtmlElement | None:
    """The microdata item a property belongs to: its nearest ``itemscope`` ancestor."""
    scopes = (parent for parent in node.iterancestors() if parent.get("itemscope") is not None)
    return next(scopes, None)


def _microdata_dates(root: HtmlElement) -> Iterator[HtmlElement]:
    for node in root.xpath("//*[contains(@itemprop, 'datePublished')]"):
        if "datePublished" in node.get("itemprop").split():
            yield node


def _stamp_of(node: HtmlElement) -> str | None:
    return node.get("datetime") or node.get("data-timestamp") or node.get("data-datetime")


def _time_nodes(container: HtmlElement) -> Iterator[HtmlElement]:
    """``<time>`` elements and elements stamped with a machine time in data attributes."""
    for node in container.iter(etree.Element):
        if node.tag == "time" or node.get("data-timestamp") or node.get("data-datetime"):
            yield node


def _guessed_time(
    scope: _Scope, html: str, url: str, shown: str | None, fetched_at: datetime
) -> MachineTime | None:
    """htmldate's day, when the page has no machine-readable time.

    A displayed date is read alone (so no other story's date can win); one htmldate cannot
    read ("3 hours ago") is left to ``normalise``. Without one, the URL and the page less
    its asides are searched. Dates after the fetch day are out, so a replay finds what the
    crawl did; a year that appears nowhere in the page (nor as "24" in a shown "12.03.24")
    came from htmldate's clock and is refused too.
    """
    latest = datetime.combine((fetched_at.astimezone(UTC) + timedelta(days=1)).date(), time.max)
    if shown is not None:
        document: str | HtmlElement = f"<html><body><p>{escape(shown)}</p></body></html>"
        evidence, page_url = shown, None
    else:
        document, evidence, page_url = scope.pruned(), f"{url} {html}", url
    try:
        found = find_date(
            document, extensive_search=True, original_date=True, url=page_url, max_date=latest
        )
    except (ValueError, TypeError, OverflowError):  # htmldate on pathological markup
        return None
    if not found:
        return None
    years = (found[:4], found[2:4]) if shown is not None else (found[:4],)
    if not any(re.search(rf"(?<!\d){year}(?!\d)", evidence) for year in years):
        return None
    return MachineTime(found, "htmldate")


# -- where the story is on the page --------------------------------------------------------


class _Scope:
    """The story on the page: its headline, container and prose, and the blocks around it
    that hold other stories, comments or site chrome (``blocks``).

    Without an ``<article>`` or ``<main>`` around the headline the container is the body,
    and then a footer is the site's, not the story's. The headline, the prose and whatever
    holds them are never an aside, whatever their classes say.
    """

    def __init__(
        self, root: HtmlElement, headline: HtmlElement | None, prose: HtmlElement | None
    ) -> None:
        self.root = root
        self.body = _body_of(root)
        self.headline = headline
        self.prose = prose
        self.container = _container(headline) if headline is not None else self.body
        self._keep = {
            node
            for anchor in (headline, prose)
            if anchor is not None
            for node in (anchor, *anchor.iterancestors())
        }
        self._asides: set[HtmlElement] | None = None
        self._order: dict[HtmlElement, int] | None = None
        self._elements: list[HtmlElement] = []

    def asides(self) -> set[HtmlElement]:
        """The outermost blocks of other stories, comments and chrome (see ``_aside_block``)."""
        if self._asides is None:
            self._asides = set()
            own = self.container is not self.body
            stack = [(self.body, self.body is self.container)]
            while stack:
                node, inside = stack.pop()
                for child in node.iterchildren(etree.Element):
                    within = inside or child is self.container
                    if child not in self._keep and _aside_block(child, own and within):
                        self._asides.add(child)
                    else:
                        stack.append((child, within))
        return self._asides

    def aside(self, node: HtmlElement) -> bool:
        asides = self.asides()
        return node in asides or any(parent in asides for parent in node.iterancestors())

    def blocks(self) -> list[str]:
        """The asides as absolute XPaths, to drop them from a copy of the page."""
        tree = self.root.getroottree()
        paths = (tree.getpath(node) for node in self.asides())
        return [path for path in paths if ":" not in path]  # "fb:like" is no XPath step

    def pruned(self) -> HtmlElement:
        """A copy of the page without its asides, for a page-wide search."""
        copy = deepcopy(self.root)
        paths = self.blocks()
        for node in copy.xpath(" | ".join(paths)) if paths else ():
            node.getparent().remove(node)
        return copy

    def ordered(self, nodes: Iterator[HtmlElement]) -> list[HtmlElement]:
        """``nodes`` outside the asides, the story's own nearest the headline first: after it
        before above it, inside the container before outside, "updated" ones last."""
        kept = [node for node in nodes if not self.aside(node)]
        if len(kept) < 2:
            return kept
        order = self.order()
        mark = order.get(self.headline, 0) if self.headline is not None else 0

        def rank(node: HtmlElement) -> tuple[bool, bool, bool, int]:
            at = order.get(node, 0)
            outside = not _within(node, self.container)
            return _marks(node, LATER_WORDS), outside, at < mark, abs(at - mark)

        return sorted(kept, key=rank)

    def best(self, nodes: Iterator[HtmlElement]) -> HtmlElement | None:
        ranked = self.ordered(nodes)
        return ranked[0] if ranked else None

    def order(self) -> dict[HtmlElement, int]:
        if self._order is None:
            self._elements = list(self.root.iter(etree.Element))
            self._order = {node: index for index, node in enumerate(self._elements)}
        return self._order

    def cards(self) -> int:
        """How many ``<article>`` elements, outside the asides and not around the headline,
        the page lists: a listing's story cards."""
        return sum(
            1
            for node in self.root.iter("article")
            if node not in self._keep
            and not self.aside(node)
            and not any(parent.tag == "article" for parent in node.iterancestors())
        )

    def story_article(self) -> bool:
        """Whether the headline and the story's text share one ``<article>``: the other
        ``<article>`` elements are then cards of related stories, not a listing's."""
        return (
            self.headline is not None
            and self.container.tag == "article"
            and _within(self.headline, self.container)
        )

    def dateline(self) -> HtmlElement | None:
        """The innermost short text right after the headline that holds a date ("KYODO NEWS -
        Mar 12, 2024 - 18:43"), for pages that mark their date up in no way at all. It comes
        before the story's text: the search ends at its second paragraph."""
        if self.headline is None:
            return None
        start = self.order()[self.headline]
        found = None
        paragraphs = 0
        for node in self._elements[start + 1 : start + 1 + DATELINE_REACH]:
            if found is not None and not _within(node, found):
                break
            if node.tag == "p" and _weight(node.text_content()) >= MIN_PARAGRAPH_CHARS:
                paragraphs += 1
                if paragraphs > 1:
                    break
            text = _text(node)
            if (
                text
                and len(text) <= MAX_DISPLAYED
                and _DATELIKE.search(text)
                and not _CREDIT_MARK.match(text)
                and not any(parent.tag in ("figure", "h1") for parent in node.iterancestors())
                and not self.aside(node)
            ):
                found = node
        return found


def _aside_block(node: HtmlElement, inside: bool) -> bool:
    """Whether this element is a block of other stories, comments or site chrome; a footer
    ``inside`` the story is its own (it may hold the date), one outside is the site's."""
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in ASIDE_TAGS or node.get("role") in ("complementary", "navigation"):
        return True
    words = _words(node)
    if any(word in ASIDE_WORDS for word in words):
        return True
    return not inside and (tag == "footer" or "footer" in words)


def _within(node: HtmlElement, container: HtmlElement) -> bool:
    return node is container or any(parent is container for parent in node.iterancestors())


def _words(node: HtmlElement) -> list[str]:
    return _WORD.findall(f"{node.get('class') or ''} {node.get('id') or ''}".lower())


def _marks(node: HtmlElement, words: frozenset[str]) -> bool:
    return any(word in words for word in _words(node))


def _headline(root: HtmlElement, title: str | None) -> HtmlElement | None:
    """The story's ``<h1>``: the one matching the metadata title (or, on pages without a
    matching heading, the microdata ``headline``), else the first that is not the site's logo."""
    heads = [head for head in root.iter("h1") if _text(head) and not _logo(head)]
    if title:
        wanted = title.lower()
        for head in (*heads, *root.iter("h2", "h3"), *root.xpath("//*[@itemprop='headline']")):
            text = (_text(head) or "").lower()
            if text == wanted or (len(text) >= 12 and (text in wanted or wanted in text)):
                return head
    return heads[0] if heads else None


def _logo(head: HtmlElement) -> bool:
    """Whether an ``<h1>`` is the site's name: marked as a logo, in the navigation, or only
    a link to the home page."""
    near = [head, *head.iterancestors()][:4]
    if any(_marks(node, LOGO_WORDS) or node.tag == "nav" for node in near):
        return True
    link = head.find(".//a")
    return (
        link is not None
        and _page_key(link.get("href") or "").partition("/")[2] == ""
        and _text(link) == _text(head)
    )


def _container(headline: HtmlElement) -> HtmlElement:
    """The story's block: the ``<article>`` or ``<main>`` holding the headline, else the body."""
    for node in headline.iterancestors():
        kind = (node.get("itemtype") or "").lower()
        if node.tag in ("article", "main") or "article" in kind or "posting" in kind:
            return node
    return _body_of(headline.getroottree().getroot())


def _body_of(root: HtmlElement) -> HtmlElement:
    body = root.find("body")
    return body if body is not None else root


def _hinted(
    container: HtmlElement,
    words: frozenset[str],
    longest: int,
    *,
    wordy: int | None = None,
    figures: bool = True,
) -> Iterator[HtmlElement]:
    """The innermost short elements whose class or id says they hold ``words``; a text
    without a digit only up to ``wordy`` characters ("just now" is a time, "Share" not)."""
    for node in container.iter(etree.Element):
        if node.tag in ("script", "style") or not _marks(node, words):
            continue
        text = _text(node)
        if not text or len(text) > longest:
            continue
        if wordy is not None and len(text) > wordy and not any(c.isdigit() for c in text):
            continue
        if any(
            _marks(inner, words) and _text(inner) for inner in node.iterdescendants(etree.Element)
        ):
            continue
        if not figures and any(
            parent.tag in ("figure", "figcaption") for parent in node.iterancestors()
        ):
            continue
        yield node


def _shown_source(scope: _Scope) -> str | None:
    """A source the story shows ("Reuters", "Source: AFP"), label and decoration dropped."""
    text = _text(scope.best(_hinted(scope.container, SOURCE_WORDS, 60, figures=False)))
    return clean_source(_SOURCE_LABEL.sub("", text)) if text else None


def _captions(container: HtmlElement) -> Iterator[HtmlElement]:
    for figure in container.iter("figure"):
        caption = figure.find(".//figcaption")
        if caption is not None:
            yield caption


def _credit(scope: _Scope) -> str | None:
    """The story's credit line ("© KYODO" is KYODO): marked as a credit or starting with ©,
    near the story (in its container, or beside its paragraphs when the container is the
    whole body), and neither a photo's credit nor the site's copyright notice."""
    region = scope.container
    if region is scope.body and scope.prose is not None:
        parent = scope.prose.getparent()
        region = parent if parent is not None else scope.prose
    candidates = []
    for node in region.iter("p", "span", "div", "small", "footer"):
        text = _text(node)
        if (
            text
            and len(text) <= 80
            and (_CREDIT_MARK.match(text) or "credit" in _words(node))
            and not _SITE_RIGHTS.search(text)
            and not _DATELIKE.search(text)
            and not _CLOCK.search(text)
            and not any(parent.tag in ("figure", "figcaption") for parent in node.iterancestors())
        ):
            candidates.append(node)
    text = _text(scope.best(iter(candidates)))
    if not text:
        return None
    return _BY.sub("", _CREDIT_MARK.sub("", text)).strip(" .,") or None


# -- text ----------------------------------------------------------------------------------


def _hints_story(metas: dict[str, str], scope: _Scope) -> bool:
    """Weaker signs of a story than JSON-LD or a published time: OpenGraph's type, a
    publication-date ``<meta>``, microdata, a headline inside ``<article>`` or an Article
    item."""
    if metas.get("og:type") == "article" or any(metas.get(name) for name in META_DATES):
        return True
    if any(not scope.aside(node) for node in _microdata_dates(scope.root)):
        return True
    return (
        scope.container.tag == "article"
        or "article" in (scope.container.get("itemtype") or "").lower()
    )


def _prose_run(root: HtmlElement) -> tuple[HtmlElement | None, int]:
    """The parent of the most long paragraphs with their own text, and how many: stories
    have runs of them, listings one teaser per card."""
    runs: Counter[HtmlElement] = Counter()
    for paragraph in root.iter("p"):
        text = paragraph.text_content()
        if _weight(text) < MIN_PARAGRAPH_CHARS:
            continue
        linked = sum(len(link.text_content()) for link in paragraph.iter("a"))
        if linked * 2 < len(text):
            runs[paragraph.getparent()] += 1
    if not runs:
        return None, 0
    return runs.most_common(1)[0]


def _body(scope: _Scope, url: str, title: str) -> str:
    """The main text by trafilatura, paragraphs apart, the headline not repeated.

    trafilatura gets the parsed tree (it copies it rather than parsing again) and the paths
    of the asides to drop from its copy, so related lists and sidebars stay out; comments
    and tables are left out too.
    """
    blocks = scope.blocks()
    try:
        document = bare_extraction(
            scope.root,
            url=url,
            include_comments=False,
            include_tables=False,
            with_metadata=False,
            prune_xpath=" | ".join(blocks) if blocks else None,
            config=_TRAFILATURA,
        )
    except (ValueError, TypeError, etree.LxmlError):  # trafilatura on pathological markup
        return ""
    text = getattr(document, "text", None) or ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0] == title:
        del lines[0]
    return "\n\n".join(lines)


def _text(node: HtmlElement | None) -> str | None:
    """The visible text of a node, spaces folded; None when empty. Text kept for screen
    readers only ("Image caption, ", "Posted on ") is not shown, so it is left out."""
    if node is None:
        return None
    parts: list[str] = []
    _visible(node, parts)
    return _fold(" ".join(parts))


def _visible(node: HtmlElement, parts: list[str]) -> None:
    if node.text:
        parts.append(node.text)
    for child in node:
        if (
            isinstance(child.tag, str)
            and child.tag not in ("script", "style")
            and not _HIDDEN.search(child.get("class") or "")
        ):
            _visible(child, parts)
        if child.tail:
            parts.append(child.tail)


def _weight(text: str) -> int:
    """Text length with CJK characters counted twice: they carry about a word each."""
    return len(text) + sum(1 for char in text if char >= "\u2e80")


def _fold(text: str | None) -> str | None:
    if not text:
        return None
    return _SPACES.sub(" ", text).strip() or None
