"""crawler.timestamps.normalise: windows anchored to the fetch instant, table-driven.

The table is ``fixtures/timestamps/windows.txt``: fetch instant, site zone, languages,
string and the window worked out by hand. The other tests here pin the API, the methods,
the zone rules and the promise never to raise.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.demo.humanise import humanise
from crawler.timestamps import MAX_LENGTH, Timestamp, iso_utc, normalise, unparsed_json

UTC = timezone.utc
TABLE = Path(__file__).parent / "fixtures" / "timestamps" / "windows.txt"


def instant(text: str) -> datetime:
    """ISO 8601 as the table writes it ("Z", short fractions), as an aware datetime."""
    text = text.replace("Z", "+00:00")
    text = re.sub(r"\.(\d{1,6})(?=[+-])", lambda m: "." + m[1].ljust(6, "0"), text)
    return datetime.fromisoformat(text)


def load_table() -> list[tuple]:
    cases, fetched, zone = [], None, None
    for number, line in enumerate(TABLE.read_text("utf-8").splitlines(), 1):
        line = line.split(" #")[0].strip() if line.startswith("@") else line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            _, when, zone = line.split()
            fetched = instant(when)
            continue
        fields = [field.strip() for field in line.split(" | ")]
        languages = tuple(fields[0].split(","))
        expected = None if fields[2:] == ["-"] else (*map(instant, fields[2:4]), fields[4])
        cases.append(pytest.param(fetched, zone, languages, fields[1], expected, id=f"{number}"))
    return cases


CASES = load_table()


def test_the_table_is_large_enough():
    assert len(CASES) >= 300


@pytest.mark.parametrize(("fetched", "zone", "languages", "raw", "expected"), CASES)
def test_window(fetched, zone, languages, raw, expected):
    found = normalise(raw, fetched, tz=zone, languages=languages)
    if expected is None:
        assert found is None, found
        return
    assert found is not None, raw
    earliest, latest, precision = expected
    assert (found.earliest, found.latest, found.precision) == (earliest, latest, precision)
    assert found.earliest <= found.value <= found.latest
    assert found.raw == raw
    for moment in (found.value, found.earliest, found.latest):
        assert moment.utcoffset() == timedelta(0)


FETCH = instant("2025-07-30T09:05:00.25Z")  # 18:05:00.25 in Tokyo, a Wednesday


@pytest.mark.parametrize(
    ("raw", "languages", "method"),
    [
        ("just now", ("en",), "fast:now"),
        ("27 minutes ago", ("en",), "fast:elapsed"),
        ("vor 9 Minuten", ("de",), "fast:elapsed"),
        ("3 days ago", ("en",), "fast:calendar"),
        ("Yesterday", ("en",), "fast:day"),
        ("Tuesday", ("en",), "fast:day"),
        ("16:20", ("en",), "fast:clock"),
        ("Jul 30, 2025 16:20 (JST)", ("en",), "fast:absolute"),
        ("2025-07-30T16:20:00+09:00", ("en",), "fast:absolute"),
        ("1 hour and 20 minutes ago", ("en",), "dateparser"),
        ("last tuesday", ("en",), "dateparser"),
        ("July 2025", ("en",), "dateparser"),
    ],
)
def test_method_names_the_path(raw, languages, method):
    found = normalise(raw, FETCH, tz="Asia/Tokyo", languages=languages)
    assert found is not None
    assert found.method == method


def test_dateparser_windows_follow_what_is_shown():
    found = normalise("1 hour and 20 minutes ago", FETCH)
    assert found is not None
    assert (found.earliest, found.latest) == (
        instant("2025-07-30T07:44:00.25Z"), instant("2025-07-30T07:45:00.25Z")
    )  # fmt: skip
    month = normalise("July 2025", FETCH, tz="Asia/Tokyo")
    assert month is not None and month.precision == "month"
    assert (month.earliest, month.latest) == (
        instant("2025-07-01T00:00+09:00"), instant("2025-08-01T00:00+09:00")
    )  # fmt: skip


# The sample site's labels, around DST changes and month ends, in three zones.
AROUND = ["2025-03-09T12:00Z", "2025-03-30T12:00Z", "2025-10-26T12:00Z", "2025-11-02T12:00Z",
          "2025-12-31T23:00Z", "2025-07-30T09:05Z"]  # fmt: skip


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York", "Europe/Berlin"])
def test_the_sample_sites_labels_hold_the_true_instant(zone):
    rng = random.Random(zone)
    for _ in range(500):
        now = instant(rng.choice(AROUND)) + timedelta(seconds=rng.uniform(-3, 3) * 86400)
        published = now - timedelta(seconds=rng.expovariate(1 / 86400))
        found = normalise(humanise(published, now, zone), now, tz=zone)
        assert found is not None
        assert found.earliest <= published <= found.latest, (found, published)


# --- Zones --------------------------------------------------------------------------------


def test_the_callers_zone_mapping_wins():
    text = "Jul 30, 2025 10:00 IST"
    india = normalise(text, FETCH)
    israel = normalise(text, FETCH, zones={"IST": "Asia/Jerusalem"})
    fixed = normalise(text, FETCH, zones={"ist": "+02:00"})
    assert india is not None and israel is not None and fixed is not None
    assert india.earliest == instant("2025-07-30T10:00+05:30")
    assert israel.earliest == instant("2025-07-30T10:00+03:00")  # IANA: daylight time in July
    assert fixed.earliest == instant("2025-07-30T10:00+02:00")


def test_a_zone_mapping_reaches_the_dateparser_path_too():
    found = normalise("last tuesday 10:00 CST", FETCH, zones={"CST": "+08:00"})
    assert found is not None and found.method == "dateparser"
    assert found.earliest == instant("2025-07-29T10:00+08:00")


def test_an_unknown_abbreviation_is_left_to_dateparser():
    found = normalise("Jul 30, 2025 16:20 ALMT", FETCH)  # Alma-Ata: dateparser knows it
    assert found is not None
    assert found.earliest == instant("2025-07-30T16:20+06:00")


@pytest.mark.parametrize(
    "call",
    [
        lambda: normalise("1 hour ago", FETCH.replace(tzinfo=None)),
        lambda: normalise("1 hour ago", FETCH, tz="Mars/Olympus"),
        lambda: normalise("1 hour ago", FETCH, languages=("xx",)),
        lambda: normalise("1 hour ago", FETCH, languages=()),
        lambda: normalise("1 hour ago", FETCH, zones={"IST": "Nowhere/Else"}),
    ],
)
def test_configuration_errors_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


# --- Never raises, always consistent --------------------------------------------------------

VOCABULARY = [
    "ago", "vor", "il y a", "hace", "fa", "há", "geleden", "前", "전", "назад", "منذ", "minutes",
    "hours", "Stunden", "jours", "días", "時間", "小时", "시간", "часа", "ساعات", "yesterday",
    "gestern", "昨日", "Tuesday", "Jul", "30,", "2025", "16:20", "(JST)", "PM", "at", "·", "-",
    "+09:00", "T", "Z", "IST", "ET", "half an hour", "just now", "٣", "\uff13", ":", ".", "/",
]  # fmt: skip


def random_strings(count: int) -> list[str]:
    """Seeded noise: random code points, and random runs of time words and numbers."""
    rng = random.Random(20250730)
    strings = ["", " ", "\x00", "\u202e", "🕐 2 hours ago", "9" * 5000, "1" * MAX_LENGTH]
    for _ in range(count):
        length = rng.randrange(1, 25)
        if rng.random() < 0.4:
            top = 0x3000 if rng.random() < 0.8 else 0x10FFFF
            strings.append("".join(chr(rng.randrange(0x20, top)) for _ in range(length)))
        else:
            words = [*VOCABULARY, str(rng.randrange(-5, 10**7))]
            strings.append(" ".join(rng.choices(words, k=length // 4 + 1)))
    return strings


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_never_raises_and_keeps_its_invariants(zone):
    for raw in random_strings(700):
        found = normalise(raw, FETCH, tz=zone, languages=("en", "de", "ja", "ar"))
        if found is None:
            continue
        assert found.earliest <= found.value <= found.latest
        assert found.earliest <= FETCH + timedelta(days=1)
        assert found.precision in ("second", "minute", "hour", "day", "week", "month", "year")


def test_long_text_holds_no_time():
    assert normalise("2 hours ago " + " " * MAX_LENGTH, FETCH) is None


def test_same_input_same_answer_regardless_of_fetch_offset():
    tokyo = FETCH.astimezone(timezone(timedelta(hours=9)))
    assert normalise("27 minutes ago", tokyo) == normalise("27 minutes ago", FETCH)
    assert normalise("Yesterday", tokyo, tz="Asia/Tokyo") == normalise(
        "Yesterday", FETCH, tz="Asia/Tokyo"
    )


def test_cached_readings_do_not_leak_between_fetches():
    first = normalise("an hour ago", FETCH)
    later = normalise("an hour ago", FETCH + timedelta(days=400))
    assert first is not None and later is not None
    assert later.value - first.value == timedelta(days=400)


# --- The JSON form --------------------------------------------------------------------------


def test_json_form_is_utc_iso():
    found = normalise("Jul 30, 2025 16:20 (JST)", FETCH)
    assert isinstance(found, Timestamp)
    assert found.to_json() == {
        "raw": "Jul 30, 2025 16:20 (JST)",
        "value": "2025-07-30T07:20:00.000000+00:00",
        "earliest": "2025-07-30T07:20:00.000000+00:00",
        "latest": "2025-07-30T07:21:00.000000+00:00",
        "precision": "minute",
        "method": "fast:absolute",
    }


def test_unparsed_json_keeps_the_raw_text():
    assert unparsed_json("Hashtags") == {
        "raw": "Hashtags", "value": None, "earliest": None, "latest": None,
        "precision": None, "method": None,
    }  # fmt: skip
    assert iso_utc(instant("2025-07-30T18:05:00+09:00")) == "2025-07-30T09:05:00.000000+00:00"


@pytest.mark.parametrize("languages", [["en"], ["fr"]])  # fast path, then dateparser's
def test_a_page_written_while_the_request_was_in_flight_widens_the_window(languages):
    """The server wrote the page between the request and the response: its "27 minutes
    ago" is anchored anywhere in that interval, so the window covers both readings."""
    fetched = datetime(2025, 7, 30, 10, 0, 0, 300000, tzinfo=UTC)
    sent = fetched - timedelta(seconds=2)
    raw = "27 minutes ago" if languages == ["en"] else "il y a 27 minutes"
    alone = normalise(raw, fetched, languages=languages)
    both = normalise(raw, fetched, languages=languages, sent_at=sent)
    assert (both.value, both.latest, both.precision) == (alone.value, alone.latest, "minute")
    assert both.earliest == alone.earliest - timedelta(seconds=2)
    # A server that wrote "28 minutes ago" for the same instant, at the request's moment,
    # is covered too: the truth 28 minutes before `sent` lies in the widened window.
    assert both.earliest <= sent - timedelta(minutes=28) + timedelta(microseconds=1)


def test_a_request_in_flight_across_midnight_covers_both_days():
    fetched = datetime(2025, 7, 31, 0, 0, 0, 100000, tzinfo=UTC)
    sent = datetime(2025, 7, 30, 23, 59, 59, 900000, tzinfo=UTC)
    both = normalise("Yesterday", fetched, sent_at=sent)
    assert both.earliest == datetime(2025, 7, 29, tzinfo=UTC)
    assert both.latest == normalise("Yesterday", fetched).latest
    assert normalise("Yesterday", fetched, sent_at=fetched) == normalise("Yesterday", fetched)


def test_a_clock_beside_a_date_in_digits_is_that_dates():
    """ "22/11/2020 - 04:30": the clock alone would be read on the fetch day."""
    fetched = datetime(2020, 11, 25, 12, 0, tzinfo=timezone.utc)
    found = normalise("22/11/2020 - 04:30", fetched, tz="America/Sao_Paulo", languages=("pt",))
    assert found is not None and found.precision == "minute"
    assert iso_utc(found.earliest) == "2020-11-22T07:30:00.000000+00:00"
    bare = normalise("Reuters - 16:20", fetched, tz="UTC")
    assert bare is not None and bare.method == "fast:clock"


@pytest.mark.parametrize(
    ("raw", "languages", "earliest"),
    [
        ("11/21(土) 19:01", ("ja", "en"), "2026-11-21T10:01:00.000000+00:00"),
        ("11/21(土) 19:01", ("ja",), "2026-11-21T10:01:00.000000+00:00"),
        ("11/19(木) 08:43配信", ("ja", "en"), "2026-11-18T23:43:00.000000+00:00"),
        ("30/7 16:20", ("fr", "en"), "2026-07-30T07:20:00.000000+00:00"),
    ],
)
def test_a_slashed_day_and_month_without_a_year_is_this_years(raw, languages, earliest):
    """dateparser alone reads "11/21" as November 2011."""
    fetched = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
    found = normalise(raw, fetched, tz="Asia/Tokyo", languages=languages)
    assert found is not None and iso_utc(found.earliest) == earliest
    assert normalise("3/4", fetched, tz="Asia/Tokyo") is None  # no weekday, no clock


@pytest.mark.parametrize("raw", ["20minutos", "7news", "9Honey"])
def test_a_number_glued_to_a_word_is_a_name_not_a_time(raw):
    fetched = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
    assert normalise(raw, fetched, tz="Europe/Madrid", languages=("es", "en")) is None
