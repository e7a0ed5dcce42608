"""A Google-News/MSN-like card grid: image, title, summary, and a footer with the source.

The card footer holds the source's logo (`<img alt="Source">`), its name and
`<time datetime="ISO">3 hours ago</time>`. The home page splits into "Top stories" and
"For you"; a "Trending" sidebar links stories without times (noise for card detection),
next to a tag list. Article pages carry only OpenGraph metadata
(`article:published_time`), no JSON-LD. An RSS feed of the newest stories (`/feed.xml`)
is named in every page's head.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from crawler.demo.content import Article
from crawler.demo.layouts.base import (
    ENGLISH_SECTIONS,
    RSS,
    LayoutSite,
    Pager,
    Story,
    age,
    month_day,
    slugify,
    text,
)
from crawler.demo.site import Response

TOP_STORIES = 4  # cards under "Top stories" on the first home page; the rest are "For you"
TRENDING = slice(3, None, 11)  # which stories the sidebar lists: a fixed spread over ages
_WORDS = {"minutes": "minute", "hours": "hour", "days": "day"}


def _svg(label: str, hue: int, width: int, height: int) -> bytes:
    """A placeholder image, so cards and logos have real subresources to archive."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><rect width="{width}" height="{height}" '
        f'fill="hsl({hue}, 40%, 50%)"/><text x="50%" y="55%" font-family="sans-serif" '
        f'font-size="{height // 3}" text-anchor="middle" fill="#fff">{text(label)}</text></svg>\n'
    ).encode()


class Grid(LayoutSite):
    name = "grid"
    site_name = "Grid News"
    lang = "en"
    languages = ("en",)
    timezone = "America/New_York"
    sections = ENGLISH_SECTIONS
    section_root = "/topics/"
    page_param = "page"
    page_size = 12
    home_title = "Home"
    not_found = "Page not found"
    about = "<h1>About Grid News</h1>\n<p>Stories from publishers around the region.</p>"
    syndication = frozenset({RSS})
    advertised_feed = RSS

    def __init__(self, epoch: datetime, *, tz: str | None = None, n_synthetic: int = 48) -> None:
        super().__init__(epoch, tz=tz, n_synthetic=n_synthetic)
        self._logos = {slugify(s.publisher): s.publisher for s in self.stories}

    def article_path(self, article: Article) -> str:
        return f"/articles/{article.slug}-{article.id}"

    def label(self, published: datetime, now: datetime) -> str:
        shown = age(published, now, self.zone)
        if shown.unit == "now":
            return "Just now"
        if shown.unit == "date":
            return month_day(shown.local, now)
        if shown.unit == "days" and shown.count == 1:
            return "Yesterday"
        plural = "" if shown.count == 1 else "s"
        return f"{shown.count} {_WORDS[shown.unit]}{plural} ago"

    def header(self) -> str:
        links = "".join(
            f'<a href="{self.section_path(s)}">{label}</a>'
            for s, (_, label) in self.sections.items()
        )
        return (
            f'<header class="masthead"><a class="brand" href="/">{self.site_name}</a>'
            f'<nav class="topics"><a href="/">Home</a>{links}</nav></header>'
        )

    def footer(self) -> str:
        return (
            '<footer class="site-footer"><a href="/about">About</a> · '
            "Grid News shows stories from the publishers named on each card.</footer>"
        )

    def _logo(self, source: str) -> str:
        return (
            f'<img class="logo" src="/logo/{slugify(source)}.svg" alt="{escape(source)}" '
            f'width="16" height="16"><span class="source-name">{text(source)}</span>'
        )

    def _card(self, story: Story, now: datetime) -> str:
        source = f"{self._logo(story.source)} · " if story.source else ""
        href = escape(story.path)
        return (
            '<article class="card">\n'
            f'<a class="card-image" href="{href}"><img src="/img/{story.article.id}.svg" alt="" '
            'width="320" height="180"></a>\n'
            f'<h3 class="card-heading"><a class="card-title" href="{href}">'
            f"{text(story.title)}</a></h3>\n"
            f'<p class="card-summary">{text(story.summary or "")}</p>\n'
            f'<footer class="card-footer">{source}'
            f'<time datetime="{story.published.astimezone(self.zone).isoformat()}">'
            f"{self.label(story.published, now)}</time></footer>\n"
            "</article>\n"
        )

    def _cards(self, stories: list[Story], now: datetime) -> str:
        return '<div class="grid">\n' + "".join(self._card(s, now) for s in stories) + "</div>"

    def listing_main(self, heading: str, shown: list[Story], pager: Pager, now: datetime) -> str:
        home = pager.path == "/"
        if home and pager.page == 1:
            groups = [("Top stories", "top", shown[:TOP_STORIES]),
                      ("For you", "for-you", shown[TOP_STORIES:])]  # fmt: skip
        else:
            groups = [("For you", "for-you", shown) if home else ("Latest", "latest", shown)]
        feed = "".join(
            f'<section class="stories {kind}"><h2>{name}</h2>\n{self._cards(stories, now)}\n'
            "</section>\n"
            for name, kind, stories in groups
        )
        more = f'<a class="show-more" href="{pager.next}">Show more</a>' if pager.next else ""
        return (
            f'<div class="columns"><div class="feed"><h1 class="page-title">{text(heading)}</h1>\n'
            f"{feed}{more}</div>\n{self._sidebar()}</div>"
        )

    def _sidebar(self) -> str:
        trending = "".join(
            f'<li><a class="trending-link" href="{escape(s.path)}">{text(s.title)}</a></li>'
            for s in self.stories[TRENDING][:5]
        )
        tags = "".join(
            f'<li><a href="{self.section_path(s)}">#{label}</a></li>'
            for s, (_, label) in self.sections.items()
        )
        return (
            f'<aside class="sidebar"><section class="trending"><h2>Trending</h2><ol>{trending}'
            f'</ol></section><section class="tag-list"><h2>Topics</h2><ul class="tags">{tags}'
            "</ul></section></aside>"
        )

    def article_page(self, story: Story, now: datetime) -> tuple[str, str]:
        article = story.article
        meta = (
            ("og:type", "article"),
            ("og:title", story.title),
            ("og:site_name", story.publisher),
            ("og:description", story.summary or ""),
            ("og:image", f"/img/{article.id}.svg"),
            ("article:published_time", story.published.astimezone(self.zone).isoformat()),
            ("article:section", self.sections[article.section][1]),
        )
        head = "".join(f'<meta property="{p}" content="{escape(v)}">\n' for p, v in meta)
        photo = ""
        if article.caption is not None:
            photo = (
                f'<figure class="photo"><img src="/img/{article.id}.svg" alt="">'
                f"<figcaption>{text(article.caption)}</figcaption></figure>\n"
            )
        body = "".join(f"<p>{text(p)}</p>" for p in story.paragraphs)
        main = (
            '<article class="article">\n'
            f"<h1>{text(story.title)}</h1>\n"
            f'<div class="byline">{self._logo(story.publisher)} · '
            f'<span class="byline-time">{self.label(story.published, now)}</span></div>\n'
            f'{photo}<div class="article-body">{body}</div>\n'
            "</article>\n"
            '<section class="related"><h2>More on this story</h2>\n'
            f"{self._cards(self.related(story), now)}\n</section>"
        )
        return head, main

    def extra(self, path: str) -> Response | None:
        """Card images (`/img/<id>.svg`) and source logos (`/logo/<slug>.svg`)."""
        if (story := self.numbered(r"/img/([0-9]+)\.svg", path)) is not None:
            image = _svg(f"Grid {story.article.id}", story.article.id * 47 % 360, 320, 180)
            return 200, {"Content-Type": "image/svg+xml"}, image
        slug = path.removeprefix("/logo/").removesuffix(".svg")
        if path == f"/logo/{slug}.svg" and slug in self._logos:
            name = self._logos[slug]
            logo = _svg(name[:1], len(name) * 29 % 360, 16, 16)
            return 200, {"Content-Type": "image/svg+xml"}, logo
        return None
