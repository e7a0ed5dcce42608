"""``scrapy articles``: every article of an archives root, its time narrowed over all runs.

The root is the shared pair of sample-site crawls (``two_runs``), the second a few seconds
after the first; the site's truth says when each article was really published. Each
exported window must hold that instant and be no wider than any window the first run
alone gave the article. Conflicting observations, written straight into a store, are
counted and left out, never fatal.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from functools import cache
from importlib.resources import files
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator

from crawler.narrowing import CLOCK_SLACK
from crawler.state.store import ArticleSeen, Sighting, StateStore
from crawler.timestamps import iso_utc
from tests.replaytools import lines, offline, two_runs

URL = "http://news.example/article/1"


@cache
def validator() -> Draft202012Validator:
    text = files("crawler").joinpath("schemas/articles.schema.json").read_text("utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def articles(*args: object, cwd) -> list[dict]:
    """``scrapy articles ARGS -o -``'s lines, each checked against the schema."""
    result = offline("articles", *args, "-o", "-", cwd=cwd)
    assert result.returncode == 0, result.stderr
    found = [json.loads(line) for line in result.stdout.splitlines()]
    for line in found:
        assert not list(validator().iter_errors(line)), line
    assert result.stderr.splitlines()[-1].startswith(f"articles: {len(found)} articles written")
    return found


def width(window: dict) -> timedelta:
    return datetime.fromisoformat(window["latest"]) - datetime.fromisoformat(window["earliest"])


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    runs = two_runs()
    # The default store: STATE_FILE under ARCHIVES_DIR.
    cwd = tmp_path_factory.mktemp("articles")
    return runs, articles("-s", f"ARCHIVES_DIR={runs.root}", cwd=cwd)


def test_one_line_per_article_sorted_by_url(exported):
    runs, found = exported
    urls = [article["url"] for article in found]
    assert urls == sorted(set(urls))
    assert {urlsplit(url).path for url in urls} == set(runs.truth)
    for article in found:
        assert article["title"] and article["source"]
        assert article["first_seen"] < article["last_seen"]  # seen by both runs
        assert article["observations"] >= article["used"] + article["conflicts"] > 0


def test_windows_hold_the_truth_and_are_no_wider_than_the_first_runs(exported):
    runs, found = exported
    first: dict[str, list[dict]] = {}  # every window the first run gave each article
    for item in map(json.loads, lines(runs.first / "items.jsonl")):
        for target in [item, *(item.get("cards") or item.get("related"))]:
            if target.get("narrowed") and "/article/" in target["url"]:
                first.setdefault(target["url"], []).append(target["narrowed"])
    narrower = 0
    for article in found:
        published = article["published"]
        true = datetime.fromisoformat(runs.truth[urlsplit(article["url"]).path])
        earliest, value, latest = (
            datetime.fromisoformat(published[key]) for key in ("earliest", "value", "latest")
        )
        assert earliest <= true <= latest, article
        assert earliest <= value <= latest
        widest = min(width(window) for window in first[article["url"]])
        assert width(published) <= widest, article
        narrower += width(published) < widest
    # The second run's sightings, seconds later, narrow elapsed times ("27 minutes ago").
    assert narrower > 0


AT = datetime(2025, 7, 30, 10, 0, tzinfo=timezone.utc)


def ago(minutes: int) -> datetime:
    return AT - timedelta(minutes=minutes)


def sighting(raw: str, window: tuple[datetime, datetime] | None) -> Sighting:
    """``raw`` shown on a page of its own at ``AT``, read as ``window`` (value: its start)."""
    stored = (
        None if window is None else (iso_utc(window[0]), iso_utc(window[1]), iso_utc(window[0]))
    )
    return Sighting(URL, f"http://news.example/{raw}", iso_utc(AT), raw, stored)


def store_with(tmp_path, sightings: list[Sighting]) -> None:
    """A store in ``tmp_path`` whose one run saw ``sightings`` of the article ``URL``."""
    store = StateStore(tmp_path / "state.sqlite")
    run = store.begin_run("20250730T100000Z-aggregator", iso_utc(AT))
    store.record_page(run, sightings, [ArticleSeen(URL, "Title", "KYODO", True, iso_utc(AT))])
    store.close()


def test_conflicting_observations_are_counted_not_fatal(tmp_path):
    """Two windows agree, one disagrees (a stale page), one time could not be read."""
    store_with(
        tmp_path,
        [
            sighting("an hour ago", (ago(120), ago(60))),
            sighting("90 minutes ago", (ago(91), ago(90))),
            sighting("Jul 29, 2025", (ago(34 * 60), ago(10 * 60))),
            sighting("soon", None),
        ],
    )
    (article,) = articles("--state", "state.sqlite", cwd=tmp_path)
    assert (article["observations"], article["used"], article["conflicts"]) == (4, 2, 1)
    # Each window widened by the clock slack before they are intersected.
    assert article["published"] == {
        "value": iso_utc(ago(91)),
        "earliest": iso_utc(ago(91) - CLOCK_SLACK),
        "latest": iso_utc(ago(90) + CLOCK_SLACK),
    }
    assert (article["title"], article["source"]) == ("Title", "KYODO")


def test_an_article_without_a_readable_time_has_no_window(tmp_path):
    store_with(tmp_path, [sighting("soon", None)])
    (article,) = articles("--state", "state.sqlite", cwd=tmp_path)
    assert article["published"] is None
    assert (article["observations"], article["used"], article["conflicts"]) == (1, 0, 0)


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["-s", "ARCHIVES_DIR=nowhere"], 1, "no state store at nowhere/state.sqlite"),
        (["--state", "junk.sqlite"], 1, "junk.sqlite is not a usable state store"),
        (["extra"], 2, "unrecognized arguments: extra"),
        (["--bogus"], 2, "unrecognized arguments: --bogus"),
    ],
)
def test_failures_exit_with_a_clear_status(tmp_path, args, status, message):
    (tmp_path / "junk.sqlite").write_text("not a database\n")
    result = offline("articles", *args, cwd=tmp_path)
    assert result.returncode == status
    assert message in result.stderr
    assert not (tmp_path / "articles.jsonl").exists()
