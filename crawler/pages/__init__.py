"""The extraction seam: a fetched page in, JSON-ready items (and discovery links) out.

``read`` is what the spider calls, ``extract`` (its items alone) what offline replay calls;
both are pure: no network, no clock, no Scrapy. Every displayed time is resolved against
the ``fetched_at`` given, so the same bytes, instant and profile always give the same items.

A page is read by the site profile where it says how (``crawler.pages.profiled``) and by
zero-config detection for everything it leaves out: articles from JSON-LD, OpenGraph and
main text (``crawler.pages.articles``), cards as repeated blocks holding a link and a time
(``crawler.pages.cards``). RSS/Atom feeds and sitemaps become listings of their entries.
An HTML page is first decoded (``crawler.pages.charset``) and checked
(``crawler.pages.guards``): one that is empty, too large or binary is not parsed, and what
a page turned out to be comes back with its items, for the crawl to count and log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from parsel import Selector

from crawler.narrowing import CLOCK_SLACK
from crawler.pages import articles, cards, charset, feeds, guards, profiled, sitemaps
from crawler.pages.guards import FAULT, UNREAD, Finding
from crawler.pages.locale import localised
from crawler.pages.raw import MachineTime, RawArticle, RawCard, RawListing
from crawler.profiles import ZERO_CONFIG, Profile
from crawler.timestamps import Timestamp, iso_utc, normalise, unparsed_json
from crawler.timestamps.machine import machine

Item = dict[str, Any]

#: ``MachineTime.via`` of a date htmldate found in the page's text, not in its metadata.
HEURISTIC = "htmldate"


UNREADABLE_FEED = Finding("unreadable_feed", "Unreadable feed", FAULT)
UNREADABLE_SITEMAP = Finding("unreadable_sitemap", "Unreadable sitemap", FAULT)


class Reading(NamedTuple):
    """What a page gives: its items, and the links discovery found beyond its ``<a>``s
    (feed entries, child sitemaps, ``<link rel=alternate>`` feeds, cards' links);
    ``findings``: what the page turned out to be (``crawler.pages.guards``), e.g. a feed
    or sitemap that is not one, an empty or binary page, a charset it lies about;
    ``schemes``: the scheme of each of its links that is not http(s) (``javascript``,
    ``mailto``...), which the crawl counts and never follows; ``pagination``: the
    listing's next pages (the profile's ``pagination`` selectors)."""

    items: list[Item]
    links: list[str]
    findings: tuple[Finding, ...] = ()
    schemes: tuple[str, ...] = ()
    pagination: tuple[str, ...] = ()

    @property
    def unread(self) -> bool:
        """Whether the page was left unparsed (archived only): nothing to look for in it."""
        return any(finding.severity == UNREAD for finding in self.findings)


def readable(url: str, body: bytes, headers: Mapping | None, *, html: bool) -> bool:
    """Whether a response gives items: an HTML page (``html``: Scrapy's response class
    says so, as the crawl's spider is told), an RSS/Atom feed or a sitemap."""
    kind = content_type(headers)
    return html or feeds.looks_like_feed(body, kind) or sitemaps.looks_like_sitemap(body, kind, url)


def extract(url: str, body: bytes, **options: Any) -> list[Item]:
    """Items for one page: an article item, a listing item, or none for other pages.
    ``read``'s items; ``options`` are ``read``'s keywords."""
    return read(url, body, **options).items


def read(
    url: str,
    body: bytes,
    *,
    fetched_at: datetime,
    headers: Mapping | None = None,
    profile: Profile = ZERO_CONFIG,
    requested_at: datetime | None = None,
    max_size: int | None = None,
) -> Reading:
    """The items of one page, and its discovery links for the spider to follow.

    ``body`` is the decoded payload (no Content-Encoding); ``headers`` may be Scrapy
    ``Headers`` or any mapping of names to values, and only Content-Type is read from it,
    for the charset (``crawler.pages.charset``). ``requested_at``, when the request was sent
    (the request record's ``WARC-Date``): the server wrote the page between it and
    ``fetched_at``, so each time's window covers both (``crawler.timestamps.normalise``).
    An HTML page larger than ``max_size`` bytes (None: no limit), empty or binary is not
    parsed (``crawler.pages.guards``).
    """
    profile = profile.reading(url)
    kind = content_type(headers)
    if feeds.looks_like_feed(body, kind):
        listing = feeds.parse_feed(body, url, kind)
        if listing is None:
            return Reading([], [], (UNREADABLE_FEED,))
        stamp = _Stamper(fetched_at, localised(profile, None, fetched_at), requested_at)
        return _listing_reading(url, listing, stamp, [])
    if sitemaps.looks_like_sitemap(body, kind, url):
        found = sitemaps.parse_sitemap(body, url)
        if found is None:
            return Reading([], [], (UNREADABLE_SITEMAP,))
        stamp = _Stamper(fetched_at, localised(profile, None, fetched_at), requested_at)
        return _listing_reading(url, found.listing, stamp, found.sitemaps)
    unread = guards.unread(body, max_size)
    if unread is not None:
        return Reading([], [], (unread,))
    text, encoding, decoding = charset.decode(body, kind)
    binary = guards.binary(body, encoding)
    if binary is not None:
        return Reading([], [], (binary,))
    page, malformed = guards.parse(text)
    findings = tuple(f for f in (decoding, guards.truncated(text), malformed) if f is not None)
    profile = localised(profile, page, fetched_at)
    stamp = _Stamper(fetched_at, profile, requested_at)
    # Relative links resolve against <base href>, as browsers (and Scrapy's link
    # extraction) resolve them; the page keeps its own URL.
    base = profiled.link(url, page.xpath("//head/base/@href").get()) or url
    links = feeds.feed_links(page, url)
    pagination = tuple(
        href
        for selector in profile.links.pagination
        if (href := profiled.link(base, page.css(selector).attrib.get("href")))
    )
    schemes = guards.other_schemes(page)
    article = _article(page, text, url, base, fetched_at, profile, stamp)
    if article is not None:
        return Reading([stamp.article(url, article)], links, findings, schemes, pagination)
    listing = _listing(page, base, profile, stamp)
    return _listing_reading(url, listing, stamp, links)._replace(
        findings=findings, schemes=schemes, pagination=pagination
    )


def _article(
    page: Selector,
    text: str,
    url: str,
    base: str,
    fetched_at: datetime,
    profile: Profile,
    stamp: _Stamper,
) -> RawArticle | None:
    """The article by the profile, its gaps filled by detection; by detection alone when
    the profile does not say what an article looks like. Card links resolve on ``base``."""
    if not profile.article.given:
        found = articles.article_fields(page, text, url, fetched_at=fetched_at)
        if found is not None:
            found["related"] = cards.detect_cards(page, base, stamp.is_time)
        return found
    found = profiled.parse_article(page, base, profile)
    if found is None:
        return None
    rules = profile.article
    missing = [name for name in _ARTICLE_FIELDS if not getattr(rules, name)]
    detected = (
        articles.article_fields(page, text, url, fetched_at=fetched_at) if missing else None
    )
    _fill(found, detected, missing)
    if not rules.machine_time:
        found["machine_time"] = articles.structured_time(page, url, fetched_at=fetched_at)
    if not rules.related:
        root = page.css(rules.root) if rules.root else None
        found["related"] = cards.detect_cards(page, base, stamp.is_time, exclude=root)
    else:
        found["related"] = _filled(found["related"], page, base, profile, stamp)
    return found


#: Article fields zero-config fills in where a profile has no selector for them.
_ARTICLE_FIELDS = ("title", "body", "time", "source", "credit", "image_caption")
#: Card fields zero-config fills in likewise.
_CARD_FIELDS = ("title", "source", "time", "summary")


def _filled(found: list[RawCard], page: Selector, url: str, profile: Profile,
            stamp: _Stamper) -> list[RawCard]:  # fmt: skip
    """A profile's cards, the fields it has no selector for taken from the card detection
    finds for the same URL; cards still without a title are dropped."""
    missing = [name for name in _CARD_FIELDS if not getattr(profile.card, name)]
    if missing:
        detected = {card["url"]: card for card in cards.detect_cards(page, url, stamp.is_time)}
        for card in found:
            _fill(card, detected.get(card["url"]), missing)
    return [card for card in found if card["title"]]


def _fill(found: Any, detected: Any, names: list[str]) -> None:
    """The fields ``names`` of ``found`` that are empty, from what detection found."""
    for name in names if detected else ():
        found[name] = found[name] or detected[name]


def _listing(page: Selector, url: str, profile: Profile, stamp: _Stamper) -> RawListing | None:
    """The listing by the profile's card selector, else the cards detection finds."""
    if profile.listing.cards:
        listing = profiled.parse_listing(page, url, profile)
        if listing is not None:
            listing["cards"] = _filled(listing["cards"], page, url, profile, stamp)
        return listing
    found = cards.detect_cards(page, url, stamp.is_time)
    if not found:
        return None
    return {"title": profiled.listing_title(page, profile), "format": "html", "cards": found}


def _listing_reading(
    url: str, listing: RawListing | None, stamp: _Stamper, links: list[str]
) -> Reading:
    if listing is None:
        return Reading([], links)
    return Reading([stamp.listing(url, listing)], links + [c["url"] for c in listing["cards"]])


def content_type(headers: Mapping | None) -> str | None:
    """The Content-Type header as text, from Scrapy ``Headers`` or a plain mapping."""
    if not headers:
        return None
    for name, value in headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        if key.lower() != "content-type":
            continue
        if isinstance(value, list | tuple):
            value = value[-1] if value else None
        if isinstance(value, bytes):
            return value.decode("latin-1")
        return value
    return None


class _Stamper:
    """Resolves the raw times of one page against its fetch instant and profile, and
    builds the items' JSON."""

    def __init__(
        self, fetched_at: datetime, profile: Profile, requested_at: datetime | None
    ) -> None:
        self.fetched_at = fetched_at
        self.requested_at = requested_at
        self.profile = profile
        self.zones = dict(profile.zone_names)
        self.is_time = cards.time_predicate(
            fetched_at, tz=profile.timezone, languages=profile.languages, zones=self.zones
        )

    def shown(self, raw: str | None) -> Timestamp | None:
        if raw is None:
            return None
        profile = self.profile
        return normalise(
            raw,
            self.fetched_at,
            tz=profile.timezone,
            languages=profile.languages,
            zones=self.zones,
            sent_at=self.requested_at,
        )

    def machine(self, found: MachineTime | None) -> Timestamp | None:
        if found is None:
            return None
        return machine(found.raw, tz=self.profile.timezone, via=found.via,
                       fetched_at=self.fetched_at)  # fmt: skip

    def published(self, shown_raw: str | None, found: MachineTime | None) -> Item:
        """``published``: the machine-readable time when the page has one, else the shown
        one; ``published_shown``: the shown one too when both exist, and
        ``published_conflict`` when the two disagree (beyond ``CLOCK_SLACK``)."""
        shown = self.shown(shown_raw)
        if shown is not None and found is not None and found.via == HEURISTIC:
            found = None  # a date htmldate guessed from the text: the shown time reads finer
        exact = self.machine(found)
        fields: Item = {
            "published": _json(shown_raw, shown),
            "published_shown": None,
            "published_conflict": False,
        }
        if exact is None:
            if found is not None and shown_raw is None:
                fields["published"] = unparsed_json(found.raw)
            return fields
        fields["published"] = exact.to_json()
        if shown_raw is not None:
            fields["published_shown"] = _json(shown_raw, shown)
            fields["published_conflict"] = shown is not None and (
                exact.latest < shown.earliest - CLOCK_SLACK
                or exact.earliest > shown.latest + CLOCK_SLACK
            )
        return fields

    def card(self, card: RawCard) -> Item:
        modified = self.machine(card["modified"])
        return {
            "url": card["url"],
            "title": card["title"] or None,
            "source": card["source"],
            "summary": card["summary"],
            **self.published(card["time"], card["machine_time"]),
            "modified": modified.to_json() if modified else None,
        }

    def article(self, url: str, article: RawArticle) -> Item:
        return {
            "type": "article",
            "url": url,
            "title": article["title"],
            "body": article["body"],
            "image_caption": article["image_caption"],
            "credit": article["credit"],
            "source": article["source"],
            **self.published(article["time"], article["machine_time"]),
            "related": [self.card(card) for card in article["related"]],
            "fetched_at": iso_utc(self.fetched_at),
        }

    def listing(self, url: str, listing: RawListing) -> Item:
        return {
            "type": "listing",
            "url": url,
            "title": listing["title"],
            "format": listing["format"],
            "fetched_at": iso_utc(self.fetched_at),
            "cards": [self.card(card) for card in listing["cards"]],
        }


def _json(raw: str | None, found: Timestamp | None) -> dict[str, str | None] | None:
    if raw is None:
        return None
    return found.to_json() if found else unparsed_json(raw)
