"""crawler.pages.extract on saved pages: each NAME.html has NAME.json beside it.

The JSON holds the page's URL, the fetch instant and the expected items; adding a case is
adding those two files. The seed-specific assertions below state the facts the fixtures
must keep, so a regenerated fixture cannot quietly lose them.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.demo.site import Site
from crawler.pages import content_type, extract, read
from crawler.pipelines.audit import ItemAuditPipeline, item_validator
from crawler.profiles import load as load_profile

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
CASES = sorted(path.stem for path in FIXTURES.glob("*.html"))
DAILY8 = load_profile("daily8")
CHROME = ("Hashtags", "Try Our AI Features", "Explore what Daily8 AI", "Comments",
          "No comments yet", "Related Articles", "© KYODO")  # fmt: skip


def load(name: str) -> tuple[list[dict], dict]:
    expected = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    items = extract(
        expected["url"],
        (FIXTURES / f"{name}.html").read_bytes(),
        fetched_at=datetime.fromisoformat(expected["fetched_at"]),
        headers={"Content-Type": "text/html; charset=utf-8"},
        profile=DAILY8,
    )
    return items, expected


@pytest.mark.parametrize("name", CASES)
def test_fixture(name):
    items, expected = load(name)
    assert items == expected["items"]


@pytest.mark.parametrize("name", CASES)
def test_items_match_schema_once_provenance_is_added(name):
    items, _ = load(name)
    validator = item_validator()
    for item in items:
        item["warc"] = None
        assert not list(validator.iter_errors(item))


@pytest.mark.parametrize("name", ["seed-article-photo", "seed-article-later"])
def test_seed_article(name):
    (article,) = load(name)[0]
    assert article["type"] == "article"
    assert article["title"] == "Japan, NATO agree to collaborate on Iran, Ukraine, N Korea issues"
    assert article["credit"] == "KYODO"
    assert article["body"].startswith("Japan and NATO agreed Tuesday")
    assert article["body"].endswith("concerns over the Middle East situation.")
    assert article["body"].count("\n\n") == 5
    for chrome in CHROME:
        assert chrome not in article["body"]
    assert len(article["related"]) == 3


def test_the_two_seed_versions_differ_in_caption_and_related_block():
    (early,) = load("seed-article-photo")[0]
    (late,) = load("seed-article-later")[0]
    assert early["image_caption"].startswith("NATO Secretary General Mark Rutte, right,")
    assert late["image_caption"] is None
    assert [c["source"] for c in early["related"]] == ["NHK", "The Mainichi", "The Mainichi"]
    assert [c["published"]["raw"] for c in early["related"]] == [
        "33 minutes ago", "an hour ago", "2 hours ago",
    ]  # fmt: skip
    assert [c["source"] for c in late["related"]] == [
        "Yomiuri Shimbun", "Yomiuri Shimbun", "Jiji Press",
    ]  # fmt: skip
    assert [c["published"]["raw"] for c in late["related"]] == [
        "27 minutes ago", "an hour ago", "an hour ago",
    ]  # fmt: skip


def test_jiji_card_dateline_agrees_with_its_relative_time():
    (late,) = load("seed-article-later")[0]
    jiji = late["related"][2]
    assert jiji["summary"].startswith("News from Japan Politics Jul 30, 2025 16:20 (JST)")
    window = jiji["published"]
    stated = datetime.fromisoformat("2025-07-30T16:20:00+09:00")
    earliest = datetime.fromisoformat(window["earliest"])
    latest = datetime.fromisoformat(window["latest"])
    assert earliest <= stated <= latest


def test_listing_cards_have_absolute_links_and_sources():
    (listing,) = load("listing-home")[0]
    assert listing["type"] == "listing"
    assert listing["title"] == "Top stories"
    assert len(listing["cards"]) == 10
    cards = listing["cards"]
    assert all(card["url"].startswith("https://daily8.example/article/") for card in cards)
    assert all(card["source"] for card in listing["cards"])


def test_page_without_known_layout_gives_no_items():
    fetched = datetime.fromisoformat("2025-07-30T08:35:00+00:00")
    assert extract("https://x.example/", b"<html><body><p>hi</p></body></html>",
                   fetched_at=fetched) == []  # fmt: skip


def test_charset_from_headers_decodes_latin1():
    html = "<html><body><main><h1 class='listing-title'>Caf\xe9</h1><div class='card-list'>" \
           "<article class='card'><a class='card-link' href='/a'><h3 class='card-title'>" \
           "Cr\xe8me</h3></a></article></div></main></body></html>"  # fmt: skip
    (listing,) = extract(
        "https://x.example/",
        html.encode("latin-1"),
        fetched_at=datetime.fromisoformat("2025-07-30T08:35:00+00:00"),
        headers={b"Content-Type": [b"text/html; charset=iso-8859-1"]},
        profile=DAILY8,
    )
    assert listing["title"] == "Café"
    assert listing["cards"][0]["title"] == "Crème"
    assert listing["cards"][0]["published"] is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (None, None),
        ({"content-type": "text/html"}, "text/html"),
        ({b"Content-Type": [b"text/html; charset=utf-8"]}, "text/html; charset=utf-8"),
        ({"X-Other": "1"}, None),
    ],
)
def test_content_type_from_any_mapping(headers, expected):
    assert content_type(headers) == expected


class Counts(dict):
    """Scrapy's stats interface over a dict."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] = self.get(key, start) + count


def test_an_item_breaking_the_schema_is_counted_logged_and_kept(caplog):
    (item,) = extract(
        "https://daily8.example/article/1",
        (FIXTURES / "seed-article-photo.html").read_bytes(),
        fetched_at=datetime(2025, 7, 30, 8, 0, tzinfo=timezone.utc),
        profile=DAILY8,
    )
    item["warc"] = None
    audit = ItemAuditPipeline(Counts())
    assert audit.process_item(item) is item and "items/invalid" not in audit.stats
    item["related"][0]["title"] = ""
    item["surprise"] = 1
    with caplog.at_level("ERROR"):
        assert audit.process_item(item) is item
    assert audit.stats["items/invalid"] == 1
    (record,) = [r for r in caplog.records if "breaks the schema" in r.getMessage()]
    assert "related/0/title" in record.getMessage() and "surprise" in record.getMessage()


def test_a_listings_next_page_is_its_pagination_not_a_discovery_link():
    """``read`` gives a listing's next page apart from its other links: the spider queues
    it at its own priority (``PAGINATION_PRIORITY``)."""
    now = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
    site = Site(now)
    pages = {}
    for path in ("/", "/?page=2", site.articles[0].path):
        status, headers, body = site.respond(path, now)
        assert status == 200
        pages[path] = read(f"http://news.test{path}", body, fetched_at=now, headers=headers,
                           profile=DAILY8)  # fmt: skip
    assert pages["/"].pagination == ("http://news.test/?page=2",)
    assert pages["/?page=2"].pagination == ("http://news.test/?page=3",)
    assert pages[site.articles[0].path].pagination == ()
    for reading in pages.values():
        assert not [url for url in reading.links if "?page=" in url]
    assert len(pages["/"].links) == len(pages["/"].items[0]["cards"]) > 0
