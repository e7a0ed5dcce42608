"""Hostile pages for the sample site (``Site(..., hostile=True)`` serves them under /hostile/).

Real sites serve broken markup, lying charsets, binary junk, empty or enormous bodies,
compression bombs, link farms and impossible dates; the crawler must archive them, count and
log what it made of them, and go on with the rest of the site. Each page here is one such
case, fixed bytes (the big ones built once), so tests can name what each must cause.
``respond(path)`` gives a page's status, headers and body, ``PATHS`` the pages the home page
links; a body that already has a ``Content-Encoding`` is sent as is by the server.
"""

from __future__ import annotations

import random
import struct
import zlib
from functools import cache
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the site imports this module
    from crawler.demo.site import Response

PREFIX = "/hostile/"
#: Targets of the link farm: robots.txt (``ROBOTS``) forbids them, so none is fetched.
TRAP = "/hostile/trap/"
ROBOTS = f"Disallow: {TRAP}\n"
#: The dated article the cards of the dates page link to.
DATED_ARTICLE = "/hostile/dates/article"

LINKS = 10_000
#: Decoded size of the big page: above DOWNLOAD_WARNSIZE, below DOWNLOAD_MAXSIZE.
HUGE = 20 * 1024 * 1024
#: What the bomb inflates to, and what the oversize body weighs: both above
#: DOWNLOAD_MAXSIZE (32 MiB).
BOMB = 256 * 1024 * 1024
OVERSIZE = 33 * 1024 * 1024

#: Times no clock can show: a 31 February, the future, a negative age, year 99999, year 1
#: and an age of nearly two thousand years.
ABSURD_TIMES = (
    "31/02/2025", "in 3000 years", "-5 minutes ago", "Jul 30, 99999 16:20", "Jan 1, 0001",
    "999999999 minutes ago",
)  # fmt: skip
ABSURD_ARTICLE_TIME = "in 3000 years"

#: Titles that only read right when the bytes are decoded with the right charset.
LATIN_TITLE = "Café crème: la Société générale prévoit une année « sans précédent »"
JAPANESE_TITLE = "東京株式市場、日経平均が反発、半導体株に買い"

#: Links to other sites, absolute, scheme-relative and disguised; none may be fetched.
OFFSITE_LINKS = (
    "http://localhost/", "https://news.example.com/story", "//cdn.example.net/story",
    "http://127.0.0.2/", "http://[::1]/", "HTTP://NEWS.EXAMPLE.ORG/Story",
    "http://user:secret@evil.example/", "http://127.0.0.1.evil.example/",
)  # fmt: skip
#: What the same page embeds from other sites: an image, a script, a stylesheet.
OFFSITE_EMBEDS = (
    '<img src="http://tracker.example/pixel.gif" alt="">',
    '<script src="//cdn.example.net/app.js"></script>',
    '<link rel="stylesheet" href="https://fonts.example/css">',
)
#: Links no crawler should follow, by scheme.
SCHEME_LINKS = {
    "javascript": "javascript:alert(document.cookie)",
    "mailto": "mailto:desk@news.example.com",
    "tel": "tel:+81-3-1234-5678",
    "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file": "file:///etc/passwd",
    "ftp": "ftp://127.0.0.1/pub/",
}

HTML = "text/html; charset=utf-8"


def _page(title: str, main: str, *, head: str = '<meta charset="utf-8">', lang: str = "en") -> str:
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n{head}\n'
        f"<title>{escape(title)} | Daily8 Sample</title>\n</head>\n<body>\n"
        f'<header class="site-header"><a class="site-name" href="/">Daily8 Sample</a></header>\n'
        f"<main>\n{main}\n</main>\n</body>\n</html>\n"
    )


def _article(title: str, time: str, paragraphs: list[str]) -> str:
    """An article in the sample site's markup, so the daily8 profile reads it."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        '<article class="news-article">\n'
        f'<h1 class="article-title">{escape(title)}</h1>\n'
        '<div class="article-meta"><span class="article-source">Kyodo</span> · '
        f'<span class="article-time">{escape(time)}</span></div>\n'
        f'<div class="article-body">{body}</div>\n'
        '<p class="article-credit">© KYODO</p>\n'
        "</article>"
    )


def _cards(times: tuple[str, ...], href: str) -> str:
    cards = "".join(
        '<article class="card">\n'
        f'<header class="card-header"><span class="card-source">Kyodo</span>'
        f'<span class="card-time">{escape(time)}</span></header>\n'
        f'<a class="card-link" href="{href}"><h3 class="card-title">Story dated {escape(time)}'
        "</h3></a>\n<p class=\"card-summary\">A card whose time no clock can show.</p>\n"
        "</article>\n"
        for time in times
    )
    return f'<div class="card-list">\n{cards}</div>'


def _html(page: str, content_type: str = HTML, encoding: str = "utf-8") -> Response:
    return 200, {"Content-Type": content_type}, page.encode(encoding, "xmlcharrefreplace")


_PLAIN = [
    "The story goes on as if nothing were wrong with the page it is printed on.",
    "Crawlers meet pages like this every day, and must keep going.",
]


def _malformed() -> Response:
    """Mis-nested, unclosed and stray tags around an article that is still readable."""
    main = (
        _article("Malformed markup still tells a story", "2 hours ago", _PLAIN)
        .replace("<p>", "<p><b><i>", 1)
        .replace("</p>", "</b></i></p></span>", 1)
        + "<div class=unclosed><table><td>cell<p>para in a cell</table></font>"
    )
    return _html(_page("Malformed", main))


def _truncated() -> Response:
    """A page cut off inside a tag, long after its article ended."""
    page = _page("Truncated", _article("A page cut short", "3 hours ago", _PLAIN) + "\n"
                 + _cards(("an hour ago",), DATED_ARTICLE))  # fmt: skip
    return _html(page[: page.index('<a class="card-link"') + 12])


def _latin(head: str, content_type: str) -> Response:
    """The French article in Latin-1, its charset declared in ``head`` or ``content_type``
    (which it quotes, so that each page's payload is its own)."""
    main = _article(LATIN_TITLE, "4 hours ago", [*_PLAIN, f"Content-Type: {content_type}."])
    return _html(_page(LATIN_TITLE, main, head=head, lang="fr"), content_type, "latin-1")


def _shift_jis() -> Response:
    main = _article(JAPANESE_TITLE, "5 hours ago", ["東証の終値は前日比で上昇した。"])
    page = _page(JAPANESE_TITLE, main, head='<meta charset="shift_jis">', lang="ja")
    return _html(page, "text/html", "shift_jis")


def _png() -> bytes:
    """A real 16x16 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes([200, 40, 40]) * 16 for _ in range(16))
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


@cache
def _huge() -> bytes:
    """An article of 20 MiB: some 250,000 paragraphs, each one different."""
    paragraphs, size, n = [], 0, 0
    while size < HUGE:
        text = f"Paragraph {n} of a story that never ends: markets moved, then moved again."
        paragraphs.append(text)
        size += len(text) + 7
        n += 1
    return _page("Huge", _article("An endless story", "6 hours ago", paragraphs)).encode()


@cache
def _bomb() -> bytes:
    """One gzip member of 256 MiB of spaces: about 260 kB on the wire."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * (1024 * 1024)
    return b"".join([*(packer.compress(block) for _ in range(BOMB // len(block))), packer.flush()])


def _many_links() -> Response:
    items = "".join(f'<li><a href="{TRAP}{i}">Link {i}</a></li>' for i in range(LINKS))
    return _html(_page("Many links", f"<h1>An index of {LINKS} links</h1>\n<ul>{items}</ul>"))


def _link_list(title: str, hrefs: list[str], extra: str = "") -> Response:
    items = "".join(f'<li><a href="{escape(href)}">{escape(href)}</a></li>' for href in hrefs)
    return _html(_page(title, f"<h1>{escape(title)}</h1>\n<ul>{items}</ul>{extra}"))


def _offsite() -> Response:
    return _link_list("Links to other sites", list(OFFSITE_LINKS), "".join(OFFSITE_EMBEDS))


def _dates() -> Response:
    main = f'<h1 class="listing-title">Absurd dates</h1>\n{_cards(ABSURD_TIMES, DATED_ARTICLE)}'
    return _html(_page("Absurd dates", main))


def _dated_article() -> Response:
    """An article whose shown time and JSON-LD ``datePublished`` are both impossible."""
    main = _article("An article from the far future", ABSURD_ARTICLE_TIME, _PLAIN)
    jsonld = '<script type="application/ld+json">{"@type": "NewsArticle", ' \
             '"datePublished": "99999-12-31T00:00:00Z"}</script>'  # fmt: skip
    return _html(_page("Far future", main, head=f'<meta charset="utf-8">\n{jsonld}'))


#: Each hostile page the home page links, with what it serves.
_PAGES = {
    "malformed": _malformed,
    "truncated": _truncated,
    # The header says UTF-8 (and wins over <meta>); the bytes are Latin-1, as <meta> says.
    "charset-mismatch": lambda: _latin('<meta charset="iso-8859-1">', HTML),
    "charset-missing": lambda: _latin("", "text/html"),
    "latin-1": lambda: _latin("", "text/html; charset=iso-8859-1"),
    "shift-jis": _shift_jis,
    "binary": lambda: (200, {"Content-Type": "text/html"}, random.Random(9).randbytes(65536)),
    "png": lambda: (200, {"Content-Type": "text/html"}, _png()),
    "empty": lambda: (200, {"Content-Type": "text/html"}, b""),
    "huge": lambda: (200, {"Content-Type": HTML}, _huge()),
    "bomb": lambda: (200, {"Content-Type": HTML, "Content-Encoding": "gzip"}, _bomb()),
    "oversize": lambda: (200, {"Content-Type": "application/octet-stream"}, bytes(OVERSIZE)),
    "many-links": _many_links,
    "offsite": _offsite,
    "schemes": lambda: _link_list("Links that are not http", list(SCHEME_LINKS.values())),
    "dates": _dates,
}
PATHS = tuple(PREFIX + name for name in _PAGES)


def respond(path: str) -> Response | None:
    """The hostile page at ``path``; None for a path that is none of them."""
    if path == DATED_ARTICLE:
        return _dated_article()
    page = _PAGES.get(path.removeprefix(PREFIX)) if path.startswith(PREFIX) else None
    return page() if page else None
