"""A Techmeme/HN-like compact aggregator: one line per story, "14m · Kyodo · Title".

Listings are `<ol>` rows with no summaries; related stories are `<table>` rows. A row whose
story has no source header (the Jiji-style ones) shows no source at all, and has no text
to name one, so the truth's source for it is null. Article pages carry JSON-LD
(`NewsArticle`, `datePublished` with the publisher's +09:00 offset). robots.txt names a
sitemap index (`/sitemap.xml`) over a Google News sitemap of the newest stories.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from html import escape

from crawler.demo.content import Article
from crawler.demo.humanise import JST
from crawler.demo.layouts.base import (
    ENGLISH_SECTIONS,
    NEWS_SITEMAP,
    LayoutSite,
    Pager,
    Story,
    age,
    month_day,
    text,
)
from crawler.demo.site import Response

_SHORT = {"minutes": "{}m", "hours": "{}h", "days": "{}d"}


class Compact(LayoutSite):
    name = "compact"
    site_name = "Compact News"
    lang = "en"
    languages = ("en",)
    timezone = "UTC"
    sections = ENGLISH_SECTIONS
    section_root = "/s/"
    page_param = "p"
    page_size = 20
    home_title = "Top news"
    not_found = "Not found"
    about = "<h1>About</h1>\n<p>Compact News links the day's stories, newest first.</p>"
    syndication = frozenset({NEWS_SITEMAP})

    def story(self, article: Article, published: datetime) -> Story:
        """Rows carry no summary, so a source-less row names no source anywhere."""
        told = super().story(article, published)
        return replace(told, summary=None, named_source=told.source)

    def article_path(self, article: Article) -> str:
        return f"/item/{article.id}"

    def machine_time(self, published: datetime) -> datetime:
        """Machine-readable times (JSON-LD, the news sitemap) carry the publishers' +09:00."""
        return published.astimezone(JST)

    def label(self, published: datetime, now: datetime) -> str:
        shown = age(published, now, self.zone)
        if shown.unit == "now":
            return "now"
        if shown.unit == "date":
            return month_day(shown.local, now)
        return _SHORT[shown.unit].format(shown.count)

    def header(self) -> str:
        links = " | ".join(
            f'<a href="{self.section_path(s)}">{label.lower()}</a>'
            for s, (_, label) in self.sections.items()
        )
        return (
            f'<header class="topbar"><a class="brand" href="/">{self.site_name}</a> '
            f'<nav class="sections">{links}</nav></header>'
        )

    def footer(self) -> str:
        return '<footer class="bottom"><a href="/about">about</a> | <a href="/">home</a></footer>'

    def listing_main(self, heading: str, shown: list[Story], pager: Pager, now: datetime) -> str:
        rows = "".join(self._row(s, now) for s in shown)
        more = f'<a class="morelink" rel="next" href="{pager.next}">More</a>' if pager.next else ""
        return (
            f'<h1 class="pagetitle">{text(heading)}</h1>\n'
            f'<ol class="stories" start="{pager.first}">\n{rows}</ol>\n{more}'
        )

    def _row(self, story: Story, now: datetime) -> str:
        source = f'<span class="src">{text(story.source)}</span> · ' if story.source else ""
        return (
            f'<li class="row"><span class="age">{self.label(story.published, now)}</span> · '
            f'{source}<a class="title" href="{escape(story.path)}">{text(story.title)}</a> '
            f'<a class="comments" href="/c/{story.article.id}">discuss</a></li>\n'
        )

    def _related_row(self, story: Story, now: datetime) -> str:
        return (
            f'<tr class="row"><td class="age">{self.label(story.published, now)}</td>'
            f'<td class="src">{text(story.source or "")}</td>'
            f'<td><a class="title" href="{escape(story.path)}">{text(story.title)}</a></td></tr>\n'
        )

    def article_page(self, story: Story, now: datetime) -> tuple[str, str]:
        metadata = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "datePublished": self.machine_time(story.published).isoformat(),
            "articleSection": self.sections[story.article.section][1],
            "publisher": {"@type": "Organization", "name": story.publisher},
        }
        script = json.dumps(metadata, ensure_ascii=False, indent=1).replace("</", "<\\/")
        head = f'<script type="application/ld+json">\n{script}\n</script>\n'
        body = "".join(f"<p>{text(p)}</p>" for p in story.paragraphs)
        related = "".join(self._related_row(s, now) for s in self.related(story))
        main = (
            '<article class="story">\n'
            f"<h1>{text(story.title)}</h1>\n"
            f'<div class="meta"><span class="src">{text(story.publisher)}</span> · '
            f'<span class="age">{self.label(story.published, now)}</span></div>\n'
            f'<div class="story-body">{body}</div>\n'
            f'<p class="credit">© {text(story.article.credit)}</p>\n'
            "</article>\n"
            '<aside class="related"><h2>Related</h2>\n'
            f'<table class="related">\n{related}</table></aside>'
        )
        return head, main

    def extra(self, path: str) -> Response | None:
        """`/c/<id>`: a story's (empty) discussion page, linked from every row."""
        story = self.numbered(r"/c/([0-9]+)", path)
        if story is None:
            return None
        main = (
            f"<h1>Discuss: {text(story.title)}</h1>\n<p>No comments yet.</p>\n"
            f'<p><a href="{escape(story.path)}">Back to the story</a></p>'
        )
        return self.page(200, "Discussion", main)
