"""Page parsing by a site profile's selectors (``crawler.profiles``).

Pure: a parsel ``Selector`` in, raw fields out; times stay the text the page shows. A field
the profile leaves out comes back None (or empty), for zero-config detection to fill in.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urldefrag

from lxml import etree
from parsel import Selector, SelectorList
from parsel.csstranslator import HTMLTranslator

from crawler.pages.feeds import absolute_url
from crawler.pages.raw import MachineTime, RawArticle, RawCard, RawListing
from crawler.pages.sources import clean_source, source_from_text
from crawler.profiles import ArticleRules, CardRules, Profile, Selectors


def text_of(nodes: Selector | SelectorList) -> str | None:
    """The visible text of a node (the first, of a list), spaces folded; None when empty."""
    if isinstance(nodes, SelectorList):
        if not nodes:
            return None
        nodes = nodes[0]
    return _folded(nodes.root)


def first(node: Selector, selectors: Selectors) -> str | None:
    """The first non-empty value the selectors find, in the order given."""
    for selector in selectors:
        found = _xpath(selector)(node.root)
        value = _folded(found[0]) if found else None
        if value:
            return value
    return None


@lru_cache(maxsize=1024)
def _xpath(selector: str) -> etree.XPath:
    """A profile's CSS selector compiled once: parsel's ``css()`` translates and builds an
    evaluator on every call, which made reading a card's fields the costliest step."""
    return etree.XPath(_CSS.css_to_xpath(selector))


def _folded(found: object) -> str | None:
    """An element's text (its text nodes joined) or an attribute's, spaces folded."""
    if isinstance(found, str):  # an attribute or text node (::attr, ::text)
        text = " ".join(found.split())
    else:
        text = " ".join(" ".join(_TEXT(found)).split())
    return text or None


_CSS = HTMLTranslator()
_TEXT = etree.XPath("descendant-or-self::text()")


def link(url: str, href: str | None) -> str | None:
    """``href`` made absolute against the page, without fragment; None for non-web links."""
    absolute = absolute_url(url, href) if href else None
    return urldefrag(absolute).url if absolute else None


#: Where a card's machine-readable time is when the profile names no place for it.
CARD_TIME_ELEMENT = ("time::attr(datetime)",)


def machine_time(node: Selector, selectors: Selectors) -> MachineTime | None:
    """The machine-readable time the profile points at (say a ``<time datetime>``)."""
    raw = first(node, selectors)
    return MachineTime(raw, "profile") if raw else None


def card_machine_time(node: Selector, rules: CardRules) -> MachineTime | None:
    """The card's machine-readable time: where the profile says, else its ``<time>``."""
    if rules.machine_time:
        return machine_time(node, rules.machine_time)
    raw = first(node, CARD_TIME_ELEMENT)
    return MachineTime(raw, "time-element") if raw else None


def parse_listing(page: Selector, url: str, profile: Profile) -> RawListing | None:
    """A listing page by the profile: None when its card selector finds nothing."""
    selector = profile.listing.cards
    if not selector:
        return None
    nodes = page.css(selector)
    if not nodes:
        return None
    return {
        "title": listing_title(page, profile),
        "format": "html",
        "cards": parse_cards(nodes, url, profile.card),
    }


def listing_title(page: Selector, profile: Profile) -> str | None:
    """The listing's heading: where the profile says, else its first ``<h1>``."""
    return first(page, profile.listing.title or ("h1",))


def parse_article(page: Selector, url: str, profile: Profile) -> RawArticle | None:
    """An article page by the profile: None when its root or title is not on the page.
    ``related`` is None-equivalent (empty) when the profile names no related block."""
    rules: ArticleRules = profile.article
    if not rules.given:
        return None
    roots = page.css(rules.root) if rules.root else SelectorList([page])
    if not roots:
        return None
    article = roots[0]
    title = first(article, rules.title) if rules.title else None
    if rules.title and not title:
        return None
    paragraphs = [text_of(node) for selector in rules.body for node in article.css(selector)]
    credit = first(article, rules.credit)
    return {
        "title": title or "",
        "body": "\n\n".join(p for p in paragraphs if p),
        "image_caption": first(article, rules.image_caption),
        "credit": clean_source(credit) if credit else None,
        "source": _source(first(article, rules.source)),
        "time": first(article, rules.time),
        "machine_time": machine_time(article, rules.machine_time),
        "related": parse_cards(page.css(rules.related), url, profile.card)
        if rules.related
        else [],
    }


def parse_cards(nodes: SelectorList, url: str, rules: CardRules) -> list[RawCard]:
    """Cards with a link (the first, when the profile names none); the source falls back
    to what the card's text names. A title may be missing, for detection to fill in."""
    parsed: list[RawCard] = []
    for node in nodes:
        href = link(url, first(node, rules.url or ("a::attr(href)",)))
        title = first(node, rules.title)
        if not href:
            continue
        summary = first(node, rules.summary)
        parsed.append(
            {
                "url": href,
                "title": title or "",
                "source": _source(first(node, rules.source))
                or (source_from_text(summary) if summary else None),
                "summary": summary,
                "time": first(node, rules.time),
                "machine_time": card_machine_time(node, rules),
                "modified": None,
            }
        )
    return parsed


def _source(text: str | None) -> str | None:
    return clean_source(text) if text else None
