"""Site profiles: what the crawler must know to read one site, in a short TOML file.

A profile names the site's zone and languages, CSS selectors for listing cards, card
fields and article fields, which links to follow or skip, and politeness overrides. Every
part is optional: what a profile leaves out, zero-config detection fills in, and no
profile at all (``ZERO_CONFIG``) reads any site with detection alone.

``scrapy crawl aggregator -a profile=NAME_OR_PATH`` loads a bundled profile (this
package's ``NAME.toml``) or a file. Files are checked against
``crawler/schemas/profile.schema.json``, their selectors, patterns, zone and languages
too, so a mistake stops the crawl at its start with the file and field named.

A profile travels with every call to the page parsers, so extraction stays a pure
function of (url, body, fetch instant, profile); its document is written into every
warcinfo record, so a replay reads pages exactly as the live crawl did.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
from cssselect import SelectorError
from parsel import Selector
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler.timestamps import check_site

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: CSS selectors tried in order; the first that finds a non-empty value wins.
Selectors = tuple[str, ...]


class ProfileError(ValueError):
    """A profile that cannot be found or read; the message names the file and field."""


@dataclass(frozen=True, slots=True)
class ListingRules:
    """Where a listing page's cards are (``cards``: one node per card) and its heading."""

    cards: str | None = None
    title: Selectors = ()


@dataclass(frozen=True, slots=True)
class CardRules:
    """Card fields, read inside each card node, on listings and in related blocks."""

    url: Selectors = ()
    title: Selectors = ()
    source: Selectors = ()
    time: Selectors = ()
    machine_time: Selectors = ()
    summary: Selectors = ()


@dataclass(frozen=True, slots=True)
class ArticleRules:
    """Article fields, looked up inside ``root`` (the whole page without it)."""

    root: str | None = None
    title: Selectors = ()
    body: Selectors = ()
    time: Selectors = ()
    machine_time: Selectors = ()
    source: Selectors = ()
    credit: Selectors = ()
    image_caption: Selectors = ()
    related: str | None = None

    @property
    def given(self) -> bool:
        """Whether the profile says what an article page looks like."""
        return bool(self.root or self.title)


@dataclass(frozen=True, slots=True)
class LinkRules:
    """Which links a spider follows: pagination always, then ``follow`` minus ``skip``."""

    pagination: Selectors = ()
    follow: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Politeness:
    """Per-site overrides of Scrapy's politeness settings (None: the settings decide)."""

    download_delay: float | None = None
    concurrency: int | None = None
    autothrottle_target: float | None = None
    max_pages: int | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """Site facts that shape crawling and extraction.

    ``timezone`` is the site's IANA zone, ``languages`` its dateparser codes (left
    empty, each page's own language and the zone it suggests are taken, else UTC and
    English: ``crawler.pages.locale``), and
    ``zone_names`` what the zone names in its text mean (``{"IST": "Asia/Jerusalem"}``;
    see ``crawler.timestamps``). ``domains`` are the site's: its rules read pages there
    (and on subdomains), zero-config reads the rest (publisher pages one hop out); none
    given, the rules read every page.
    """

    name: str = "zero-config"
    timezone: str = ""
    languages: tuple[str, ...] = ()
    zone_names: tuple[tuple[str, str], ...] = ()
    domains: tuple[str, ...] = ()
    listing: ListingRules = field(default_factory=ListingRules)
    card: CardRules = field(default_factory=CardRules)
    article: ArticleRules = field(default_factory=ArticleRules)
    links: LinkRules = field(default_factory=LinkRules)
    politeness: Politeness = field(default_factory=Politeness)

    def __post_init__(self) -> None:
        # A bad setting stops the crawl at its start rather than failing page by page.
        check_site(self.timezone or "UTC", self.languages or ("en",), dict(self.zone_names))

    @classmethod
    def from_document(cls, document: Mapping[str, Any], origin: str = "profile") -> Profile:
        """The profile a (TOML or JSON) document describes; ProfileError naming ``origin``
        and the field for anything the schema, a selector or a pattern refuses."""
        _check(document, origin)
        values: dict[str, Any] = {
            key: tuple(value) if isinstance(value, list) else value
            for key, value in document.items()
            if key in ("name", "timezone", "languages", "domains")
        }
        if "zone_names" in document:
            values["zone_names"] = tuple(sorted(document["zone_names"].items()))
        for section, kind in _SECTIONS.items():
            if section in document:
                values[section] = _rules(kind, document[section])
        try:
            return cls(**values)
        except ValueError as error:
            raise ProfileError(f"{origin}: {error}") from None

    def covers(self, url: str) -> bool:
        """Whether ``url`` is on the site's domains (any URL when none are given)."""
        if not self.domains:
            return True
        host = (urlsplit(url).hostname or "").lower()
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)

    def reading(self, url: str) -> Profile:
        """The profile to read ``url`` with: this one on the site, its zero-config self
        (same zone and languages, no rules) elsewhere."""
        if self.covers(url):
            return self
        return replace(
            self, listing=ListingRules(), card=CardRules(), article=ArticleRules(),
            links=LinkRules(),
        )  # fmt: skip

    def document(self) -> dict[str, Any]:
        """The profile as a JSON-ready document that ``from_document`` reads back; rules
        left unset are left out."""
        document: dict[str, Any] = {"name": self.name}
        if self.timezone:
            document["timezone"] = self.timezone
        if self.languages:
            document["languages"] = list(self.languages)
        if self.zone_names:
            document["zone_names"] = dict(self.zone_names)
        if self.domains:
            document["domains"] = list(self.domains)
        for section in _SECTIONS:
            part = {
                key: list(value) if isinstance(value, tuple) else value
                for key, value in asdict(getattr(self, section)).items()
                if value not in (None, ())
            }
            if part:
                document[section] = part
        return document

    def to_json(self) -> str:
        """The document as compact JSON, as warcinfo records carry it."""
        return json.dumps(self.document(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Profile:
        """The profile a warcinfo's ``site-profile`` field holds."""
        return cls.from_document(json.loads(text), "warcinfo site-profile")

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Profile:
        """The profile ``SITE_PROFILE`` names (none: zero-config), with ``SITE_TIMEZONE``,
        ``SITE_LANGUAGES`` and ``SITE_ZONE_NAMES`` where the profile leaves them out or
        the command line gives them."""
        named = settings.get("SITE_PROFILE") or ""
        profile, document = (load(named), _loaded(named)) if named else (ZERO_CONFIG, {})
        cmdline = SETTINGS_PRIORITIES["cmdline"]
        overrides: dict[str, Any] = {}
        for key, setting, read in _SITE_SETTINGS:
            given = key not in document or (settings.getpriority(setting) or 0) >= cmdline
            if given and settings.get(setting):
                overrides[key] = read(settings, setting)
        return replace(profile, **overrides) if overrides else profile


#: The profile's tables of rules, in document order, and what each is read into.
_SECTIONS = {
    "listing": ListingRules,
    "card": CardRules,
    "article": ArticleRules,
    "links": LinkRules,
    "politeness": Politeness,
}

#: Profile field, the setting that gives it, and how the setting is read.
_SITE_SETTINGS = (
    ("timezone", "SITE_TIMEZONE", lambda s, n: s.get(n)),
    ("languages", "SITE_LANGUAGES", lambda s, n: tuple(s.getlist(n))),
    ("zone_names", "SITE_ZONE_NAMES", lambda s, n: tuple(sorted(s.getdict(n).items()))),
)

#: No profile: every page is read by zero-config detection.
ZERO_CONFIG = Profile()


def bundled() -> list[str]:
    """The names of the profiles shipped in this package."""
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in resources.files(__package__).iterdir()
        if entry.name.endswith(".toml")
    )


def load(name_or_path: str) -> Profile:
    """A bundled profile by name, or a profile file by path; ProfileError otherwise."""
    return Profile.from_document(_loaded(name_or_path), _origin(name_or_path))


@cache
def _loaded(name_or_path: str) -> dict[str, Any]:
    origin = _origin(name_or_path)
    if _is_path(name_or_path):
        path = Path(name_or_path)
        if not path.is_file():
            raise ProfileError(f"no profile file {name_or_path!r}")
        data = path.read_bytes()
    else:
        entry = resources.files(__package__) / f"{name_or_path}.toml"
        if not entry.is_file():
            raise ProfileError(
                f"no bundled profile {name_or_path!r} (bundled: {', '.join(bundled())});"
                " give a path to a .toml file for your own"
            )
        data = entry.read_bytes()
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ProfileError(f"{origin}: not valid TOML: {error}") from None
    document.setdefault("name", Path(name_or_path).stem)
    return document


def _is_path(name_or_path: str) -> bool:
    return name_or_path.endswith(".toml") or "/" in name_or_path or "\\" in name_or_path


def _origin(name_or_path: str) -> str:
    return f"profile {name_or_path}" if _is_path(name_or_path) else f"profile {name_or_path!r}"


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(
        resources.files("crawler").joinpath("schemas/profile.schema.json").read_text("utf-8")
    )
    return jsonschema.Draft202012Validator(schema)


def _check(document: Mapping[str, Any], origin: str) -> None:
    """Raise ProfileError listing every schema error, then any bad selector or pattern."""
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"  [{'.'.join(str(p) for p in error.absolute_path) or 'top level'}] {error.message}"
            for error in errors
        ]
        raise ProfileError(f"{origin} is not a valid profile:\n" + "\n".join(lines))
    probe = Selector(text="<html></html>")
    for section, key, value in _entries(document):
        where = f"{origin}: [{section}] {key}"
        for item in [value] if isinstance(value, str) else value:
            if key in ("follow", "skip"):
                try:
                    re.compile(item)
                except re.error as error:
                    raise ProfileError(f"{where}: bad pattern {item!r}: {error}") from None
            else:
                try:
                    probe.css(item)
                except (SelectorError, ValueError) as error:
                    raise ProfileError(f"{where}: bad CSS selector {item!r}: {error}") from None


def _entries(document: Mapping[str, Any]) -> Sequence[tuple[str, str, Any]]:
    """The selectors and patterns of the rule tables (politeness holds neither)."""
    return [
        (section, key, value)
        for section in ("listing", "card", "article", "links")
        for key, value in document.get(section, {}).items()
    ]


def _rules(kind: type, part: Mapping[str, Any]) -> Any:
    """A rules dataclass from its TOML table: selector strings become 1-tuples."""
    values = {}
    for key, value in part.items():
        annotation = str(kind.__dataclass_fields__[key].type)
        if isinstance(value, str) and annotation in ("Selectors", "tuple[str, ...]"):
            value = (value,)
        elif isinstance(value, list):
            value = tuple(value)
        values[key] = value
    return kind(**values)
