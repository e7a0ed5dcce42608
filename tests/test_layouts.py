"""The extra demo layouts (compact, grid, german): their pages, their truth, their crawls.

Page tests read each layout in-process with the selectors of its own profile, so a
profile and its layout cannot drift apart. Crawl tests serve each layout on loopback, run
``scrapy crawl aggregator`` with its profile and with none (zero-config), and hold the
scores of ``benchmarks.quality`` (the same code) to its targets.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin

import pytest
from parsel import Selector

from benchmarks.quality import MODES, TARGETS, Crawl, crawl, score
from crawler.demo.layouts import LAYOUTS, LayoutSite, profile_path
from crawler.demo.layouts.base import age
from crawler.demo.server import SampleServer
from crawler.timestamps import normalise

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

UTC = timezone.utc
# A summer morning, and the night Europe moved to summer time (US clocks did three weeks
# earlier): calendar-day labels must hold across both.
EPOCHS = (datetime(2025, 7, 30, 8, 35, 20, tzinfo=UTC), datetime(2025, 3, 30, 22, 40, tzinfo=UTC))
SERVED = timedelta(seconds=95)  # pages are served this long after the epoch
NAMES = tuple(LAYOUTS)


def profile_of(name: str) -> dict[str, Any]:
    return tomllib.loads(profile_path(name).read_text("utf-8"))


def field(node: Selector, selectors: str | list[str]) -> str | None:
    """A profile field as the format defines it: the first selector giving a value wins;
    without ::attr()/::text a node's visible text, whitespace folded."""
    for css in [selectors] if isinstance(selectors, str) else selectors:
        if "::" in css:
            value = node.css(css).get()
        else:
            found = node.css(css)
            value = " ".join(" ".join(found[0].css("::text").getall()).split()) if found else None
        if value and value.strip():
            return value.strip()
    return None


def get(site: LayoutSite, path: str, now: datetime) -> Selector:
    status, headers, body = site.respond(path, now)
    assert status == 200, path
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    return Selector(text=body.decode("utf-8"))


def listings(site: LayoutSite, now: datetime) -> dict[str, Selector]:
    """Every listing page, reached from home and the sections by the profile's pagination."""
    pagination = profile_of(site.name)["links"]["pagination"]
    queue = ["/", *(site.section_path(s) for s in site.sections)]
    pages: dict[str, Selector] = {}
    while queue:
        path = queue.pop()
        if path not in pages:
            pages[path] = get(site, path, now)
            for css in pagination:
                hrefs = pages[path].css(f"{css}::attr(href)").getall()
                queue += [urljoin(path, href) for href in hrefs]
    return pages


def read_cards(page: Selector, cards_css: str, rules: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {name: field(card, css) for name, css in rules.items()} for card in page.css(cards_css)
    ]


@pytest.fixture(scope="module", params=[(n, e) for n in NAMES for e in EPOCHS],
                ids=lambda p: f"{p[0]}-{p[1]:%m%d}")  # fmt: skip
def layout(request: pytest.FixtureRequest) -> LayoutSite:
    name, epoch = request.param
    return LAYOUTS[name](epoch)


# --- pages ----------------------------------------------------------------------------------


def test_pages_are_a_pure_function_of_epoch_and_clock(layout: LayoutSite) -> None:
    again = type(layout)(layout.epoch)
    story = layout.stories[len(layout.stories) // 2]
    paths = ["/", f"/?{layout.page_param}=2", layout.section_path("world"), story.path,
             "/about", "/robots.txt", "/_truth.json"]  # fmt: skip
    now = layout.epoch + SERVED
    for path in paths:
        assert layout.respond(path, now) == again.respond(path, now), path
    later = layout.respond(story.path, now + timedelta(hours=3))[2]
    assert later != layout.respond(story.path, now)[2]  # the labels follow the clock


def test_catalogue_shape(layout: LayoutSite) -> None:
    truth = layout.truth()
    assert 40 <= len(truth) <= 60
    sources = [t["source"] for t in truth.values()]
    assert sum(s.source is None for s in layout.stories) >= 3  # source-less cards
    assert len(set(sources) - {None}) >= 5
    assert all(t["title"] and datetime.fromisoformat(t["published"]) < layout.epoch + SERVED
               for t in truth.values())  # fmt: skip


def test_listings_paginate_and_link_exactly_the_truth(layout: LayoutSite) -> None:
    now = layout.epoch + SERVED
    pages = listings(layout, now)
    assert f"/?{layout.page_param}=2" in pages  # the home listing runs over pages
    rules = profile_of(layout.name)
    linked = set()
    for page in pages.values():
        cards = read_cards(page, rules["listing"]["cards"], rules["card"])
        assert cards
        linked |= {card["url"] for card in cards}
    assert linked == set(layout.truth())


def test_cards_show_the_truth(layout: LayoutSite) -> None:
    """Listing and related cards, read with the profile: titles, sources, and times whose
    window (as the crawler's normaliser reads them in the site's zone) holds the instant."""
    now = layout.epoch + SERVED
    rules = profile_of(layout.name)
    truth = layout.truth()
    pages = [(page, rules["listing"]["cards"]) for page in listings(layout, now).values()]
    pages += [(get(layout, path, now), rules["article"]["related"]) for path in truth]
    seen = 0
    for page, cards_css in pages:
        for card in read_cards(page, cards_css, rules["card"]):
            true = truth[card["url"]]
            instant = datetime.fromisoformat(true["published"])
            assert card["title"] == true["title"]
            if card["source"] is not None or true["source"] is None:
                assert card["source"] == true["source"]
            else:  # no source shown: the summary's dateline names it
                assert f"({true['source']})" in (card["summary"] or "")
            shown = normalise(card["time"], now, tz=layout.tz, languages=layout.languages)
            assert shown is not None, card["time"]
            assert shown.earliest <= instant <= shown.latest, (card["time"], instant)
            if card.get("machine_time"):
                assert datetime.fromisoformat(card["machine_time"]) == instant
            seen += 1
    assert seen > 5 * len(truth)


def test_every_time_bucket_is_shown(layout: LayoutSite) -> None:
    units = {age(s.published, layout.epoch, layout.zone).unit for s in layout.stories}
    assert units == {"now", "minutes", "hours", "days", "date"}


def _metadata(page: Selector) -> tuple[list[Any], dict[str, str]]:
    jsonld = [json.loads(s) for s in page.css('script[type="application/ld+json"]::text').getall()]
    og = dict(zip(page.css("meta[property]::attr(property)").getall(),
                  page.css("meta[property]::attr(content)").getall(), strict=True))  # fmt: skip
    return jsonld, og


def test_article_pages_carry_their_own_metadata(layout: LayoutSite) -> None:
    """compact: JSON-LD only; grid: OpenGraph only; german: neither, a visible line only."""
    now = layout.epoch + SERVED
    article = profile_of(layout.name)["article"]
    for path, true in layout.truth().items():
        page = get(layout, path, now)
        root = page.css(article["root"])
        instant = datetime.fromisoformat(true["published"])
        assert field(root, article["title"]) == true["title"]
        assert root.css(article["body"])
        jsonld, og = _metadata(page)
        if layout.name == "compact":
            assert not og and len(jsonld) == 1 and jsonld[0]["@type"] == "NewsArticle"
            assert jsonld[0]["headline"] == true["title"]
            published = datetime.fromisoformat(jsonld[0]["datePublished"])
            assert published == instant and published.utcoffset() == timedelta(hours=9)
        elif layout.name == "grid":
            assert not jsonld and og["og:type"] == "article"
            assert datetime.fromisoformat(og["article:published_time"]) == instant
        else:
            assert not jsonld and not og
            line = field(root, article["time"])
            assert line is not None and line.startswith("Veröffentlicht: ")
            shown = normalise(line, now, tz=layout.tz, languages=layout.languages)
            assert shown is not None and shown.earliest <= instant <= shown.latest
        assert page.css(article["related"])


@pytest.mark.parametrize("name", NAMES)
def test_bad_pages_are_not_found(name: str) -> None:
    site = LAYOUTS[name](EPOCHS[0])
    now = EPOCHS[0] + SERVED
    for path in (f"/?{site.page_param}=0", f"/?{site.page_param}=99", f"/?{site.page_param}=x",
                 "/nowhere", site.section_root + "nowhere"):  # fmt: skip
        assert site.respond(path, now)[0] == 404, path


@pytest.mark.parametrize("name", NAMES)
def test_truth_robots_and_profile(name: str) -> None:
    from crawler.profiles import load

    site = LAYOUTS[name](EPOCHS[0])
    now = EPOCHS[0] + SERVED
    status, _, body = site.respond("/_truth.json", now)
    assert status == 200 and json.loads(body) == site.truth()
    robots = site.respond("/robots.txt", now)[2].decode()
    assert "Disallow: /_truth.json" in robots
    assert b"_truth" not in site.respond("/", now)[2]
    profile = load(str(profile_path(name)))
    assert profile.name == name and profile.timezone == site.tz
    assert profile.languages == site.languages


def test_server_serves_a_layout_with_its_subresources() -> None:
    site = LAYOUTS["grid"](datetime.now(UTC))
    with SampleServer(site) as server:
        request = urllib.request.Request(server.url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            page = Selector(text=gzip.decompress(response.read()).decode("utf-8"))
        images = page.css("img::attr(src)").getall()
        assert images
        for src in set(images):
            with urllib.request.urlopen(urljoin(server.url, src)) as response:
                assert response.headers["Content-Type"] == "image/svg+xml"


def test_serve_command_takes_a_layout() -> None:
    command = [sys.executable, "-m", "crawler.demo", "serve", "--layout", "german"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            url = re.search(r"http://\S+/", line)
            assert line.startswith("Serving german layout on") and url
            with urllib.request.urlopen(url[0] + "robots.txt") as response:
                assert response.status == 200
            with urllib.request.urlopen(url[0]) as response:
                assert 'lang="de"' in response.read().decode("utf-8")
        finally:
            process.terminate()
    assert process.returncode == 0


# --- crawls ---------------------------------------------------------------------------------
# These need the crawler's profiles and zero-config detection.


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Crawl | Exception]:
    """All six crawls at once (each takes seconds); a failed one is kept as its error."""
    runs = [(name, mode) for name in NAMES for mode in MODES]
    root = tmp_path_factory.mktemp("layouts")

    def attempt(run: tuple[str, str]) -> Crawl | Exception:
        try:
            return crawl(*run, root)
        except RuntimeError as error:
            return error

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(runs, pool.map(attempt, runs), strict=True))


def finished(crawls: dict[tuple[str, str], Crawl | Exception], name: str, mode: str) -> Crawl:
    done = crawls[name, mode]
    if isinstance(done, Exception):
        pytest.fail(f"crawl of {name} ({mode}) failed: {done}")
    return done


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", NAMES)
def test_crawl_reads_the_cards(crawls: dict, name: str, mode: str) -> None:
    done = finished(crawls, name, mode)
    scores = score(done.items, done.truth, done.timezone)
    assert not scores.below(TARGETS[mode]), (scores, done.folder)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", NAMES)
def test_crawl_dates_every_article_page(crawls: dict, name: str, mode: str) -> None:
    """compact's articles have JSON-LD, grid's only OpenGraph, german's neither: each page
    still gives an article item, dated on the true day in the site's zone."""
    done = finished(crawls, name, mode)
    articles = {item["url"] for item in done.items if item["type"] == "article"}
    assert articles == set(done.truth), done.folder
    assert score(done.items, done.truth, done.timezone).articles >= TARGETS[mode]
