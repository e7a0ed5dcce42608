"""Zero-config article extraction on saved publisher pages (tests/fixtures/articles).

``expected.json`` names, for each page, the URL and fetch instant, the zone its day is
judged in, that day, the title, and whether it is an article at all; optional keys
(``time``, ``source``, ``image_caption``) pin other fields where a page shows them. The day
is read the way the pipeline reads it: the machine time through ``machine``, else the
displayed time through ``normalise``. Adding a case is adding a page and its entry.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from parsel import Selector

from crawler.pages.articles import article_fields, structured_time
from crawler.timestamps import normalise
from crawler.timestamps.machine import machine

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text("utf-8"))
FETCHED = datetime.fromisoformat("2024-03-13T08:00:00+00:00")


def fields(name: str):
    case = EXPECTED[name]
    html = (FIXTURES / name).read_text("utf-8")
    page = Selector(text=html, type="html")
    return article_fields(
        page, html, case["url"], fetched_at=datetime.fromisoformat(case["fetched_at"])
    )


def published_day(found, case) -> str | None:
    """The local day of the publication time, read as the pipeline reads it."""
    fetched_at = datetime.fromisoformat(case["fetched_at"])
    zone = case["timezone"]
    stamp = None
    if found["machine_time"] is not None:
        raw, via = found["machine_time"]
        stamp = machine(raw, tz=zone, via=via, fetched_at=fetched_at)
    elif found["time"] is not None:
        languages = case.get("languages", ["en"])
        stamp = normalise(found["time"], fetched_at, tz=zone, languages=languages)
    if stamp is None:
        return None
    return stamp.value.astimezone(ZoneInfo(zone)).date().isoformat()


def test_fixture_set_is_broad():
    articles = [case for case in EXPECTED.values() if case["is_article"]]
    assert len(articles) >= 30
    assert len(EXPECTED) - len(articles) >= 4
    assert sorted(EXPECTED) == sorted(path.name for path in FIXTURES.glob("*.html"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name):
    case = EXPECTED[name]
    found = fields(name)
    if not case["is_article"]:
        assert found is None
        return
    assert found is not None
    assert found["title"] == case["title"]
    assert published_day(found, case) == case["day"]
    assert found["related"] == []
    assert len(found["body"]) > 200
    for key in ("time", "source", "image_caption"):
        if key in case:
            assert found[key] == case[key]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pure(name):
    assert fields(name) == fields(name)


def test_machine_time_sources():
    """Each page says where its time came from; the most deliberate source wins."""
    via = {name: (fields(name) or {}).get("machine_time") for name in EXPECTED}
    assert via["bbc-reportage.html"] == ("2024-03-12T09:41:23.000Z", "jsonld")
    assert via["korean-opengraph-only.html"] == ("2024-07-01T23:45:00+09:00", "opengraph")
    assert via["microdata-local-paper.html"] == ("2024-03-12T06:00:00-06:00", "microdata")
    assert via["sailthru-rfc822.html"] == ("Thu, 29 Feb 2024 23:10:00 -0500", "meta")
    assert via["wordpress-time-only.html"] == ("2023-11-05T08:12:44+00:00", "time-element")
    assert via["shanghai-data-timestamp.html"] == ("1710250200", "time-element")
    assert via["url-date-only.html"] == ("2024-03-12", "htmldate")
    assert via["modified-before-published.html"][0] == "2024-03-12T08:00:00+01:00"
    assert via["jsonld-broken-comma.html"] == ("2024-03-12T18:20:00+00:00", "jsonld")


def test_body_paragraphs_and_no_comments():
    found = fields("wordpress-yoast-graph.html")
    assert found["body"].startswith("RIVERBEND — After a four-hour meeting")
    assert found["body"].count("\n\n") == 3
    assert "tax hike" not in found["body"]


def test_relative_display_is_left_to_normalise():
    html = """<html><head><meta property="og:type" content="article"></head><body><article>
    <h1>Bridge closed after barge strike</h1><span class="timestamp">3 hours ago</span>
    <p>The bridge over the river was closed on Tuesday after a barge struck one of its piers,
    and engineers are inspecting the damage before deciding when it can reopen to traffic.</p>
    <p>Commuters were told to expect long delays on the detour routes through the old town,
    and buses are being diverted across the northern crossing until further notice.</p>
    </article><footer>© 2019 Example</footer></body></html>"""
    found = article_fields(
        Selector(text=html), html, "https://example.com/news/bridge", fetched_at=FETCHED
    )
    assert found is not None
    assert found["time"] == "3 hours ago"
    assert found["machine_time"] is None


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "\x00\x01\x02 binary junk \xff\xfe",
        "%PDF-1.4\n1 0 obj << /Type /Catalog >>",
        '{"@type": "NewsArticle", "datePublished": "2024-03-12"}',
        "<html><head><script type='application/ld+json'></script></head><body></body></html>",
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", </script><h1>x</h1>',
        "<script type='application/ld+json'>[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]</script>",
        "<script type='application/ld+json'>" + "[" * 100_000 + "</script>",
        '<script type=\'application/ld+json\'>{"@type": 5, "datePublished": {}}</script>',
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", "headline": [], '
        '"datePublished": ["2024-03-12T10:00:00Z"], "publisher": "x"}</script><h1>T</h1>',
        '<meta property="article:published_time" content="9999-99-99"><h1>T</h1><p>x</p>',
        "<h1>" + "word " * 5000 + "</h1>",
    ],
)
def test_never_crashes(html):
    found = article_fields(
        Selector(text=html or "<html/>"), html, "https://example.com/a", fetched_at=FETCHED
    )
    assert found is None or isinstance(found["title"], str)


def test_structured_time_reads_metadata_only():
    """For profiled pages: the metadata's time, never a shown ``<time>`` nor a guess."""

    def read(name: str):
        return structured_time(Selector(text=(FIXTURES / name).read_text("utf-8")))

    assert read("bbc-reportage.html") == ("2024-03-12T09:41:23.000Z", "jsonld")
    assert read("microdata-local-paper.html") == ("2024-03-12T06:00:00-06:00", "microdata")
    assert read("wordpress-time-only.html") is None
    assert read("displayed-english-only.html") is None


def test_a_zoned_time_beats_the_same_wall_time_without_zone():
    html = """<html><head>
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Tram fares rise",
    "datePublished": "2024-03-12T00:20:00"}</script>
    <meta property="article:published_time" content="2024-03-12T00:20:00+01:00">
    </head><body><article><h1>Tram fares rise</h1><p>Fares rise in July.</p></article>
    </body></html>"""
    found = article_fields(Selector(text=html), html, "https://example.cz/tram", fetched_at=FETCHED)
    assert found["machine_time"] == ("2024-03-12T00:20:00+01:00", "opengraph")
