"""Discovery end to end: feeds and sitemaps served by the demo layouts, crawled for real.

Each crawl serves a layout on loopback and runs ``scrapy crawl aggregator`` in a child
process (``run_crawl``): from a feed's URL alone (grid's RSS, german's Atom, zero-config),
and from home pages with the layouts' profiles, where grid's pages name their feed in
``<link rel=alternate>`` and compact's robots.txt names a sitemap index over a Google
News sitemap. Feed and sitemap times are the layouts' truth to the second, so the cards'
machine-readable windows are held to it; a replay of each run folder gives its items.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from benchmarks.quality import FAST
from crawler.demo.crawl import run_crawl
from crawler.demo.layouts import LAYOUTS, LayoutSite, profile_path
from crawler.demo.layouts.base import FEEDS, NEWS_SITEMAP_PATH, SITEMAP_INDEX
from crawler.demo.server import SampleServer
from crawler.layout import ITEMS_FILE, RUN_FILE, written_items
from crawler.pages import read
from tests.replaytools import fault_lines, lines, replay
from tests.warctools import read_record_at, run_records

Item = dict[str, Any]
#: Filler stories beside the catalogue's eight seed ones: 20 in all, as many as a feed lists.
SYNTHETIC = 12
SITEMAPS = (SITEMAP_INDEX, NEWS_SITEMAP_PATH)
#: A summer morning, and just after Europe moved to summer time (the newest stories
#: carry +02:00, older ones +01:00).
EPOCHS = (datetime(2025, 7, 30, 8, 35, 20, tzinfo=timezone.utc),
          datetime(2025, 3, 30, 1, 20, 7, tzinfo=timezone.utc))  # fmt: skip
NO_SITEMAPS = (("DISCOVERY_SITEMAPS", "False"),)


@dataclass(frozen=True)
class Spec:
    """A crawl: which layout, from which path, with its profile or none, and settings."""

    layout: str
    start: str
    profiled: bool = False
    settings: tuple[tuple[str, str], ...] = ()


SPECS = {
    "rss-start": Spec("grid", FEEDS["rss"][0]),
    "atom-start": Spec("german", FEEDS["atom"][0]),
    "grid-home": Spec("grid", "/", profiled=True),
    "compact-home": Spec("compact", "/", profiled=True),
    "sitemaps-off": Spec("compact", "/", profiled=True, settings=NO_SITEMAPS),
}


@dataclass(frozen=True)
class Run:
    """A finished crawl with the site it crawled (its truth) and what it wrote."""

    site: LayoutSite
    base: str  # the server's URL, ending in /
    folder: Path
    items: list[Item]

    def url(self, path: str) -> str:
        return urljoin(self.base, path)

    def fetched(self) -> list[str]:
        """Every response's URL in the WARC files. All requests got a response (see
        ``test_every_request_was_answered_and_archived``), so this is what was requested."""
        return [r.rec_headers.get_header("WARC-Target-URI") for r in run_records(self.folder)
                if r.rec_type == "response"]  # fmt: skip

    def listing(self, path: str) -> Item:
        (found,) = [i for i in self.items if i["type"] == "listing" and i["url"] == self.url(path)]
        return found

    def stats(self) -> dict[str, Any]:
        return json.loads((self.folder / RUN_FILE).read_text("utf-8"))["stats"]

    def logged_stat(self, name: str) -> int | None:
        """A counter from the stats Scrapy dumps into the log when the crawl ends."""
        found = re.search(rf"'{re.escape(name)}': (\d+)", (self.folder / "crawl.log").read_text())
        return int(found[1]) if found else None


def crawl(spec: Spec, root: Path) -> Run:
    """Serve the layout (epoch: now, absolute URLs in its feeds) and crawl it from `start`."""
    cls = LAYOUTS[spec.layout]
    site = cls(datetime.now(timezone.utc), n_synthetic=SYNTHETIC)
    settings = {**FAST, "SITE_TIMEZONE": cls.timezone, "SITE_LANGUAGES": ",".join(cls.languages),
                **dict(spec.settings)}  # fmt: skip
    profile = str(profile_path(spec.layout)) if spec.profiled else None
    with SampleServer(site) as server:
        site.origin = server.url.rstrip("/")
        folder = run_crawl(urljoin(server.url, spec.start), root, settings, profile=profile)
    return Run(site, server.url, folder, list(written_items(folder / ITEMS_FILE)))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """All crawls at once, each in its own archives root (a root takes one crawl at a time)."""
    root = tmp_path_factory.mktemp("discovery")
    with ThreadPoolExecutor(max_workers=len(SPECS)) as pool:
        done = pool.map(lambda key: crawl(SPECS[key], root / key), SPECS)
        return dict(zip(SPECS, done, strict=True))


def assert_cards_hold_the_truth(site: LayoutSite, base: str, listing: Item, method: str) -> None:
    """Every card: a true story, its title and source, and a machine window holding its
    instant exactly; together the stories the document syndicates, in its order."""
    truth = site.truth()
    for card in listing["cards"]:
        true = truth[urlsplit(card["url"]).path]
        published = card["published"]
        instant = datetime.fromisoformat(true["published"])
        assert published["method"] == method, card
        assert datetime.fromisoformat(published["value"]) == instant, card
        assert datetime.fromisoformat(published["earliest"]) <= instant
        assert instant <= datetime.fromisoformat(published["latest"])
        assert (card["title"], card["source"]) == (true["title"], true["source"]), card
    assert [card["url"] for card in listing["cards"]] == [
        urljoin(base, story.path) for story in site.syndicated()
    ]


#: Each layout's syndicated document: its path and the method its cards' times carry.
DOCUMENTS = [
    ("grid", FEEDS["rss"][0], "machine:rss"),
    ("german", FEEDS["atom"][0], "machine:atom"),
    ("compact", NEWS_SITEMAP_PATH, "machine:sitemap"),
]


@pytest.mark.parametrize(("layout", "path", "method"), DOCUMENTS)
@pytest.mark.parametrize("epoch", EPOCHS, ids=lambda e: f"{e:%m%d}")
def test_served_documents_read_as_the_truth(
    layout: str, path: str, method: str, epoch: datetime
) -> None:
    """In-process, no origin set (root-relative links), across a summer-time change: the
    document the layout serves reads as its truth; the other layouts do not serve it."""
    site = LAYOUTS[layout](epoch)
    status, headers, body = site.respond(path, epoch)
    assert status == 200
    base = "http://news.example/"
    reading = read(urljoin(base, path), body, fetched_at=epoch, headers=headers)
    (listing,) = reading.items
    assert_cards_hold_the_truth(site, base, listing, method)
    assert len(listing["cards"]) == 20
    for other in set(LAYOUTS) - {layout}:
        assert LAYOUTS[other](epoch).respond(path, epoch)[0] == 404
    robots = site.respond("/robots.txt", epoch)[2].decode()
    assert ("Sitemap: /sitemap.xml" in robots) == (layout == "compact")


@pytest.mark.parametrize("key", SPECS)
def test_every_request_was_answered_and_archived(runs: dict[str, Run], key: str) -> None:
    run = runs[key]
    stats = run.stats()
    assert stats["downloader/request_count"] == stats["downloader/response_count"]
    assert len(run.fetched()) == len(set(run.fetched())) == stats["downloader/response_count"]
    assert stats.get("log_count/ERROR", 0) == 0 and stats.get("items/invalid", 0) == 0


@pytest.mark.parametrize(("key", "kind"), [("rss-start", "rss"), ("atom-start", "atom")])
def test_a_feed_alone_leads_to_its_articles(runs: dict[str, Run], key: str, kind: str) -> None:
    """Zero-config, from the feed's URL only: a listing of its entries with exact machine
    times, and an article item for every entry."""
    run = runs[key]
    listing = run.listing(FEEDS[kind][0])
    assert listing["format"] == kind and listing["title"] == run.site.site_name
    assert len(listing["cards"]) == len(run.site.syndicated()) == 20
    assert_cards_hold_the_truth(run.site, run.base, listing, f"machine:{kind}")
    articles = {item["url"] for item in run.items if item["type"] == "article"}
    assert {card["url"] for card in listing["cards"]} <= articles


@pytest.mark.parametrize(("key", "kind"), [("rss-start", "rss"), ("atom-start", "atom")])
def test_the_feed_is_archived_where_its_item_points(
    runs: dict[str, Run], key: str, kind: str
) -> None:
    run = runs[key]
    path, media_type = FEEDS[kind]
    assert run.fetched().count(run.url(path)) == 1
    pointer = run.listing(path)["warc"]
    record, length = read_record_at(run.folder / pointer["filename"], pointer["offset"])
    assert length == pointer["length"]
    assert record.rec_headers.get_header("WARC-Type") == "response"
    assert record.rec_headers.get_header("WARC-Record-ID") == pointer["record_id"]
    assert record.rec_headers.get_header("WARC-Target-URI") == run.url(path)
    assert record.http_headers.get_header("Content-Type").startswith(media_type)
    # The feed depends on the catalogue only, not on the serving clock: the bytes served.
    assert record.content == run.site.respond(path, datetime.now(timezone.utc))[2]


def test_a_page_head_names_the_feed_and_it_is_fetched(runs: dict[str, Run]) -> None:
    """grid with its profile, from home: <link rel=alternate> leads to /feed.xml, once."""
    run = runs["grid-home"]
    feed = run.url(FEEDS["rss"][0])
    assert run.fetched().count(feed) == 1
    (request,) = [r for r in run_records(run.folder) if r.rec_type == "request"
                  and r.rec_headers.get_header("WARC-Target-URI") == feed]  # fmt: skip
    assert request.http_headers.get_header("Referer", "").startswith(run.base)
    listing = run.listing(FEEDS["rss"][0])
    assert listing["format"] == "rss"
    assert_cards_hold_the_truth(run.site, run.base, listing, "machine:rss")


def test_robots_names_the_sitemaps_and_they_are_fetched(runs: dict[str, Run]) -> None:
    """compact with its profile, from home: robots.txt's Sitemap line leads to the index,
    the index to the news sitemap, whose entries become cards with exact times."""
    run = runs["compact-home"]
    fetched = run.fetched()
    for path in ("/robots.txt", *SITEMAPS):
        assert fetched.count(run.url(path)) == 1, path
    assert run.logged_stat("discovery/sitemaps_from_robots") == 1
    assert run.stats().get("discovery/sitemaps_from_robots", 1) == 1
    assert not [i for i in run.items if i["url"] == run.url(SITEMAP_INDEX)]  # an index: links
    listing = run.listing(NEWS_SITEMAP_PATH)
    assert listing["format"] == "sitemap" and listing["title"] is None
    assert_cards_hold_the_truth(run.site, run.base, listing, "machine:sitemap")
    # Jiji-style rows name no source, and neither does the sitemap for them.
    assert None in {card["source"] for card in listing["cards"]}


def test_sitemap_discovery_can_be_turned_off(runs: dict[str, Run]) -> None:
    run = runs["sitemaps-off"]
    fetched = run.fetched()
    assert run.url("/robots.txt") in fetched  # obeyed still, its Sitemap line ignored
    assert not {run.url(path) for path in SITEMAPS} & set(fetched)
    assert run.logged_stat("discovery/sitemaps_from_robots") is None
    assert {i["format"] for i in run.items if i["type"] == "listing"} == {"html"}
    # The pages alone still lead to every story.
    articles = {urlsplit(i["url"]).path for i in run.items if i["type"] == "article"}
    assert articles == set(run.site.truth())


@pytest.mark.parametrize("key", SPECS)
def test_replay_gives_the_crawls_items(runs: dict[str, Run], key: str, tmp_path: Path) -> None:
    """Feeds and sitemaps read offline from the WARC files give the very same items."""
    run = runs[key]
    result = replay(run.folder, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert fault_lines(result.stderr) == []
    assert sorted(lines(tmp_path / "replay.jsonl")) == sorted(lines(run.folder / ITEMS_FILE))
