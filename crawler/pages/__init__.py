"""The extraction seam: a fetched page in, JSON-ready items out.

``extract`` is the one entry point the spider's callbacks and offline replay share. It is
pure: no network, no clock, no Scrapy. Every displayed time is resolved against the
``fetched_at`` given, so the same bytes and instant always give the same items.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from parsel import Selector
from w3lib.encoding import html_to_unicode

from crawler.pages import daily8
from crawler.pages.daily8 import RawCard
from crawler.profiles import DEFAULT_PROFILE, Profile
from crawler.timestamps import iso_utc, normalise, unparsed_json

Item = dict[str, Any]


def extract(
    url: str,
    body: bytes,
    *,
    fetched_at: datetime,
    headers: Mapping | None = None,
    profile: Profile = DEFAULT_PROFILE,
    requested_at: datetime | None = None,
) -> list[Item]:
    """Items for one page: an article item, a listing item, or none for other pages.

    ``body`` is the decoded payload (no Content-Encoding); ``headers`` may be Scrapy
    ``Headers`` or any mapping of names to values, and only Content-Type is read from it,
    to pick the charset the way Scrapy does. ``requested_at``, when the request was sent
    (the request record's ``WARC-Date``): the server wrote the page between it and
    ``fetched_at``, so each time's window covers both (``crawler.timestamps.normalise``).
    """
    _, text = html_to_unicode(content_type(headers), body)
    page = Selector(text=text, type="html")
    stamp = _Stamper(fetched_at, profile, requested_at)
    fetched = iso_utc(fetched_at)
    article = daily8.parse_article(page, url)
    if article is not None:
        return [
            {
                "type": "article",
                "url": url,
                "title": article["title"],
                "body": article["body"],
                "image_caption": article["image_caption"],
                "credit": article["credit"],
                "source": article["source"],
                "published": stamp(article["time"]),
                "related": [stamp.card(card) for card in article["related"]],
                "fetched_at": fetched,
            }
        ]
    listing = daily8.parse_listing(page, url)
    if listing is not None:
        return [
            {
                "type": "listing",
                "url": url,
                "title": listing["title"],
                "fetched_at": fetched,
                "cards": [stamp.card(card) for card in listing["cards"]],
            }
        ]
    return []


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
    """Resolves the raw times of one page against its fetch instant and profile."""

    def __init__(
        self, fetched_at: datetime, profile: Profile, requested_at: datetime | None
    ) -> None:
        self.fetched_at = fetched_at
        self.requested_at = requested_at
        self.profile = profile
        self.zones = dict(profile.zone_names)

    def __call__(self, raw: str | None) -> dict[str, str | None] | None:
        if raw is None:
            return None
        profile = self.profile
        found = normalise(
            raw,
            self.fetched_at,
            tz=profile.timezone,
            languages=profile.languages,
            zones=self.zones,
            sent_at=self.requested_at,
        )
        return found.to_json() if found else unparsed_json(raw)

    def card(self, card: RawCard) -> Item:
        return {
            "url": card["url"],
            "title": card["title"],
            "source": card["source"],
            "summary": card["summary"],
            "published": self(card["time"]),
        }
