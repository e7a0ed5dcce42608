"""The sample aggregator's pages: a pure function of the catalogue, the epoch and the serving clock.

The markup is a contract with the crawler's page parsers: class names and nesting change only
together with them and their fixtures. Bodies are returned uncompressed; encoding is the
server's job.
"""

import json
import re
from datetime import datetime, timezone
from html import escape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from crawler.demo import hostile
from crawler.demo.content import SECTIONS, Article, catalogue, dated
from crawler.demo.humanise import humanise

HTML = "text/html; charset=utf-8"
ROBOTS_TXT = "User-agent: *\nDisallow: /comments/\nDisallow: /_truth.json\n"
RELATED_COUNT = 4
#: Articles either side (by age, in the same section) a related block is chosen from.
RELATED_WINDOW = 16

Response = tuple[int, dict[str, str], bytes]


def _text(value: str) -> str:
    """Escape text content; quotes stay literal so the markup reads like a real site's."""
    return escape(value, quote=False)


class Site:
    """A Daily8-style aggregator whose articles were each published `age` before `epoch`.

    With `hostile`, it also serves the pages of `crawler.demo.hostile` under /hostile/, linked
    from the home page's "More" block (robots.txt keeps crawlers out of their link farm).
    """

    def __init__(
        self,
        epoch: datetime,
        *,
        tz: str = "UTC",
        page_size: int = 10,
        n_synthetic: int = 48,
        hostile: bool = False,
    ) -> None:
        if epoch.utcoffset() is None:
            raise ValueError("epoch must be timezone-aware")
        ZoneInfo(tz)  # an unknown zone fails here rather than on the first old article
        self.epoch = epoch.astimezone(timezone.utc)
        self.tz = tz
        self.page_size = page_size
        self.hostile = hostile
        self.articles = sorted(catalogue(n_synthetic), key=lambda a: (a.age, a.id))  # newest first
        self._by_id = {a.id: a for a in self.articles}
        self._by_path = {a.path: a for a in self.articles}
        # Built once: a large synthetic site serves a listing or related block per request.
        self._sections = {
            name: [a for a in self.articles if a.section == name] for name in SECTIONS
        }
        self._place = {
            a.id: i for articles in self._sections.values() for i, a in enumerate(articles)
        }

    def published(self, article: Article) -> datetime:
        """The article's publication instant, in UTC."""
        return self.epoch - article.age

    def truth(self) -> dict[str, str]:
        """Every article path and its publication instant: what a perfect crawl would infer."""
        return {a.path: self.published(a).isoformat() for a in self.articles}

    def related(self, article: Article) -> list[Article]:
        """The related block: explicit when given, else same section first, nearest in time
        (ties: lower id). Only the section's articles near this one in age are weighed, when
        the section has enough: a related block costs the same on a site of any size."""
        if article.related is not None:
            return [self._by_id[i] for i in article.related]
        section = self._sections[article.section]
        if len(section) > RELATED_WINDOW:
            place = self._place[article.id]
            others = section[max(0, place - RELATED_WINDOW) : place + RELATED_WINDOW + 1]
        else:
            others = self.articles
        others = [a for a in others if a.id != article.id]
        others.sort(key=lambda a: (a.section != article.section, abs(a.age - article.age), a.id))
        return others[:RELATED_COUNT]

    def respond(self, path_and_query: str, now: datetime) -> Response:
        """Status, headers and body for a GET of `path_and_query` served at instant `now`."""
        url = urlsplit(path_and_query)
        path, query = url.path, parse_qs(url.query, keep_blank_values=True)
        if path == "/":
            return self._listing("Top stories", path, self.articles, query, now)
        if (m := re.fullmatch(r"/section/([a-z]+)", path)) and m[1] in SECTIONS:
            return self._listing(m[1].title(), path, self._sections[m[1]], query, now)
        if article := self._by_path.get(path):
            return self._article_page(article, now)
        if article := self._numbered(r"/comments/([0-9]+)", path):
            return self._comments_page(article)
        photo = self._numbered(r"/static/photo/([0-9]+)\.svg", path)
        if photo is not None and photo.caption is not None:
            return 200, {"Content-Type": "image/svg+xml"}, _photo(photo)
        if self.hostile and (page := hostile.respond(path)):
            return page
        if path == "/robots.txt":
            robots = ROBOTS_TXT + (hostile.ROBOTS if self.hostile else "")
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, robots.encode()
        if path == "/_truth.json":
            body = json.dumps(self.truth(), indent=2) + "\n"
            return 200, {"Content-Type": "application/json"}, body.encode()
        return _not_found()

    def _numbered(self, pattern: str, path: str) -> Article | None:
        """The article whose id is the first group of `pattern` matching the whole path."""
        m = re.fullmatch(pattern, path)
        return self._by_id.get(int(m[1])) if m else None

    def _listing(
        self, heading: str, path: str, articles: list[Article], query: dict[str, list[str]],
        now: datetime,
    ) -> Response:
        values = query.get("page", ["1"])
        if len(values) != 1 or not re.fullmatch(r"[1-9][0-9]*", values[0]):
            return _not_found()
        page, pages = int(values[0]), max(1, -(-len(articles) // self.page_size))
        if page > pages:
            return _not_found()
        shown = articles[(page - 1) * self.page_size : page * self.page_size]
        links = []
        if page > 1:
            links.append(f'<a rel="prev" href="{_page_href(path, page - 1)}">Previous</a>')
        if page < pages:
            links.append(f'<a rel="next" href="{_page_href(path, page + 1)}">Next</a>')
        main = (
            f'<h1 class="listing-title">{_text(heading)}</h1>\n{self._cards(shown, now)}\n'
            f'<nav class="pagination">{"".join(links)}</nav>'
        )
        if self.hostile and path == "/" and page == 1:
            more = "".join(f'<li><a href="{p}">{p.removeprefix(hostile.PREFIX)}</a></li>'
                           for p in hostile.PATHS)  # fmt: skip
            main += f'\n<section class="more"><h2>More</h2><ul>{more}</ul></section>'
        return _html(200, heading, main)

    def _cards(self, articles: list[Article], now: datetime) -> str:
        cards = "".join(self._card(a, now) for a in articles)
        return f'<div class="card-list">\n{cards}</div>'

    def _card(self, article: Article, now: datetime) -> str:
        published = self.published(article)
        source = tag = ""
        if article.source is not None:
            source = f'<span class="card-source">{_text(article.source)}</span>'
            tag = f'<span class="card-source-tag">- {_text(article.source)}</span>'
        return (
            '<article class="card">\n'
            f'<header class="card-header">{source}'
            f'<span class="card-time">{humanise(published, now, self.tz)}</span></header>\n'
            f'<a class="card-link" href="{escape(article.path)}">{tag}'
            f'<h3 class="card-title">{_text(article.title)}</h3></a>\n'
            f'<p class="card-summary">{_text(dated(article.summary, published))}</p>\n'
            "</article>\n"
        )

    def _article_page(self, article: Article, now: datetime) -> Response:
        published = self.published(article)
        photo = ""
        if article.caption is not None:
            photo = (
                f'<figure class="article-photo"><img src="/static/photo/{article.id}.svg" alt="">'
                f"<figcaption>{_text(article.caption)}</figcaption></figure>\n"
            )
        body = "".join(f"<p>{_text(dated(p, published))}</p>" for p in article.paragraphs)
        tags = "".join(
            f'<li><a href="/section/{article.section}">#{_text(tag)}</a></li>'
            for tag in article.hashtags
        )
        main = (
            '<article class="news-article">\n'
            f'<h1 class="article-title">{_text(article.title)}</h1>\n'
            f'<div class="article-meta"><span class="article-source">'
            f"{_text(article.source or article.credit)}</span> · "
            f'<span class="article-time">{humanise(published, now, self.tz)}</span></div>\n'
            f'{photo}<div class="article-body">{body}</div>\n'
            f'<p class="article-credit">© {_text(article.credit)}</p>\n'
            "</article>\n"
            f'<section class="hashtags"><h2>Hashtags</h2><ul>{tags}</ul></section>\n'
            '<section class="ai-features"><h2>Try Our AI Features</h2>'
            "<p>Explore what Daily8 AI can do for you:</p>"
            "<ul><li>Summarise this article</li><li>Explain the background</li></ul></section>\n"
            '<section class="comments"><h2>Comments</h2><p>No comments yet...</p>'
            f'<a href="/comments/{article.id}">Write a comment</a></section>\n'
            '<section class="related"><h2>Related Articles</h2>\n'
            f"{self._cards(self.related(article), now)}\n</section>"
        )
        return _html(200, article.title, main)

    def _comments_page(self, article: Article) -> Response:
        main = (
            f"<h1>Comments on {_text(article.title)}</h1>\n<p>No comments yet...</p>\n"
            f'<p><a href="{escape(article.path)}">Back to the article</a></p>'
        )
        return _html(200, "Comments", main)


def _page_href(path: str, page: int) -> str:
    return path if page == 1 else f"{path}?page={page}"


def _html(status: int, title: str, main: str) -> Response:
    """Wrap a page's <main> in the chrome every page shares."""
    nav = "".join(f'<a href="/section/{s}">{s.title()}</a>' for s in SECTIONS)
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_text(title)} | Daily8 Sample</title>\n</head>\n<body>\n"
        '<header class="site-header"><a class="site-name" href="/">Daily8 Sample</a>'
        f'<nav class="sections">{nav}</nav></header>\n'
        f"<main>\n{main}\n</main>\n"
        '<footer class="site-footer"><p>Sample aggregator bundled with the crawler. '
        "All times are relative to the serving clock.</p></footer>\n"
        "</body>\n</html>\n"
    )
    return status, {"Content-Type": HTML}, page.encode()


def _not_found() -> Response:
    return _html(404, "Page not found", "<h1>Page not found</h1>\n<p>No such page here.</p>")


def _photo(article: Article) -> bytes:
    """A placeholder image, so pages with photos have a real subresource to archive."""
    hue = article.id * 47 % 360
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360" viewBox="0 0 640 360">'
        f'<rect width="640" height="360" fill="hsl({hue}, 35%, 55%)"/>'
        '<text x="320" y="190" font-family="sans-serif" font-size="32" text-anchor="middle" '
        f'fill="#fff">Daily8 Sample photo {article.id}</text></svg>\n'
    ).encode()
