"""Hostile pages are routine: the sample site with its hostile pages (``Site(hostile=True)``,
``crawler.demo.hostile``), crawled once with ``scrapy crawl``, then for each page what the
archive holds, the counter in run.json and the line in the crawl log that name what
happened; nothing fetched off the site, every normal page crawled, and a replay of the run
that agrees with it. The pure guards the crawl relies on are tested on their own below.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector

from crawler import settings as project
from crawler.demo import hostile
from crawler.demo.crawl import run_crawl
from crawler.demo.server import SampleServer
from crawler.demo.site import Site
from crawler.pages import guards, read
from crawler.pages.charset import decode
from crawler.timestamps import normalise
from tests.replaytools import lines, replay
from tests.warctools import run_records

UTC = timezone.utc


class Expected(NamedTuple):
    """What a hostile page must cause: a counter in run.json, a log line at ``level``
    holding ``text`` and the URL ``where`` (None: the page's own), and whether its
    response is in the archive (Scrapy refuses a body over DOWNLOAD_MAXSIZE unseen)."""

    counter: str
    level: str
    text: str
    where: str | None = None
    archived: bool = True


EXPECTED = {
    "malformed": Expected("pages/malformed_html", "INFO", "Malformed HTML (mismatched tags)"),
    "truncated": Expected("pages/truncated_html", "WARNING", "Truncated HTML"),
    "charset-mismatch": Expected(
        "pages/charset_mismatch", "WARNING",
        "Charset mismatch (Content-Type says utf-8, the bytes are not), read as cp1252",
    ),
    "charset-missing": Expected(
        "pages/charset_undeclared", "INFO", "No charset declared, read as cp1252"
    ),
    "latin-1": Expected("pages/legacy_charset", "INFO", "Charset cp1252, as Content-Type declares"),
    "shift-jis": Expected("pages/legacy_charset", "INFO", "Charset cp932, as <meta> declares"),
    "binary": Expected("pages/binary", "WARNING", "Binary body labelled HTML, archived only"),
    "png": Expected("pages/binary", "WARNING", "Binary body labelled HTML, archived only"),
    "empty": Expected("pages/empty", "WARNING", "Empty page, archived only"),
    "huge": Expected("pages/too_large", "WARNING", "Too large to read"),
    "bomb": Expected(
        "download/decompressed_over_maxsize", "WARNING",
        f"exceeded DOWNLOAD_MAXSIZE ({project.DOWNLOAD_MAXSIZE} B) during decompression",
    ),
    "oversize": Expected(
        "download/over_maxsize", "WARNING",
        f"larger than download max size ({project.DOWNLOAD_MAXSIZE})", archived=False,
    ),
    "many-links": Expected(
        "links/over_limit", "WARNING",
        # The trap's links and the site name's link home.
        f"Page links to {hostile.LINKS + 1} URLs, following the first "
        f"{project.EXTRACTION_MAX_LINKS} (EXTRACTION_MAX_LINKS)",
    ),
    "offsite": Expected(
        "offsite/filtered", "INFO", "Not following links off the site to localhost",
        where="http://localhost/",
    ),
    "schemes": Expected("links/not_http", "INFO", "Not following javascript: links"),
    "dates": Expected("timestamps/unparsed", "INFO", "Unreadable time '31/02/2025' on"),
}


@dataclass(frozen=True)
class Crawl:
    folder: Path
    base: str
    truth: dict[str, str]
    items: list[dict[str, Any]]
    stats: dict[str, int]
    log: list[str]
    records: list[Any]

    def url(self, name: str) -> str:
        return urljoin(self.base, hostile.PREFIX + name)

    def item(self, name: str) -> dict[str, Any]:
        (found,) = [item for item in self.items if item["url"] == self.url(name)]
        return found

    def responses(self, url: str) -> list[Any]:
        return [r for r in self.records if r.rec_type == "response" and target(r) == url]

    def logged(self, level: str, *texts: str) -> list[str]:
        return [line for line in self.log if f"] {level}: " in line
                and all(text in line for text in texts)]  # fmt: skip


def target(record: Any) -> str:
    return record.rec_headers.get_header("WARC-Target-URI")


def served(name: str) -> tuple[dict[str, str], bytes]:
    """The headers and body of a hostile page."""
    _, headers, body = hostile.respond(hostile.PREFIX + name)
    return headers, body


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    site = Site(datetime.now(UTC), hostile=True)
    with SampleServer(site) as server:
        folder = run_crawl(server.url, tmp_path_factory.mktemp("archives"))
    items = [json.loads(line) for line in lines(folder / "items.jsonl")]
    summary = json.loads((folder / "run.json").read_text("utf-8"))
    assert summary["finish_reason"] == "finished"
    log = (folder / "crawl.log").read_text("utf-8").splitlines()
    return Crawl(folder, server.url, site.truth(), items, summary["stats"], log,
                 run_records(folder))  # fmt: skip


def test_every_hostile_page_has_its_expectations():
    assert {path.removeprefix(hostile.PREFIX) for path in hostile.PATHS} == set(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_hostile_page_is_archived_counted_and_logged(crawl: Crawl, name: str):
    expected = EXPECTED[name]
    url = crawl.url(name)
    assert len(crawl.responses(url)) == expected.archived, "archived once, or never"
    assert crawl.stats.get(expected.counter, 0) >= 1, expected.counter
    assert crawl.logged(expected.level, expected.text, expected.where or url)


def test_nothing_is_fetched_off_the_site(crawl: Crawl):
    site = urlsplit(crawl.base).netloc
    assert {urlsplit(target(r)).netloc for r in crawl.records if target(r)} == {site}
    # Every request sent got a response, save the one refused for its size: none went to
    # another host (an unreachable one would leave a request without a response).
    stats = crawl.stats
    assert stats["downloader/request_count"] - stats["downloader/response_count"] == 1
    assert stats["offsite/filtered"] == len(hostile.OFFSITE_LINKS) + len(hostile.OFFSITE_EMBEDS)
    hosts = {urlsplit(urljoin(crawl.base, href)).hostname for href in hostile.OFFSITE_LINKS}
    hosts |= {urlsplit(urljoin(crawl.base, re.search(r'(?:src|href)="([^"]+)"', tag)[1])).hostname
              for tag in hostile.OFFSITE_EMBEDS}  # fmt: skip
    assert stats["offsite/domains"] == len(hosts)
    for host in hosts:
        assert len(crawl.logged("INFO", f"Not following links off the site to {host} (")) == 1
    # Links that are not http(s), ftp: and file: among them, are counted, never followed.
    assert stats["links/not_http"] == len(hostile.SCHEME_LINKS)
    for scheme in hostile.SCHEME_LINKS:
        assert crawl.logged("INFO", f"Not following {scheme}: links", crawl.url("schemes"))


def test_the_rest_of_the_site_is_crawled_without_errors(crawl: Crawl):
    articles = {urlsplit(i["url"]).path for i in crawl.items if i["type"] == "article"}
    assert set(crawl.truth) <= articles
    assert sum(item["type"] == "listing" for item in crawl.items) >= 12
    assert "log_count/ERROR" not in crawl.stats
    assert not [line for line in crawl.log if "Traceback" in line]


def test_size_limits_hold_and_the_archive_keeps_bodies_as_sent(crawl: Crawl):
    (bomb,) = crawl.responses(crawl.url("bomb"))
    assert bomb.http_headers.get_header("Content-Encoding") == "gzip"
    assert bomb.content == served("bomb")[1]  # compressed, small, as the server sent it
    assert len(bomb.content) < project.DOWNLOAD_MAXSIZE < hostile.BOMB
    (huge,) = crawl.responses(crawl.url("huge"))
    assert gzip.decompress(huge.content) == served("huge")[1]
    assert project.EXTRACTION_MAX_SIZE < len(served("huge")[1]) < project.DOWNLOAD_MAXSIZE
    (empty,) = crawl.responses(crawl.url("empty"))
    assert empty.content == b"" and empty.http_headers.get_header("Content-Length") == "0"
    unread_pages = {crawl.url(name) for name in ("huge", "bomb", "empty", "binary", "png")}
    assert not [item for item in crawl.items if item["url"] in unread_pages]


def test_charsets_are_read_right(crawl: Crawl):
    for name in ("charset-mismatch", "charset-missing", "latin-1"):
        assert crawl.item(name)["title"] == hostile.LATIN_TITLE
    assert crawl.item("shift-jis")["title"] == hostile.JAPANESE_TITLE
    assert crawl.stats["pages/legacy_charset"] == 2


def test_broken_markup_is_read_as_far_as_it_goes(crawl: Crawl):
    for name in ("malformed", "truncated"):
        article = crawl.item(name)
        assert article["type"] == "article" and article["body"].startswith("The story goes on")


def test_absurd_dates_stay_unread(crawl: Crawl):
    listing = crawl.item("dates")
    assert [card["published"]["raw"] for card in listing["cards"]] == list(hostile.ABSURD_TIMES)
    assert all(card["published"]["value"] is None for card in listing["cards"])
    article = [i for i in crawl.items if i["url"] == urljoin(crawl.base, hostile.DATED_ARTICLE)]
    assert [a["published"] for a in article] == [
        {"raw": hostile.ABSURD_ARTICLE_TIME, "value": None, "earliest": None, "latest": None,
         "precision": None, "method": None}
    ]  # fmt: skip
    assert crawl.stats["timestamps/unparsed"] == len(hostile.ABSURD_TIMES) + 1
    for raw in hostile.ABSURD_TIMES:
        assert crawl.logged("INFO", f"Unreadable time {raw!r} on {crawl.url('dates')}")


def test_a_link_farm_is_cut_to_the_limit(crawl: Crawl):
    limit = project.EXTRACTION_MAX_LINKS
    assert crawl.stats["links/over_limit"] == hostile.LINKS + 1 - limit
    # What was followed was never fetched: robots.txt forbids the trap (the link home is
    # the page's first, and fetched already).
    assert crawl.stats["robotstxt/forbidden"] == limit - 1
    assert not [r for r in crawl.records if urlsplit(target(r) or "").path.startswith(hostile.TRAP)]


def test_replay_gives_the_crawl_items(crawl: Crawl, tmp_path: Path):
    out = tmp_path / "replay.jsonl"
    result = replay(crawl.folder, "-o", out, "-j", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(lines(out)) == sorted(lines(crawl.folder / "items.jsonl"))


# --- The guards, pure ----------------------------------------------------------------------

LATIN = "Société générale".encode("latin-1")
UTF8 = "Société générale".encode()


@pytest.mark.parametrize(
    ("body", "content_type", "encoding", "kind"),
    [
        (UTF8, "text/html; charset=utf-8", "utf-8", None),
        (b"plain ascii", "text/html; charset=iso-8859-1", "cp1252", None),
        (LATIN, "text/html; charset=iso-8859-1", "cp1252", "legacy_charset"),
        (b'<meta charset="iso-8859-1">' + LATIN, "text/html", "cp1252", "legacy_charset"),
        (LATIN, "text/html; charset=utf-8", "cp1252", "charset_mismatch"),
        (UTF8, "text/html; charset=iso-8859-1", "utf-8", "charset_mismatch"),
        (b'<meta charset="utf-8">' + LATIN, "text/html", "cp1252", "charset_mismatch"),
        (LATIN, "text/html", "cp1252", "charset_undeclared"),
        (UTF8, None, "utf-8", "charset_undeclared"),
        ("\ufeffSociété".encode("utf-16-le"), "text/html; charset=utf-8", "utf-16-le", None),
    ],
)
def test_charset_follows_the_bytes_and_says_so(body, content_type, encoding, kind):
    text, used, finding = decode(body, content_type)
    assert used == encoding
    assert (finding.kind if finding else None) == kind
    assert "Société" in text or text.isascii()


def test_unread_pages():
    assert guards.unread(b"", None) == guards.unread(b" \r\n\t", 10) == guards.EMPTY
    too_large = guards.unread(b"<p>" * 10, 29)
    assert too_large.kind == "too_large" and "30 bytes" in too_large.message
    assert guards.unread(b"<p>" * 10, 30) is guards.unread(b"<p>" * 10, None) is None
    assert guards.binary(served("png")[1], "cp1252") == guards.BINARY
    assert guards.binary("<p>Société</p>".encode("utf-16-le"), "utf-16-le") is None
    assert guards.binary(UTF8, "utf-8") is None


def test_read_leaves_a_page_over_the_limit_unparsed():
    headers, body = served("malformed")
    fetched = datetime(2025, 7, 30, tzinfo=UTC)
    parsed = read("http://x.example/a", body, fetched_at=fetched, headers=headers)
    assert len(parsed.items) == 1 and not parsed.unread
    skipped = read("http://x.example/a", body, fetched_at=fetched, headers=headers,
                   max_size=len(body) - 1)  # fmt: skip
    assert skipped.items == [] and skipped.unread
    assert [f.kind for f in skipped.findings] == ["too_large"]


def test_truncated_and_malformed_markup():
    page = "<!doctype html><html><body><p>one</p></body></html>"
    assert guards.truncated(page) is None and guards.truncated("<p>a fragment") is None
    assert guards.truncated(page[:30]) == guards.TRUNCATED
    tree, finding = guards.parse(page)
    assert finding is None
    assert tree.css("p::text").get() == "one"
    tree, finding = guards.parse("<html><body><b><i>x</b></i></span><p>two</p>")
    assert finding == guards.MALFORMED
    assert tree.css("p::text").get() == "two"


@pytest.mark.parametrize("name", ["malformed", "truncated", "dates", "shift-jis"])
def test_parse_builds_the_tree_parsel_builds(name):
    headers, body = served(name)
    text = decode(body, headers["Content-Type"]).text
    ours, _ = guards.parse(text)
    assert ours.get() == Selector(text=text, type="html").get()


@pytest.mark.parametrize(
    "raw",
    [*hostile.ABSURD_TIMES, hostile.ABSURD_ARTICLE_TIME, "\u22125 hours ago", "99999 days ago",
     "Jul 30, 1200 16:20"],
)  # fmt: skip
def test_absurd_times_are_no_times(raw):
    assert normalise(raw, datetime(2025, 7, 30, 12, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("5 minutes ago", "2025-07-30T11:55:00+00:00"),
        ("- 12 minutes ago", "2025-07-30T11:48:00+00:00"),  # a dash before the age
        ("Jul 30, 2025 16:20 (JST)", "2025-07-30T07:20:00+00:00"),
        ("Jan 1, 1990", "1990-01-01T00:00:00+00:00"),
        ("in 5 minutes", "2025-07-30T12:05:00+00:00"),  # a server clock running fast
    ],
)
def test_sane_times_are_read_as_before(raw, value):
    found = normalise(raw, datetime(2025, 7, 30, 12, tzinfo=UTC))
    assert found is not None and found.value.isoformat() == value
