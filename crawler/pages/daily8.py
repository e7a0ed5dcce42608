"""Page parser for Daily8-style aggregators (the bundled sample site follows it).

Pure: a parsel ``Selector`` in, raw fields out. Times stay the text the page shows;
``crawler.pages.extract`` resolves them against the fetch instant.
"""

from __future__ import annotations

from typing import TypedDict
from urllib.parse import urljoin

from parsel import Selector, SelectorList

from crawler.pages.sources import source_from_text


class RawCard(TypedDict):
    url: str
    title: str
    source: str | None
    summary: str | None
    time: str | None


class RawArticle(TypedDict):
    title: str
    body: str
    image_caption: str | None
    credit: str | None
    source: str | None
    time: str | None
    related: list[RawCard]


class RawListing(TypedDict):
    title: str | None
    cards: list[RawCard]


def text_of(nodes: Selector | SelectorList) -> str | None:
    """The visible text of a node (the first, of a list), spaces folded; None when empty."""
    if isinstance(nodes, SelectorList):
        if not nodes:
            return None
        nodes = nodes[0]
    text = " ".join(" ".join(nodes.css("::text").getall()).split())
    return text or None


def parse_article(page: Selector, url: str) -> RawArticle | None:
    """An article page: headline, paragraphs, caption, credit, own time, related cards."""
    article = page.css("article.news-article")
    title = text_of(article.css(".article-title"))
    if not title:
        return None
    paragraphs = [text_of(p) for p in article.css(".article-body > p")]
    credit = text_of(article.css(".article-credit"))
    if credit:
        credit = credit.lstrip("©").strip() or None
    return {
        "title": title,
        "body": "\n\n".join(p for p in paragraphs if p),
        "image_caption": text_of(article.css(".article-photo figcaption")),
        "credit": credit,
        "source": text_of(article.css(".article-source")) or credit,
        "time": text_of(article.css(".article-time")),
        "related": parse_cards(page.css("section.related article.card"), url),
    }


def parse_listing(page: Selector, url: str) -> RawListing | None:
    """A listing page: the cards of its main list (related blocks excluded)."""
    cards = page.css("main > div.card-list > article.card")
    if not cards:
        return None
    return {"title": text_of(page.css(".listing-title")), "cards": parse_cards(cards, url)}


def parse_cards(cards: SelectorList, url: str) -> list[RawCard]:
    """Cards with a link; the source falls back to what the card's text names."""
    parsed: list[RawCard] = []
    for card in cards:
        href = card.css("a.card-link::attr(href)").get()
        title = text_of(card.css(".card-title"))
        if not href or not title:
            continue
        summary = text_of(card.css(".card-summary"))
        tag = text_of(card.css(".card-source-tag"))
        source = (
            text_of(card.css(".card-source"))
            or (tag.lstrip("-\u2013 ").strip() if tag else None)
            or (source_from_text(summary) if summary else None)
        )
        parsed.append(
            {
                "url": urljoin(url, href.strip()),
                "title": title,
                "source": source,
                "summary": summary,
                "time": text_of(card.css(".card-time")),
            }
        )
    return parsed
