"""Site profiles: loading, validation with clear errors, the document warcinfo keeps, scope."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from scrapy.settings import Settings

from crawler.demo.layouts import Grid, profile_path
from crawler.pages import extract
from crawler.profiles import ZERO_CONFIG, Profile, ProfileError, bundled, load

SAMPLE = """
name = "example"
timezone = "Europe/Berlin"
languages = ["de", "en"]
domains = ["example.de"]

[zone_names]
MEZ = "Europe/Berlin"

[listing]
cards = "ul.stories > li"

[card]
url = "a::attr(href)"
title = ["h2", "a"]

[links]
skip = ["^/user/"]

[politeness]
download_delay = 0.5
max_pages = 10
"""


def write(tmp_path, text: str, name: str = "site.toml"):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return str(path)


def test_a_file_loads_into_rules_and_round_trips_through_its_document(tmp_path):
    profile = load(write(tmp_path, SAMPLE))
    assert profile.name == "example" and profile.timezone == "Europe/Berlin"
    assert profile.languages == ("de", "en") and profile.zone_names == (("MEZ", "Europe/Berlin"),)
    assert profile.listing.cards == "ul.stories > li"
    assert profile.card.url == ("a::attr(href)",) and profile.card.title == ("h2", "a")
    assert profile.links.skip == ("^/user/",) and profile.politeness.max_pages == 10
    assert Profile.from_json(profile.to_json()) == profile


def test_the_bundled_profile_is_found_by_name():
    assert "daily8" in bundled()
    assert load("daily8").article.related == "section.related article.card"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[card]\ntitel = "h2"', "[card] Additional properties are not allowed ('titel'"),
        ("name = 3", "[name] 3 is not of type 'string'"),
        ('[card]\ntitle = "h2[["', "[card] title: bad CSS selector 'h2[['"),
        ('[links]\nskip = ["("]', "[links] skip: bad pattern '('"),
        ('timezone = "Mars/Olympus"', "unknown IANA time zone 'Mars/Olympus'"),
        ('languages = ["xx"]', "'xx'"),
        ("[politeness]\nconcurrency = 0", "[politeness.concurrency] 0 is less than the minimum"),
        ("name = ", "not valid TOML"),
    ],
)
def test_a_bad_profile_names_its_file_and_field(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as error:
        load(path)
    assert message in str(error.value) and path in str(error.value)


def test_an_unknown_name_lists_the_bundled_profiles():
    with pytest.raises(ProfileError, match=r"no bundled profile 'nope' \(bundled: .*daily8"):
        load("nope")


def test_settings_fill_what_the_profile_leaves_out_and_the_command_line_wins(tmp_path):
    path = write(tmp_path, 'timezone = "Asia/Tokyo"\n[listing]\ncards = "li"\n')
    settings = Settings({"SITE_PROFILE": path, "SITE_LANGUAGES": ["ja"]}, priority="project")
    profile = Profile.from_settings(settings)
    assert profile.timezone == "Asia/Tokyo" and profile.languages == ("ja",)
    settings.set("SITE_TIMEZONE", "Europe/Paris", priority="cmdline")
    assert Profile.from_settings(settings).timezone == "Europe/Paris"
    assert Profile.from_settings(Settings()) == ZERO_CONFIG


def test_rules_read_the_site_and_zero_config_the_rest():
    profile = replace(load("daily8"), domains=("example.com",))
    assert profile.covers("https://news.example.com/a") and profile.covers("http://example.com/")
    assert not profile.covers("https://notexample.com/")
    elsewhere = profile.reading("https://publisher.example.org/story")
    assert not elsewhere.article.given and elsewhere.listing.cards is None
    assert elsewhere.timezone == profile.timezone
    assert load("daily8").covers("https://anywhere.example/")  # no domains: every page


def test_scrapy_crawl_refuses_a_bad_profile_before_writing_anything(tmp_path):
    bad = write(tmp_path, '[card]\ntitel = "h2"', "bad.toml")
    archives = tmp_path / "archives"
    command = [sys.executable, "-m", "scrapy", "crawl", "aggregator",
               "-a", "start_urls=http://127.0.0.1:9/", "-a", f"profile={bad}",
               "-s", f"ARCHIVES_DIR={archives}"]  # fmt: skip
    result = subprocess.run(
        command,
        env=dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "titel" in result.stderr and bad in result.stderr
    assert not archives.exists() or not list(archives.iterdir())


def test_what_a_profile_leaves_out_zero_config_fills_in():
    """A profile naming only where cards and the article are: detection reads the rest."""
    epoch = datetime(2025, 7, 30, 8, 0, tzinfo=timezone.utc)
    site = Grid(epoch)
    full = load(str(profile_path("grid")))
    document = {"timezone": full.timezone, "listing": {"cards": full.listing.cards}}
    sparse = Profile.from_document({**document, "article": {"root": full.article.root}})

    def items(path: str, profile: Profile) -> list[dict]:
        _, headers, body = site.respond(path, epoch)
        url = f"http://grid.example{path}"
        return extract(url, body, fetched_at=epoch, headers=headers, profile=profile)

    def methods(cards: list[dict]) -> set[str]:
        return {card["published"].pop("method") for card in cards}

    # The same cards; only where the machine-readable time was found is named differently.
    (detected,), (selected,) = items("/", sparse), items("/", full)
    assert methods(detected["cards"]) == {"machine:time-element"}
    assert methods(selected["cards"]) == {"machine:profile"}
    assert detected == selected
    truth = site.truth()
    path = next(iter(truth))
    (article,), (by_selectors,) = items(path, sparse), items(path, full)
    assert article["title"] == truth[path]["title"] and article["source"] == truth[path]["source"]
    assert article["published"]["method"] == "machine:opengraph" and article["body"]
    assert methods(article["related"]) == {"machine:time-element"}
    methods(by_selectors["related"])
    assert article["related"] == by_selectors["related"]
