"""What every extra demo layout shares: routing, pagination, page chrome, time buckets, truth.

A layout is a `crawler.demo.site.Site`-like object (`respond`, `truth`) over the sample
catalogue: the same articles, ages and related blocks, dressed in another site's markup
and time style. Pages are a pure function of the catalogue, the epoch and the serving
clock, so a crawl's items can be scored against `truth()`.

A layout may also syndicate its newest stories, as real aggregators do: an RSS 2.0 feed,
an Atom feed or a Google News sitemap (see `LayoutSite.syndication`). Their times are the
truth's instants to the second, so the crawler's machine-readable times can be held to it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import ClassVar, NamedTuple
from urllib.parse import parse_qs, urljoin, urlsplit
from zoneinfo import ZoneInfo

from crawler.demo.content import SECTIONS, Article, dated
from crawler.demo.humanise import MONTHS
from crawler.demo.site import HTML, Response, Site

#: The catalogue's sections under their English names, for layouts that keep them.
ENGLISH_SECTIONS = {s: (s, s.title()) for s in SECTIONS}

#: What `LayoutSite.syndication` may hold: an RSS 2.0 feed at `/feed.xml`, an Atom feed at
#: `/atom.xml`, a Google News sitemap at `/sitemap-news.xml` (with an index at
#: `/sitemap.xml` that robots.txt names).
RSS, ATOM, NEWS_SITEMAP = "rss", "atom", "news-sitemap"
#: Feed paths and media types.
FEEDS = {RSS: ("/feed.xml", "application/rss+xml"), ATOM: ("/atom.xml", "application/atom+xml")}
SITEMAP_INDEX, NEWS_SITEMAP_PATH = "/sitemap.xml", "/sitemap-news.xml"
#: How many of the newest stories the feeds and the news sitemap list.
SYNDICATED = 20
_XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def text(value: str) -> str:
    """Escape text content; quotes stay literal so the markup reads like a real site's."""
    return escape(value, quote=False)


def slugify(value: str) -> str:
    """A URL slug: lower-case ASCII words joined by hyphens (German letters transliterated)."""
    value = value.lower()
    for letter, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        value = value.replace(letter, spelled)
    return "-".join(re.findall(r"[a-z0-9]+", value)[:12])


@dataclass(frozen=True)
class Story:
    """One catalogue article as a layout shows it: its URL, texts and sources."""

    article: Article  # the catalogue entry: id, section, age, related block
    path: str
    title: str
    source: str | None  # the source the card shows; None when it shows none
    named_source: str | None  # what a card's reader can tell: `source`, else the text's, else None
    publisher: str  # who the article page says published it
    summary: str | None  # the card's text; None when cards carry none
    paragraphs: tuple[str, ...]
    published: datetime  # UTC, whole seconds


class Age(NamedTuple):
    """How old a story looks at serving time, in the buckets aggregators print.

    `unit` is "now" (under a minute, or in the future), "minutes", "hours" (both floored,
    elapsed), "days" (calendar days in the site's zone, 1 to 6, from 24 hours on) or
    "date" (older, or a 25-hour day that leaves no calendar day between). `days` is the
    calendar difference in every bucket; `local` the publication instant in the site's zone.
    """

    unit: str
    count: int
    days: int
    local: datetime


def age(published: datetime, now: datetime, zone: ZoneInfo) -> Age:
    """The bucket of `published` seen at `now`; it floors, so every label is an exact window."""
    minutes = max(0, int((now - published).total_seconds() // 60))
    local = published.astimezone(zone)
    days = (now.astimezone(zone).date() - local.date()).days
    if minutes < 1:
        return Age("now", 0, days, local)
    if minutes < 60:
        return Age("minutes", minutes, days, local)
    if minutes < 24 * 60:
        return Age("hours", minutes // 60, days, local)
    if 1 <= days <= 6:
        return Age("days", days, days, local)
    return Age("date", 0, days, local)


def month_day(local: datetime, now: datetime) -> str:
    """The short date aggregators print, with the year only when it is not this one."""
    shown = f"{MONTHS[local.month - 1][:3]} {local.day}"
    return shown if local.year == now.astimezone(local.tzinfo).year else f"{shown}, {local.year}"


class Pager(NamedTuple):
    """Which page of a listing is shown, and where its neighbours are."""

    page: int
    pages: int
    path: str
    param: str  # the query parameter that numbers pages
    first: int  # the 1-based position of the page's first story in the whole listing

    def href(self, page: int) -> str:
        return self.path if page == 1 else f"{self.path}?{self.param}={page}"

    @property
    def next(self) -> str | None:
        return self.href(self.page + 1) if self.page < self.pages else None

    @property
    def previous(self) -> str | None:
        return self.href(self.page - 1) if self.page > 1 else None


class LayoutSite:
    """A site over the sample catalogue; subclasses supply the markup and the time style.

    Routes: `/` (the home listing), a listing per section under `section_root`, one page
    per story, `/about`, `/robots.txt`, `/_truth.json`, the documents `syndication`
    names, plus whatever `extra` serves.

    `origin` (``http://host:port``, empty until the server is known) makes the links in
    feeds, sitemaps and robots.txt absolute, as those formats ask; without it they are
    root-relative, which readers resolve against the document's URL.
    """

    name: ClassVar[str]
    site_name: ClassVar[str]
    lang: ClassVar[str]
    languages: ClassVar[tuple[str, ...]]  # dateparser codes for the profile
    timezone: ClassVar[str]  # the zone the site prints its times in unless told otherwise
    sections: ClassVar[dict[str, tuple[str, str]]]  # catalogue section: (URL slug, label)
    section_root: ClassVar[str]
    page_param: ClassVar[str]
    page_size: ClassVar[int]
    home_title: ClassVar[str]
    not_found: ClassVar[str]
    about: ClassVar[str]  # the /about page's HTML
    robots_extra: ClassVar[str] = ""
    #: The machine-readable documents served: RSS, ATOM and/or NEWS_SITEMAP.
    syndication: ClassVar[frozenset[str]] = frozenset()
    #: The feed (RSS or ATOM) every page's <head> names with <link rel="alternate">.
    advertised_feed: ClassVar[str | None] = None

    def __init__(self, epoch: datetime, *, tz: str | None = None, n_synthetic: int = 48) -> None:
        # Whole seconds: machine-readable times print seconds, and must equal the truth.
        self.catalogue = Site(epoch.replace(microsecond=0), tz=tz or self.timezone,
                              n_synthetic=n_synthetic)  # fmt: skip
        self.epoch = self.catalogue.epoch
        self.tz = self.catalogue.tz
        self.zone = ZoneInfo(self.tz)
        self.stories = [self.story(a, self.catalogue.published(a)) for a in self.catalogue.articles]
        self.by_id = {s.article.id: s for s in self.stories}
        self.by_path = {s.path: s for s in self.stories}
        self._section_at = {self.section_path(s): s for s in self.sections}
        self.origin = ""

    # --- what a layout defines ------------------------------------------------------------

    def story(self, article: Article, published: datetime) -> Story:
        """The catalogue article as this layout tells it; this default keeps its English text.

        A source-less (Jiji-style) card names its publisher in its summary, so a reader can
        still tell it: that is the card's `named_source`.
        """
        return Story(
            article=article,
            path=self.article_path(article),
            title=article.title,
            source=article.source,
            named_source=article.source or article.credit,
            publisher=article.source or article.credit,
            summary=dated(article.summary, published),
            paragraphs=tuple(dated(p, published) for p in article.paragraphs),
            published=published,
        )

    def article_path(self, article: Article) -> str:
        raise NotImplementedError

    def label(self, published: datetime, now: datetime) -> str:
        """The displayed time of `published` at serving instant `now`."""
        raise NotImplementedError

    def listing_main(self, heading: str, shown: list[Story], pager: Pager, now: datetime) -> str:
        raise NotImplementedError

    def article_page(self, story: Story, now: datetime) -> tuple[str, str]:
        """The article page's extra <head> markup and its <main>."""
        raise NotImplementedError

    def header(self) -> str:
        raise NotImplementedError

    def footer(self) -> str:
        raise NotImplementedError

    def extra(self, path: str) -> Response | None:
        """Responses for a layout's own routes (images, comment pages); None: not one."""
        return None

    def machine_time(self, published: datetime) -> datetime:
        """`published` as the site's machine-readable times print it (its zone's offset)."""
        return published.astimezone(self.zone)

    # --- shared ---------------------------------------------------------------------------

    def section_path(self, section: str) -> str:
        return self.section_root + self.sections[section][0]

    def truth(self) -> dict[str, dict[str, str | None]]:
        """Every story path: the title, source and instant a perfect crawl would read."""
        return {
            s.path: {
                "title": s.title,
                "source": s.named_source,
                "published": s.published.isoformat(),
            }
            for s in self.stories
        }

    def numbered(self, pattern: str, path: str) -> Story | None:
        """The story whose id is the first group of `pattern` matching the whole path."""
        m = re.fullmatch(pattern, path)
        return self.by_id.get(int(m[1])) if m else None

    def related(self, story: Story) -> list[Story]:
        """The catalogue's related block for the story (explicit, else same section)."""
        return [self.by_id[a.id] for a in self.catalogue.related(story.article)]

    def respond(self, path_and_query: str, now: datetime) -> Response:
        """Status, headers and body for a GET of `path_and_query` served at instant `now`."""
        url = urlsplit(path_and_query)
        path, query = url.path, parse_qs(url.query, keep_blank_values=True)
        if path == "/robots.txt":
            robots = f"User-agent: *\n{self.robots_extra}Disallow: /_truth.json\n"
            if NEWS_SITEMAP in self.syndication:
                robots += f"\nSitemap: {self.absolute(SITEMAP_INDEX)}\n"
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, robots.encode()
        if path == "/_truth.json":
            body = json.dumps(self.truth(), indent=2, ensure_ascii=False) + "\n"
            return 200, {"Content-Type": "application/json"}, body.encode()
        if path == "/":
            return self._listing(self.home_title, path, self.stories, query, now)
        if (section := self._section_at.get(path)) is not None:
            shown = [s for s in self.stories if s.article.section == section]
            return self._listing(self.sections[section][1], path, shown, query, now)
        if (story := self.by_path.get(path)) is not None:
            head, main = self.article_page(story, now)
            return self.page(200, story.title, main, head=head)
        if path == "/about":
            return self.page(200, self.site_name, self.about)
        found = self._syndication_response(path)
        if found is None:
            found = self.extra(path)
        return found if found is not None else self.missing()

    def page(self, status: int, title: str, main: str, *, head: str = "") -> Response:
        """Wrap a page's <main> in the layout's header and footer."""
        if self.advertised_feed is not None:
            feed_path, media_type = FEEDS[self.advertised_feed]
            head = (
                f'<link rel="alternate" type="{media_type}" title="{escape(self.site_name)}" '
                f'href="{feed_path}">\n{head}'
            )
        document = (
            f'<!doctype html>\n<html lang="{self.lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{text(title)} | {text(self.site_name)}</title>\n{head}</head>\n<body>\n"
            f"{self.header()}\n<main>\n{main}\n</main>\n{self.footer()}\n</body>\n</html>\n"
        )
        return status, {"Content-Type": HTML}, document.encode()

    def missing(self) -> Response:
        return self.page(404, self.not_found, f"<h1>{text(self.not_found)}</h1>")

    def _listing(
        self, heading: str, path: str, stories: list[Story], query: dict[str, list[str]],
        now: datetime,
    ) -> Response:
        values = query.get(self.page_param, ["1"])
        if len(values) != 1 or not re.fullmatch(r"[1-9][0-9]*", values[0]):
            return self.missing()
        page, pages = int(values[0]), max(1, -(-len(stories) // self.page_size))
        if page > pages:
            return self.missing()
        first = (page - 1) * self.page_size
        pager = Pager(page, pages, path, self.page_param, first + 1)
        shown = stories[first : first + self.page_size]
        return self.page(200, heading, self.listing_main(heading, shown, pager, now))

    # --- syndication ------------------------------------------------------------------------

    def absolute(self, path: str) -> str:
        """`path` (or an absolute URL) as a feed or sitemap names it: on `origin` when set."""
        return urljoin(self.origin, path) if self.origin else path

    def syndicated(self) -> list[Story]:
        """The stories the feeds and the news sitemap list: the newest `SYNDICATED`."""
        return sorted(self.stories, key=lambda s: s.published, reverse=True)[:SYNDICATED]

    def _syndication_response(self, path: str) -> Response | None:
        """The feed or sitemap at `path`, when the layout serves one there."""
        for kind, (feed_path, media_type) in FEEDS.items():
            if path == feed_path and kind in self.syndication:
                render = self._rss if kind == RSS else self._atom
                return 200, {"Content-Type": f"{media_type}; charset=utf-8"}, render().encode()
        if NEWS_SITEMAP not in self.syndication or path not in (SITEMAP_INDEX, NEWS_SITEMAP_PATH):
            return None
        document = self._sitemap_index() if path == SITEMAP_INDEX else self._news_sitemap()
        return 200, {"Content-Type": "application/xml; charset=utf-8"}, document.encode()

    def _newest(self) -> datetime:
        return self.machine_time(max(s.published for s in self.stories))

    def _rss(self) -> str:
        """RSS 2.0: pubDate in RFC 822 to the second, <source> naming the publisher."""
        items = []
        for story in self.syndicated():
            link = escape(self.absolute(story.path))
            source = ""
            if story.named_source is not None:
                home = f"https://www.{slugify(story.named_source).replace('-', '')}.example/"
                source = f'<source url="{home}">{text(story.named_source)}</source>\n'
            summary = f"<description>{text(story.summary)}</description>\n" if story.summary else ""
            items.append(
                f"<item>\n<title>{text(story.title)}</title>\n<link>{link}</link>\n"
                f'<guid isPermaLink="true">{link}</guid>\n'
                f"<pubDate>{format_datetime(self.machine_time(story.published))}</pubDate>\n"
                f"{source}{summary}</item>\n"
            )
        return (
            f'{_XML_DECLARATION}<rss version="2.0">\n<channel>\n'
            f"<title>{text(self.site_name)}</title>\n<link>{escape(self.absolute('/'))}</link>\n"
            f"<description>{text(self.home_title)}</description>\n"
            f"<language>{self.lang}</language>\n"
            f"<lastBuildDate>{format_datetime(self._newest())}</lastBuildDate>\n"
            f"{''.join(items)}</channel>\n</rss>\n"
        )

    def _atom(self) -> str:
        """Atom 1.0: published and updated (the same instant), <source> naming the publisher."""
        entries = []
        for story in self.syndicated():
            link = escape(self.absolute(story.path))
            stamp = self.machine_time(story.published).isoformat()
            source = ""
            if story.named_source is not None:
                source = f"<source><title>{text(story.named_source)}</title></source>\n"
            summary = f"<summary>{text(story.summary)}</summary>\n" if story.summary else ""
            entries.append(
                f"<entry>\n<title>{text(story.title)}</title>\n"
                f'<link rel="alternate" type="text/html" href="{link}"/>\n<id>{link}</id>\n'
                f"<published>{stamp}</published>\n<updated>{stamp}</updated>\n"
                f"{source}{summary}</entry>\n"
            )
        home = escape(self.absolute("/"))
        return (
            f'{_XML_DECLARATION}<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{self.lang}">\n'
            f"<title>{text(self.site_name)}</title>\n<id>{home}</id>\n"
            f'<link rel="self" href="{escape(self.absolute(FEEDS[ATOM][0]))}"/>\n'
            f'<link rel="alternate" type="text/html" href="{home}"/>\n'
            f"<updated>{self._newest().isoformat()}</updated>\n"
            f"<author><name>{text(self.site_name)}</name></author>\n"
            f"{''.join(entries)}</feed>\n"
        )

    def _sitemap_index(self) -> str:
        return (
            f'{_XML_DECLARATION}<sitemapindex xmlns="{_SITEMAP_NS}">\n<sitemap>'
            f"<loc>{escape(self.absolute(NEWS_SITEMAP_PATH))}</loc>"
            f"<lastmod>{self._newest().isoformat()}</lastmod></sitemap>\n</sitemapindex>\n"
        )

    def _news_sitemap(self) -> str:
        """Google News: publication_date with its offset, title, and the publication's name
        where the site can tell it (a story naming no source has a nameless publication)."""
        entries = []
        for story in self.syndicated():
            name = ""
            if story.named_source is not None:
                name = f"<news:name>{text(story.named_source)}</news:name>"
            entries.append(
                f"<url><loc>{escape(self.absolute(story.path))}</loc><news:news>"
                f"<news:publication>{name}<news:language>{self.lang}</news:language>"
                "</news:publication><news:publication_date>"
                f"{self.machine_time(story.published).isoformat()}</news:publication_date>"
                f"<news:title>{text(story.title)}</news:title></news:news></url>\n"
            )
        return (
            f'{_XML_DECLARATION}<urlset xmlns="{_SITEMAP_NS}" xmlns:news="{_NEWS_NS}">\n'
            f"{''.join(entries)}</urlset>\n"
        )
