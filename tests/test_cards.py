"""Zero-config card detection (``crawler.pages.cards``) against aggregator layouts.

Each case in ``fixtures/cards`` is a page (``NAME.html``) and what a reader sees on it
(``NAME.json``: the page URL, fetch instant, site zone and languages, an optional CSS
selector of the part to exclude, and the expected cards). Adding a case is adding those
two files.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector

from crawler.pages import cards
from crawler.pages.cards import detect_cards, time_predicate
from crawler.pages.sources import clean_source

FIXTURES = Path(__file__).parent / "fixtures" / "cards"
CASES = sorted(path.stem for path in FIXTURES.glob("*.json"))
FETCHED = datetime(2025, 7, 30, 8, 35, tzinfo=timezone.utc)


def run(name: str) -> tuple[list[dict], dict, Selector]:
    spec = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    page = Selector(text=(FIXTURES / f"{name}.html").read_text(encoding="utf-8"))
    is_time = time_predicate(
        datetime.fromisoformat(spec["fetched_at"]), tz=spec["tz"], languages=spec["languages"]
    )
    exclude = page.css(spec["exclude"])[0] if spec["exclude"] else None
    found = detect_cards(page, spec["url"], is_time, exclude=exclude)
    return [as_json(card) for card in found], spec, page


def as_json(card) -> dict:
    """A card as the fixtures write it: the machine time as [raw, via]."""
    machine = card["machine_time"]
    return {**card, "machine_time": list(machine) if machine else None}


def test_there_are_enough_cases():
    assert len(CASES) >= 14
    assert sum(not json.loads((FIXTURES / f"{n}.json").read_text())["cards"] for n in CASES) >= 2


@pytest.mark.parametrize("name", CASES)
def test_cards_match_what_a_reader_sees(name):
    found, spec, _ = run(name)
    expected = [{**card, "modified": None} for card in spec["cards"]]
    assert found == expected


@pytest.mark.parametrize("name", CASES)
def test_every_card_url_is_absolute_and_linked_from_the_page(name):
    found, spec, page = run(name)
    linked = {
        urljoin(spec["url"], href.strip()).split("#")[0]
        for href in page.css("a::attr(href)").getall()
    }
    for card in found:
        parts = urlsplit(card["url"])
        assert parts.scheme in ("http", "https") and parts.netloc, card["url"]
        assert not parts.fragment
        assert card["url"] in linked
        assert card["title"] and card["title"] == " ".join(card["title"].split())
        assert card["time"] is not None or card["machine_time"] is not None


@pytest.mark.parametrize(
    ("languages", "text"),
    [
        (("en",), "27 minutes ago"),
        (("en",), "14m"),
        (("en",), "2h"),
        (("en",), "Yesterday"),
        (("en",), "Jul 30, 2025 16:20 (JST)"),
        (("en",), "Updated 2 hours ago"),
        (("de",), "vor 9 Minuten"),
        (("de",), "gestern, 21:40"),
        (("fr",), "il y a 3 heures"),
        (("fr",), "10h12"),
        (("es",), "hace 20 minutos"),
        (("it",), "35 minuti fa"),
        (("pt",), "há 2 horas"),
        (("nl",), "2 uur geleden"),
        (("ja",), "3時間前"),
        (("ja",), "7/30(水) 12:41"),
        (("zh",), "2小时前"),
        (("zh",), "07-29 09:15"),
        (("ko",), "3시간 전"),
        (("ru",), "вчера в 21:40"),
        (("ar",), "منذ ساعتين"),
    ],
)
def test_predicate_knows_displayed_times(languages, text):
    assert time_predicate(FETCHED, tz="UTC", languages=languages)(text)


@pytest.mark.parametrize(
    "text",
    ["45 comments", "120 points", "Politics", "Read more", "2025", "© 2025 Example", "Page 2",
     "Fed holds rates steady as inflation cools", "Vitamin D", "it's", ""],
)  # fmt: skip
def test_predicate_rejects_other_texts_without_asking_dateparser(monkeypatch, text):
    asked = []
    monkeypatch.setattr(cards, "normalise", lambda raw, *args, **kwargs: asked.append(raw))
    assert not time_predicate(FETCHED, tz="UTC", languages=("en", "de", "fr"))(text)
    assert asked == []


def test_predicate_remembers_each_text(monkeypatch):
    asked = []
    real = cards.normalise

    def counting(raw, *args, **kwargs):
        asked.append(raw)
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(cards, "normalise", counting)
    is_time = time_predicate(FETCHED, tz="UTC", languages=("en",))
    assert [is_time("2 hours ago") for _ in range(3)] == [True, True, True]
    assert asked == ["2 hours ago"]


def test_predicate_rejects_a_bad_site_setting():
    with pytest.raises(ValueError):
        time_predicate(FETCHED, tz="Mars/Olympus", languages=("en",))


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("- Reuters", "Reuters"),
        ("— The Guardian", "The Guardian"),
        ("© AFP", "AFP"),
        ("via Bloomberg", "Bloomberg"),
        ("By Associated Press:", "Associated Press"),
        ("| NHK World", "NHK World"),
        ("(nytimes.com)", "nytimes.com"),
        ("来源\uff1a新华网", "新华网"),
        ("  Kyodo  ", "Kyodo"),
        ("·", None),
        ("2025", None),
        (None, None),
    ],
)
def test_clean_source(raw, name):
    assert clean_source(raw) == name


def listing(cards_html: str, extra: str = "") -> Selector:
    return Selector(text=f"<html><body><main>{cards_html}</main>{extra}</body></html>")


def card_html(index: int, when: str = "2 hours ago") -> str:
    return (
        f'<div class="story"><h3><a href="/news/2025/07/30/story-{index}">Story number {index} '
        f'about an important matter</a></h3><span class="source">Outlet {index}</span> '
        f'<span class="when">{when}</span></div>'
    )


def test_excluded_part_never_gives_cards():
    live = "".join(card_html(index) for index in range(3))
    related = "".join(card_html(index) for index in range(10, 12))
    page = Selector(
        text=f'<html><body><article id="story">{live}</article>'
        f'<aside class="related">{related}</aside></body></html>'
    )
    is_time = time_predicate(FETCHED, tz="UTC", languages=("en",))
    every = detect_cards(page, "https://example.com/a", is_time)
    assert len(every) == 5
    kept = detect_cards(page, "https://example.com/a", is_time, exclude=page.css("#story")[0])
    assert [card["url"] for card in kept] == [
        "https://example.com/news/2025/07/30/story-10",
        "https://example.com/news/2025/07/30/story-11",
    ]


def test_a_single_timed_block_is_no_listing():
    page = listing(card_html(1))
    assert detect_cards(page, "https://example.com/", lambda text: text == "2 hours ago") == []


def test_hidden_and_scripted_times_do_not_count():
    hidden = "".join(
        f'<div class="story"><a href="/news/2025/07/30/story-{i}">Story number {i} about '
        f'things</a><span style="display: none">2 hours ago</span>'
        f"<script>var t = '3 hours ago';</script></div>"
        for i in range(4)
    )
    is_time = time_predicate(FETCHED, tz="UTC", languages=("en",))
    assert detect_cards(listing(hidden), "https://example.com/", is_time) == []


def test_the_same_story_twice_is_one_card_in_document_order():
    page = listing(card_html(1, "5 minutes ago") + card_html(2) + card_html(1, "1 hour ago"))
    is_time = time_predicate(FETCHED, tz="UTC", languages=("en",))
    found = detect_cards(page, "https://example.com/", is_time)
    assert [(card["url"][-7:], card["time"]) for card in found] == [
        ("story-1", "5 minutes ago"),
        ("story-2", "2 hours ago"),
    ]


def test_a_big_page_takes_no_quadratic_time():
    rows = "".join(
        f'<div class="row"><a href="/item/{i}">Link number {i} to a page with several words</a>'
        f" <span>{i} points</span> <span>{i % 59 + 1} minutes ago</span></div>"
        for i in range(10_000)
    )
    page = listing(rows)
    is_time = time_predicate(FETCHED, tz="UTC", languages=("en",))
    start = time.perf_counter()
    found = detect_cards(page, "https://example.com/", is_time)
    assert len(found) == 10_000
    assert time.perf_counter() - start < 5
