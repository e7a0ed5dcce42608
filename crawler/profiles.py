"""What the crawler must know about a site to read its pages: zone, languages, zone names.

A profile travels with every call to the page parsers, so extraction stays a pure
function of (url, body, fetch instant, profile) and a replay reads pages exactly as the
live crawl did. Later work adds per-site selectors and politeness here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scrapy.settings import BaseSettings

from crawler.timestamps import check_site


@dataclass(frozen=True, slots=True)
class Profile:
    """Site facts that shape extraction: its IANA zone, its languages and what the zone
    names in its text mean (``{"IST": "Asia/Jerusalem"}``; see ``crawler.timestamps``)."""

    timezone: str = "UTC"
    languages: tuple[str, ...] = ("en",)
    zone_names: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # A bad setting stops the crawl at its start rather than failing page by page.
        check_site(self.timezone, self.languages, dict(self.zone_names))

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Profile:
        """The profile named by the ``SITE_TIMEZONE``, ``SITE_LANGUAGES``, ``SITE_ZONE_NAMES``."""
        languages: Sequence[str] = settings.getlist("SITE_LANGUAGES", ["en"])
        return cls(
            timezone=settings.get("SITE_TIMEZONE", "UTC"),
            languages=tuple(languages),
            zone_names=tuple(sorted(settings.getdict("SITE_ZONE_NAMES").items())),
        )


DEFAULT_PROFILE = Profile()
