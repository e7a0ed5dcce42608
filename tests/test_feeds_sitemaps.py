"""Feed and sitemap discovery parsers on saved documents: each NAME.<ext> has NAME.json beside it.

The JSON holds the document's URL, optionally its Content-Type, and under "expected" the
result of each function that applies to it (parse_feed, parse_sitemap, looks_like_feed,
looks_like_sitemap, feed_links, sitemaps_from_robots); adding a case is adding those two
files. The tests after the fixtures pin the safety properties: no entity expansion, no
file or network access, size caps, and no exception whatever the bytes.
"""

from __future__ import annotations

import gzip
import json
import random
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from parsel import Selector

from crawler.pages import read, sitemaps
from crawler.pages.feeds import feed_links, looks_like_feed, parse_feed, safe_xml
from crawler.pages.raw import MachineTime
from crawler.pages.sitemaps import (
    SitemapPage,
    looks_like_sitemap,
    parse_sitemap,
    sitemaps_from_robots,
)

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
CASES = sorted(path.stem for path in FIXTURES.glob("*.json"))


def document(name: str) -> Path:
    (path,) = (p for p in FIXTURES.glob(f"{name}.*") if p.suffix != ".json")
    return path


def plain(value: Any) -> Any:
    """Results as JSON: MachineTime as {"raw", "via"}, SitemapPage as {"listing", "sitemaps"}."""
    if isinstance(value, MachineTime | SitemapPage):
        return plain(value._asdict())
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def run(function: str, body: bytes, url: str, content_type: str | None) -> Any:
    if function == "parse_feed":
        return parse_feed(body, url, content_type)
    if function == "parse_sitemap":
        return parse_sitemap(body, url)
    if function == "looks_like_feed":
        return looks_like_feed(body, content_type)
    if function == "looks_like_sitemap":
        return looks_like_sitemap(body, content_type, url)
    if function == "feed_links":
        return feed_links(Selector(text=body.decode("utf-8"), type="html"), url)
    if function == "sitemaps_from_robots":
        return sitemaps_from_robots(body.decode("utf-8"), url)
    raise AssertionError(f"unknown function {function}")


def fixture_checks() -> list[tuple[str, str]]:
    checks = []
    for name in CASES:
        expected = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))["expected"]
        checks.extend((name, function) for function in expected)
    return checks


@pytest.mark.parametrize(("name", "function"), fixture_checks())
def test_fixture(name, function):
    case = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    body = document(name).read_bytes()
    result = run(function, body, case["url"], case.get("content_type"))
    assert plain(result) == case["expected"][function]


def test_every_document_has_expectations():
    documents = {p.name.split(".")[0] for p in FIXTURES.iterdir() if p.suffix != ".json"}
    assert documents == set(CASES)


def test_google_news_titles_lose_only_the_source_suffix():
    listing = parse_feed(document("google-news").read_bytes(), "https://news.google.com/rss")
    assert [card["title"] for card in listing["cards"]] == [
        "Fed holds rates steady, signals two cuts later this year",
        "Wildfire smoke drifts into Midwest \u2013 The Associated Press",
        "Stocks edge higher ahead of inflation data",
    ]
    assert [card["source"] for card in listing["cards"]] == [
        "Reuters", "AP News", "The Wall Street Journal",
    ]  # fmt: skip
    assert listing["title"] == "Top stories - Google News"


BOMB_LEVELS = "".join(
    f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
)  # l9 is 10^9 copies of l0


@pytest.mark.parametrize("newline", ["", "\n"])  # feedparser strips line-initial ENTITYs only
def test_billion_laughs_in_a_feed_does_not_expand(newline):
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{newline}<!ENTITY l0 "lol">'
        + BOMB_LEVELS.replace("<!ENTITY", newline + "<!ENTITY")
        + ']><rss version="2.0"><channel><title>&l9;</title>'
        "<item><title>T &l5;</title><link>https://e.example/1</link></item></channel></rss>"
    ).encode()
    started = time.perf_counter()
    listing = parse_feed(body, "https://e.example/feed")
    assert time.perf_counter() - started < 1
    assert listing["title"] == "&l9;"
    assert listing["cards"][0]["title"] == "T &l5;"


def test_quadratic_blowup_does_not_expand():
    """One large plain entity referenced many times: feedparser would re-declare it for both
    of its parsers, and its fallback parser expands it without any limit."""
    body = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY big "' + "x" * 100_000 + '">\n]>\n'
        '<rss version="2.0"><channel><title>t</title><item><title>'
        + "&big;" * 2_000
        + "</title><link>https://e.example/1</link></item></channel></rss>"
    ).encode()
    (card,) = parse_feed(body, "https://e.example/feed")["cards"]
    assert len(card["title"]) == len("&big;") * 2_000


def test_bomb_hidden_behind_a_quoted_bracket_does_not_expand():
    """A ``]>`` inside an entity value must not end the DOCTYPE early for the prolog scan."""
    body = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY trick "]>"><!ENTITY l0 "lol">'
        + BOMB_LEVELS
        + ']><rss version="2.0"><channel><title>&l9;</title></channel></rss>'
    ).encode()
    listing = parse_feed(body, "https://e.example/feed")
    assert listing == {"title": "&l9;", "format": "rss", "cards": []}


@pytest.mark.parametrize("kind", ["feed", "sitemap"])
def test_external_entities_are_not_read(tmp_path, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    doctype = f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    if kind == "feed":
        body = doctype + (
            '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
            "<link>https://e.example/1</link><description>&xxe;</description></item>"
            "</channel></rss>"
        )
        result = parse_feed(body.encode(), "https://e.example/feed")
    else:
        body = doctype + (
            '<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
            "<loc>https://e.example/&xxe;</loc><news:news><news:title>&xxe;</news:title>"
            "</news:news></url></urlset>"
        )
        result = parse_sitemap(body.encode(), "https://e.example/sitemap.xml")
    assert result is not None
    assert "TOP-SECRET-MARKER" not in json.dumps(plain(result))


def test_undeclared_entities_do_not_corrupt_later_urls():
    """libxml2's recovery drops every ``&amp;`` after an error; safe_xml prevents the error."""
    body = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://e.example/1</loc><lastmod>2025&ndash;06</lastmod></url>"
        b"<url><loc>https://e.example/2?a=1&amp;b=2&c=3&bogus;</loc></url>"
        b"<url><loc>https://e.example/3?\x0bx=1</loc></url></urlset>"
    )
    cards = parse_sitemap(body, "https://e.example/s.xml").listing["cards"]
    assert [card["url"] for card in cards] == [
        "https://e.example/1",
        "https://e.example/2?a=1&b=2&c=3&bogus;",
        "https://e.example/3?x=1",
    ]
    assert cards[0]["modified"] == MachineTime("2025\u201306", "sitemap")


def test_cdata_is_left_alone_by_the_repairs():
    assert safe_xml(b"<a><![CDATA[&nbsp; & <b>]]> &nbsp;</a>") == (
        b'<?xml version="1.0" encoding="utf-8"?>\n<a><![CDATA[&nbsp; & <b>]]> &#160;</a>'
    )


def test_utf16_feed_is_read():
    text = (
        '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Ü</title>'
        "<item><title>Größe</title><link>https://e.example/1</link></item></channel></rss>"
    )
    body = text.encode("utf-16")  # with BOM
    listing = parse_feed(body, "https://e.example/feed")
    assert listing["title"] == "Ü"
    assert listing["cards"][0]["title"] == "Größe"
    assert looks_like_feed(body, None)


def test_header_charset_wins_over_a_wrong_declaration():
    text = (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel>'
        "<title>Café</title></channel></rss>"
    )
    listing = parse_feed(text.encode(), "https://e.example/f", "text/xml; charset=utf-8")
    assert listing["title"] == "Café"


def test_gzipped_sitemap_over_the_cap_is_refused(monkeypatch):
    body = document("sitemap-gzipped").read_bytes()
    monkeypatch.setattr(sitemaps, "MAX_SITEMAP_BYTES", 100)
    assert parse_sitemap(body, "https://news.example.org/sitemap.xml.gz") is None


def test_truncated_gzip_keeps_the_complete_entries():
    """scrapy's gunzip returns what inflated before the cut; entries cut short are dropped."""
    whole = gzip.compress(document("sitemap-lastmod").read_bytes(), mtime=0)
    page = parse_sitemap(whole[: len(whole) * 9 // 10], "https://news.example.org/s.xml.gz")
    urls = [card["url"] for card in page.listing["cards"]]
    assert (
        urls
        == [
            "https://news.example.org/",
            "https://news.example.org/2025/06/10/council-approves-budget/",
        ][: len(urls)]
    )
    assert 0 < len(urls) < 3


def test_gzip_bomb_is_capped_not_inflated(monkeypatch):
    monkeypatch.setattr(sitemaps, "MAX_SITEMAP_BYTES", 1024 * 1024)
    body = gzip.compress(b"<urlset>" + b" " * (8 * 1024 * 1024), mtime=0)
    assert parse_sitemap(body, "https://e.example/s.xml.gz") is None


LONG_PROLOG = b"<!-- " + b"x" * 5000 + b" -->\n"  # hides the root from the 4 KB sniff
GZIP_GARBAGE = b"\x1f\x8b\x08\x00garbage"


@pytest.mark.parametrize(
    ("body", "content_type", "url", "feed", "sitemap"),
    [
        (b"", None, "https://e/", False, False),
        (LONG_PROLOG + b"<rss/>", "application/rss+xml", "https://e/", True, False),
        (LONG_PROLOG + b"<urlset/>", "text/xml", "https://e/sitemap.xml", False, True),
        (LONG_PROLOG + b"<urlset/>", "text/html", "https://e/sitemap", False, False),
        (b"<html><title>rss</title></html>", "application/rss+xml", "https://e/", False, False),
        (GZIP_GARBAGE, "application/x-gzip", "https://e/sitemap.xml.gz", False, True),
        (GZIP_GARBAGE, "application/x-gzip", "https://e/archive.tar.gz", False, False),
        (b'<rdf:RDF xmlns:rdf="x"/>', None, "https://e/", True, False),
        (b"<feed>", "text/plain", "https://e/", True, False),
    ],
)
def test_sniffing(body, content_type, url, feed, sitemap):
    assert looks_like_feed(body, content_type) is feed
    assert looks_like_sitemap(body, content_type, url) is sitemap


def hostile_bodies() -> list[bytes]:
    rng = random.Random(7)
    bodies = [b"", b"<", b"&", b"\x00\x00\x00", b"\x1f\x8b", b"\x1f\x8b\x08\x00\x00", b"\xff\xfe",
              b"<!DOCTYPE", b"<?xml", b"<!--", b"<rss", b"<urlset><url><loc>",
              b'<rss version="2.0"><channel><item><link>http://[::1</link></item></channel></rss>',
              bytes(rng.randrange(256) for _ in range(2000))]  # fmt: skip
    for path in sorted(FIXTURES.iterdir()):
        if path.suffix != ".json":
            data = path.read_bytes()
            step = max(1, len(data) // 40)
            bodies.extend(data[:cut] for cut in range(0, len(data), step))
            bodies.append(data.replace(b">", b"<", 3))
    return bodies


def test_nothing_raises_on_truncated_or_garbled_input():
    for body in hostile_bodies():
        text = body.decode("utf-8", "replace")
        parse_feed(body, "https://e.example/feed", "application/rss+xml")
        parse_sitemap(body, "https://e.example/sitemap.xml")
        looks_like_feed(body, None)
        looks_like_sitemap(body, None, "https://e.example/sitemap.xml")
        feed_links(Selector(text=text or " ", type="html"), "https://e.example/")
        sitemaps_from_robots(text, "https://e.example/robots.txt")


@pytest.mark.parametrize(
    ("body", "fault"),
    [(b"<rss", "unreadable_feed"), (b"<urlset><url><loc>http://x.example/a", "unreadable_sitemap")],
)
def test_read_names_a_feed_or_sitemap_it_cannot_read(body, fault):
    """The spider counts and logs these (pages/unreadable_*); the page is archived anyway."""
    reading = read(
        "https://x.example/feed.xml", body, fetched_at=datetime(2025, 7, 30, tzinfo=timezone.utc),
        headers={"Content-Type": "application/xml"},
    )  # fmt: skip
    assert reading.items == reading.links == [] and [f.kind for f in reading.findings] == [fault]
