"""What page parsers return: fields as the page shows them, before any time is resolved.

Every parser (a site profile's selectors, zero-config detection, feeds, sitemaps, article
metadata) fills these shapes; ``crawler.pages.extract`` resolves their times against the
fetch instant and builds the items.
"""

from __future__ import annotations

from typing import NamedTuple, TypedDict


class MachineTime(NamedTuple):
    """A machine-readable time the page carries (ISO 8601, RFC 822, ...) and where it was:
    ``via`` is one of ``jsonld``, ``opengraph``, ``meta``, ``microdata``, ``time-element``,
    ``attribute`` (an exact time in a shown time's ``title``), ``profile``, ``rss``, ``atom``,
    ``sitemap``, ``htmldate``."""

    raw: str
    via: str


class RawCard(TypedDict):
    url: str
    title: str
    source: str | None
    summary: str | None
    time: str | None  # the displayed time text ("27 minutes ago"), as shown
    machine_time: MachineTime | None  # e.g. the card's <time datetime>, a feed's pubDate
    modified: MachineTime | None  # when the entry last changed (sitemap lastmod, Atom updated)


class RawArticle(TypedDict):
    title: str
    body: str
    image_caption: str | None
    credit: str | None
    source: str | None
    time: str | None  # the displayed time text
    machine_time: MachineTime | None  # datePublished and the like
    related: list[RawCard]


class RawListing(TypedDict):
    title: str | None
    format: str  # html, rss, atom, sitemap
    cards: list[RawCard]
