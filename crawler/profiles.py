"""What the crawler must know about a site to read its pages: zone and languages.

A profile travels with every call to the page parsers, so extraction stays a pure
function of (url, body, fetch instant, profile) and a replay reads pages exactly as the
live crawl did. Later work adds per-site selectors and politeness here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scrapy.settings import BaseSettings


@dataclass(frozen=True, slots=True)
class Profile:
    """Site facts that shape extraction: its IANA zone and the languages of its pages."""

    timezone: str = "UTC"
    languages: tuple[str, ...] = ("en",)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {self.timezone!r}") from exc
        if not self.languages:
            raise ValueError("a profile needs at least one language")

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Profile:
        """The profile named by the ``SITE_TIMEZONE`` and ``SITE_LANGUAGES`` settings."""
        languages: Sequence[str] = settings.getlist("SITE_LANGUAGES", ["en"])
        return cls(
            timezone=settings.get("SITE_TIMEZONE", "UTC"),
            languages=tuple(languages),
        )


DEFAULT_PROFILE = Profile()
