"""Zero-config reads a page's language and zone from the page itself."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from parsel import Selector

from crawler.pages import extract
from crawler.pages.locale import localised
from crawler.profiles import ZERO_CONFIG, Profile

SUMMER = datetime(2025, 7, 30, 8, 0, tzinfo=timezone.utc)


def page(lang: str | None, *times: str) -> Selector:
    attribute = f' lang="{lang}"' if lang else ""
    stamps = "".join(f'<time datetime="{t}">x</time>' for t in times)
    return Selector(text=f"<html{attribute}><body>{stamps}</body></html>")


@pytest.mark.parametrize(
    ("lang", "times", "zone", "languages"),
    [
        (None, (), "UTC", ("en",)),
        ("en", (), "UTC", ("en",)),
        ("de", (), "Europe/Berlin", ("de", "en")),
        ("de-AT", (), "Europe/Vienna", ("de", "en")),
        ("pt-BR", (), "America/Sao_Paulo", ("pt", "en")),
        ("ja", ("2025-07-30T16:20:00+09:00",), "Asia/Tokyo", ("ja", "en")),
        # The page's times run at another offset than its language suggests: a fixed one.
        ("de", ("2025-07-30T03:59:50-04:00", "2025-07-30T03:00:00-04:00"), "Etc/GMT+4",
         ("de", "en")),
        ("en-US", ("2025-07-30T03:59:50-04:00",), "Etc/GMT+4", ("en",)),
        ("xx", (), "UTC", ("en",)),  # a language the parsers do not know
        ("en", ("2025-07-30T16:20:00+05:30",), "UTC", ("en",)),  # no whole-hour Etc zone
    ],
)
def test_zone_and_languages_from_the_page(lang, times, zone, languages):
    found = localised(ZERO_CONFIG, page(lang, *times), SUMMER)
    assert (found.timezone, found.languages) == (zone, languages)


def test_a_profile_or_setting_that_names_them_wins():
    given = Profile(timezone="Asia/Tokyo", languages=("en",))
    assert localised(given, page("de"), SUMMER) is given
    half = localised(Profile(timezone="Asia/Tokyo"), page("de"), SUMMER)
    assert (half.timezone, half.languages) == ("Asia/Tokyo", ("de", "en"))


def german_listing(times: list[str]) -> dict:
    """A German listing with no profile: one card per shown time."""
    rows = "".join(
        f'<li><a href="/a/{n}">Regierung beschließt Paket Nummer {n}</a>'
        f'<span class="quelle">dpa</span> <span class="zeit">{shown}</span></li>'
        for n, shown in enumerate(times)
    )
    html = f'<html lang="de"><body><ul>{rows}</ul></body></html>'.encode()
    (listing,) = extract("https://nachrichten.example/", html, fetched_at=SUMMER)
    return listing


def test_a_german_listing_reads_with_no_profile_at_all():
    listing = german_listing([f"gestern, 17:{n}0 Uhr" for n in range(1, 5)])
    # Yesterday 17:10 in Berlin (UTC+2 in summer) is 15:10 UTC.
    assert listing["cards"][0]["published"]["earliest"] == "2025-07-29T15:10:00.000000+00:00"


def test_an_all_digit_date_is_read_in_the_pages_language_order():
    """English comes second for a German page: 01.11.2024 is still the 1st of November."""
    listing = german_listing([f"0{n}.11.2024" for n in range(1, 4)])
    assert listing["cards"][0]["published"]["earliest"] == "2024-10-31T23:00:00.000000+00:00"


@pytest.mark.parametrize(
    ("text", "zone", "languages"),
    [
        ("Le gouvernement a annoncé hier des mesures pour les entreprises et les ménages",
         "Europe/Paris", ("fr", "en")),
        ("政府は21日、新たな経済対策を発表した。", "Asia/Tokyo", ("ja", "en")),
        ("The government announced new measures for businesses on Monday", "UTC", ("en",)),
    ],
)
def test_a_page_that_names_no_language_is_read_in_the_one_it_is_written_in(
    text, zone, languages
):
    found = localised(ZERO_CONFIG, Selector(text=f"<html><body><p>{text}</p></body></html>"),
                      SUMMER)  # fmt: skip
    assert (found.timezone, found.languages) == (zone, languages)


def test_card_links_resolve_against_base_href():
    rows = "".join(
        f'<li><a href="./read/{n}">Government announces measure number {n}</a>'
        f'<span class="src">Reuters</span> <span>{n} hours ago</span></li>'
        for n in range(1, 4)
    )
    html = f'<html><head><base href="/"></head><body><ul>{rows}</ul></body></html>'.encode()
    (listing,) = extract("https://news.example/topics/world", html, fetched_at=SUMMER)
    assert listing["url"] == "https://news.example/topics/world"
    assert [card["url"] for card in listing["cards"]] == [
        f"https://news.example/read/{n}" for n in range(1, 4)
    ]


def test_a_zone_name_shown_beside_the_pages_times_names_its_zone():
    """A bare "2025-07-30 01:28" on a page whose other times say EDT is New York's."""
    html = (
        "<html><body><ul><li>Reuters · Jul 29, 2025 9:04 PM EDT</li>"
        "<li>AP · Jul 29, 2025 8:10 PM EDT</li><li>Axios · 2025-07-30 01:28</li></ul>"
        "<p>Markets rallied in the US after the announcement</p></body></html>"
    )
    found = localised(ZERO_CONFIG, Selector(text=html), SUMMER)
    assert found.timezone == "America/New_York"
    french = "<p>Est-ce vrai ? Oui, c'est le cas pour les entreprises et les ménages</p>"
    plain = localised(ZERO_CONFIG, Selector(text=f"<html><body>{french}</body></html>"), SUMMER)
    assert plain.timezone == "Europe/Paris"  # "Est" in French text names no zone
