"""The bundled sample aggregator: time labels, catalogue, pages and the HTTP server."""

import gzip
import http.client
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from parsel import Selector

from crawler.demo.content import SECTIONS, catalogue
from crawler.demo.humanise import humanise
from crawler.demo.server import SampleServer, accepts_gzip
from crawler.demo.site import Site

UTC = timezone.utc
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
EPOCH = datetime(2025, 7, 30, 8, 35, tzinfo=UTC)  # the newer seed's Jiji card reads 16:20 JST
NATO = "Japan, NATO agree to collaborate on Iran, Ukraine, N Korea issues"
CHROME = ("Hashtags", "Try Our AI Features", "Explore what Daily8 AI can do for you:",
          "Comments", "No comments yet...", "Related Articles")


# --- humanise -------------------------------------------------------------------------------

NOON = datetime(2025, 7, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(seconds=60), "a minute ago"),
        (timedelta(seconds=119), "a minute ago"),
        (timedelta(minutes=2), "2 minutes ago"),
        (timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (timedelta(minutes=60), "an hour ago"),
        (timedelta(minutes=119, seconds=59), "an hour ago"),
        (timedelta(hours=2), "2 hours ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(hours=24), "Yesterday"),
        (timedelta(days=6, hours=-1), "6 days ago"),  # Jul 24 13:00: six dates back
        (timedelta(days=7, hours=1), "Jul 23, 2025 20:00 (JST)"),  # seven dates back
        (timedelta(minutes=-5), "just now"),  # published in the future: clock skew
    ],
)
def test_humanise_boundaries(elapsed: timedelta, expected: str) -> None:
    assert humanise(NOON - elapsed, NOON, "UTC") == expected


def test_humanise_counts_calendar_days_after_24_hours() -> None:
    just_after_midnight = datetime(2025, 7, 30, 0, 30, tzinfo=UTC)
    assert humanise(just_after_midnight - timedelta(hours=24), just_after_midnight, "UTC") == (
        "Yesterday"
    )
    assert humanise(datetime(2025, 7, 28, 23, 30, tzinfo=UTC), just_after_midnight, "UTC") == (
        "2 days ago"
    )
    before_midnight = datetime(2025, 7, 30, 23, 59, tzinfo=UTC)
    assert humanise(datetime(2025, 7, 29, 0, 0, tzinfo=UTC), before_midnight, "UTC") == "Yesterday"


def test_humanise_uses_the_site_zone_for_dates_and_jst_for_the_absolute_form() -> None:
    now = datetime(2025, 7, 30, 0, 30, tzinfo=TOKYO)
    published = datetime(2025, 7, 28, 23, 0, tzinfo=TOKYO)  # 25.5 hours earlier
    assert humanise(published, now, "Asia/Tokyo") == "2 days ago"
    assert humanise(published, now, "UTC") == "Yesterday"  # Jul 29 15:30Z vs Jul 28 14:00Z
    old = datetime(2025, 7, 1, 15, 30, tzinfo=UTC)
    assert humanise(old, now, "America/New_York") == "Jul 02, 2025 00:30 (JST)"


def test_humanise_across_new_york_dst_changes() -> None:
    # Spring forward (Mar 9, 2025): 01:30 EST to 03:30 EDT is one hour, not two.
    assert humanise(datetime(2025, 3, 9, 1, 30, tzinfo=NEW_YORK),
                    datetime(2025, 3, 9, 3, 30, tzinfo=NEW_YORK), "America/New_York") == (
        "an hour ago"
    )
    # Two local dates apart but under 24 hours: elapsed time wins.
    assert humanise(datetime(2025, 3, 8, 23, 30, tzinfo=NEW_YORK),
                    datetime(2025, 3, 10, 0, 15, tzinfo=NEW_YORK), "America/New_York") == (
        "23 hours ago"
    )
    assert humanise(datetime(2025, 3, 8, 0, 30, tzinfo=NEW_YORK),
                    datetime(2025, 3, 9, 0, 30, tzinfo=NEW_YORK), "America/New_York") == (
        "Yesterday"
    )
    # Fall back (Nov 2, 2025) makes a 25-hour day: 24 hours on the same date is not "Yesterday".
    published = datetime(2025, 11, 2, 0, 30, tzinfo=NEW_YORK)
    now = published.astimezone(UTC) + timedelta(hours=24)
    assert now.astimezone(NEW_YORK).date() == published.date()
    assert humanise(published, now, "America/New_York") == "Nov 02, 2025 13:30 (JST)"
    assert humanise(published, now, "UTC") == "Yesterday"


def test_humanise_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        humanise(datetime(2025, 7, 30), NOON, "UTC")


# --- catalogue ------------------------------------------------------------------------------


def test_catalogue_is_deterministic_and_well_formed() -> None:
    articles = catalogue()
    assert articles == catalogue()
    assert len(articles) >= 55
    assert len({a.id for a in articles}) == len(articles)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a.slug) for a in articles)
    assert {a.section for a in articles} == set(SECTIONS)
    jiji_style = [a for a in articles if a.source is None]
    assert 3 <= len(jiji_style) <= 4  # the seed's Jiji story plus 2-3 generated ones
    assert all("(Jiji Press)" in a.summary and "[Copyright The Jiji Press, Ltd.]" in a.summary
               for a in jiji_style)
    assert sum(a.caption is not None for a in articles) >= len(articles) // 4


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(EPOCH)


def get(site: Site, path: str, now: datetime = EPOCH) -> Selector:
    status, headers, body = site.respond(path, now)
    assert status == 200, path
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    return Selector(text=body.decode("utf-8"))


def cards(page: Selector) -> list[dict[str, str | None]]:
    return [
        {
            "source": card.css(".card-header .card-source::text").get(),
            "time": card.css(".card-header .card-time::text").get(),
            "tag": card.css("a.card-link .card-source-tag::text").get(),
            "href": card.css("a.card-link::attr(href)").get(),
            "title": card.css("a.card-link h3.card-title::text").get(),
            "summary": card.css("p.card-summary::text").get(),
        }
        for card in page.css("article.card")
    ]


def listing_pages(site: Site, start: str, now: datetime = EPOCH) -> list[tuple[str, Selector]]:
    """A listing and its following pages, reached through rel=next links."""
    pages, path = [], start
    while path:
        page = get(site, path, now)
        pages.append((path, page))
        path = page.css('nav.pagination a[rel="next"]::attr(href)').get()
    return pages


def all_listings(site: Site, now: datetime = EPOCH) -> list[tuple[str, Selector]]:
    starts = ["/", *get(site, "/").css("nav.sections a::attr(href)").getall()]
    return [page for start in starts for page in listing_pages(site, start, now)]


def test_listings_paginate_and_link_exactly_the_truth(site: Site) -> None:
    home = get(site, "/")
    assert home.css("nav.sections a::attr(href)").getall() == [f"/section/{s}" for s in SECTIONS]
    linked = {card["href"] for _, page in all_listings(site) for card in cards(page)}
    assert linked == set(site.truth()) and len(linked) >= 40
    paginated = [s for s in SECTIONS if len(listing_pages(site, f"/section/{s}")) > 1]
    assert len(paginated) >= 3
    page2 = get(site, f"/section/{paginated[0]}?page=2")
    assert page2.css('a[rel="prev"]::attr(href)').get() == f"/section/{paginated[0]}"
    assert page2.css("h1.listing-title::text").get() == paginated[0].title()
    home_cards = [c for _, page in listing_pages(site, "/") for c in cards(page)]
    assert len(home_cards) == len(site.articles)
    published = [site.truth()[c["href"]] for c in home_cards]
    assert published == sorted(published, reverse=True)  # newest first


@pytest.mark.parametrize("query", ["?page=0", "?page=-1", "?page=x", "?page=", "?page=99",
                                   "?page=1&page=2"])
def test_bad_page_numbers_are_not_found(site: Site, query: str) -> None:
    assert site.respond("/section/world" + query, EPOCH)[0] == 404
    assert site.respond("/" + query, EPOCH)[0] == 404


@pytest.mark.parametrize("path", ["/nope", "/section/weather", "/article/1-wrong-slug",
                                  "/article/9999-x", "/comments/9999", "/section/world/"])
def test_unknown_paths_are_not_found(site: Site, path: str) -> None:
    status, _, body = site.respond(path, EPOCH)
    assert status == 404 and body.startswith(b"<!doctype html>")


def test_seed_article_is_syndicated_with_two_related_blocks(site: Site) -> None:
    versions = {a.section: a for a in site.articles if a.title == NATO}
    assert set(versions) == {"world", "politics"}
    expected = {
        "world": [
            ("NHK", "33 minutes ago", "Trump Middle East strategy may have Asian impact"),
            ("The Mainichi", "an hour ago",
             "UN to reduce staff by 20%, mull realignment as US cuts funding"),
            ("The Mainichi", "2 hours ago",
             "Editorial: Trump's 'peace by force' plants seed of future evils"),
        ],
        "politics": [
            ("Yomiuri Shimbun", "27 minutes ago",
             "Lack of Japan-U.S. Trade Deal Document Causes Worry; 2 Govts Put Differing Spins on"
             " Details of Agreement"),
            ("Yomiuri Shimbun", "an hour ago",
             "Japan's Foreign Ministry Looks to Improve Economic Diplomacy with Organizational"
             " Shakeup"),
            (None, "an hour ago", "Ishiba, S. Korean Foreign Minister Vow to Promote Ties"),
        ],
    }
    for section, article in versions.items():
        page = get(site, article.path)
        assert page.css("h1.article-title::text").get() == NATO
        assert page.css(".article-meta .article-source::text").get() == "KYODO"
        assert page.css(".article-meta .article-time::text").get() == "3 hours ago"
        body = page.css(".article-body p::text").getall()
        assert len(body) == 6 and body[0].startswith("Japan and NATO agreed Tuesday")
        assert page.css("p.article-credit::text").get() == "© KYODO"
        related = cards(page.css("section.related"))
        assert [(c["source"], c["time"], c["title"]) for c in related] == expected[section]
        assert all(c["tag"] == (f"- {c['source']}" if c["source"] else None) for c in related)
    assert get(site, versions["world"].path).css("figure.article-photo figcaption::text").get() == (
        "NATO Secretary General Mark Rutte, right, and Japans Foreign Minister Takeshi Iwaya speak"
        " with the media on the sidelines of the NATO summit in The Hague, Netherlands, on Tuesday."
    )
    assert not get(site, versions["politics"].path).css("figure")


def test_every_article_page_has_the_chrome(site: Site) -> None:
    for article in site.articles:
        page = get(site, article.path)
        texts = set(page.css("main ::text").getall())
        assert set(CHROME) <= texts, article.path
        assert f"© {article.credit}" in texts
        assert page.css("title::text").get() == f"{article.title} | Daily8 Sample"
        assert page.css("section.comments a::attr(href)").get() == f"/comments/{article.id}"
        related = cards(page.css("section.related"))
        assert related and article.path not in {c["href"] for c in related}
        tags = page.css("section.hashtags li a")
        assert [t.css("::text").get() for t in tags] == [f"#{h}" for h in article.hashtags]
        assert set(tags.css("::attr(href)").getall()) <= {f"/section/{article.section}"}
        if article.caption is not None:
            photo = page.css("figure.article-photo img::attr(src)").get()
            assert site.respond(photo, EPOCH)[1]["Content-Type"] == "image/svg+xml"


def test_computed_related_prefers_the_same_section(site: Site) -> None:
    article = next(a for a in site.articles if a.related is None and a.section == "sports")
    related = site.related(article)
    assert len(related) == 4 and article not in related
    assert all(a.section == "sports" for a in related)
    rest = [a for a in site.articles if a.section == "sports" and a not in [article, *related]]
    farthest = max(abs(a.age - article.age) for a in related)
    assert all(abs(a.age - article.age) >= farthest for a in rest)  # the nearest in time


def test_card_times_follow_the_serving_clock(site: Site) -> None:
    by_path = {a.path: a for a in site.articles}
    now = EPOCH + timedelta(hours=3, minutes=17, seconds=5)
    pages = [page for _, page in all_listings(site, now)]
    pages += [get(site, a.path, now).css("section.related") for a in site.articles[::5]]
    shown = [card for page in pages for card in cards(page)]
    for card in shown:
        published = site.published(by_path[card["href"]])
        assert card["time"] == humanise(published, now, "UTC"), card["href"]


def test_listings_show_every_kind_of_label(site: Site) -> None:
    times = {card["time"] for _, page in all_listings(site) for card in cards(page)}
    patterns = [r"just now", r"a minute ago", r"\d+ minutes ago", r"an hour ago",
                r"\d+ hours ago", r"Yesterday", r"[2-6] days ago",
                r"[A-Z][a-z]{2} \d\d, \d{4} \d\d:\d\d \(JST\)"]
    for pattern in patterns:
        assert any(re.fullmatch(pattern, t) for t in times), pattern


@pytest.mark.parametrize("epoch", [EPOCH, datetime(2025, 12, 31, 16, 30, tzinfo=UTC)])
def test_jiji_datelines_agree_with_publication(epoch: datetime) -> None:
    site = Site(epoch)
    by_path = {a.path: a for a in site.articles}
    jiji = [c for _, page in all_listings(site, epoch) for c in cards(page) if c["source"] is None]
    assert len(jiji) >= 3
    for card in jiji:
        local = site.published(by_path[card["href"]]).astimezone(TOKYO)
        assert card["summary"].startswith("News from Japan ")
        assert f"{local:%b %d, %Y %H:%M} (JST) Tokyo, {local:%B} {local.day} (Jiji Press)--" in (
            card["summary"]
        )
        assert card["summary"].endswith("[Copyright The Jiji Press, Ltd.] Jiji Press")
    if epoch == EPOCH:  # the seed card, exactly as fetched
        assert any(c["summary"].startswith("News from Japan Politics Jul 30, 2025 16:20 (JST) "
                                           "Tokyo, July 30 (Jiji Press)--Japanese Prime Minister")
                   for c in jiji)


def test_truth_robots_and_comments(site: Site) -> None:
    status, headers, body = site.respond("/_truth.json", EPOCH)
    assert status == 200 and headers["Content-Type"] == "application/json"
    truth = json.loads(body)
    assert truth == site.truth()
    assert all(datetime.fromisoformat(v).utcoffset() == timedelta(0) for v in truth.values())
    status, _, body = site.respond("/robots.txt", EPOCH)
    assert body.decode().splitlines() == ["User-agent: *", "Disallow: /comments/",
                                          "Disallow: /_truth.json"]
    article = site.articles[0]
    assert "No comments yet..." in get(site, f"/comments/{article.id}").css("p::text").getall()


def test_no_page_links_to_the_truth(site: Site) -> None:
    paths = ["/", *site.truth(), *(f"/comments/{a.id}" for a in site.articles[:3])]
    paths += [path for path, _ in all_listings(site)]
    for path in paths:
        assert "_truth" not in " ".join(get(site, path).css("[href], [src]").xpath("@href|@src")
                                        .getall()), path


def test_site_requires_an_aware_epoch() -> None:
    with pytest.raises(ValueError):
        Site(datetime(2025, 7, 30))


# --- HTTP -----------------------------------------------------------------------------------


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server() -> Iterator[SampleServer]:
    with SampleServer(Site(datetime.now(UTC))) as running:
        yield running


def test_server_compresses_only_when_asked(server: SampleServer) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", server.url) and server.port > 0
    status, headers, body = fetch(server.url, **{"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(body)
    assert gzip.decompress(body).startswith(b"<!doctype html>")
    assert headers["Content-Type"] == "text/html; charset=utf-8" and "Date" in headers
    status, headers, body = fetch(server.url)  # urllib asks for identity
    assert status == 200 and "Content-Encoding" not in headers
    assert int(headers["Content-Length"]) == len(body) and body.startswith(b"<!doctype html>")
    status, headers, body = fetch(server.url + "_truth.json", **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip" and json.loads(gzip.decompress(body))
    status, headers, body = fetch(server.url + "robots.txt")
    assert status == 200 and body.startswith(b"User-agent: *")


def test_server_keeps_connections_alive(server: SampleServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for method, path in [("GET", "/"), ("HEAD", "/section/world"), ("GET", "/robots.txt")]:
            connection.request(method, path, headers={"Accept-Encoding": "gzip"})
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200 and response.version == 11
            assert response.getheader("Connection") != "close"
            length = int(response.getheader("Content-Length"))
            assert len(body) == (0 if method == "HEAD" else length) and length > 0
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["nope", "section/world?page=0", "section/world?page=x",
                                  "?page=99"])
def test_server_not_found(server: SampleServer, path: str) -> None:
    status, headers, body = fetch(server.url + path, **{"Accept-Encoding": "gzip"})
    assert status == 404 and headers["Content-Encoding"] == "gzip"
    assert b"Page not found" in gzip.decompress(body)


def test_accept_encoding_parsing() -> None:
    assert accepts_gzip("gzip, deflate, br") and accepts_gzip("deflate, GZIP;q=0.5")
    assert not accepts_gzip("identity") and not accepts_gzip("gzip;q=0") and not accepts_gzip("")
