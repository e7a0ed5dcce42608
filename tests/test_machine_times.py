"""crawler.timestamps.machine: machine-readable times and the windows they show."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from crawler.timestamps import FUTURE_TOLERANCE
from crawler.timestamps.machine import machine

FETCHED = datetime(2025, 7, 30, 9, 0, tzinfo=timezone.utc)


def read(raw: str, tz: str = "Asia/Tokyo", fetched_at: datetime = FETCHED):
    return machine(raw, tz=tz, via="jsonld", fetched_at=fetched_at)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("raw", "earliest", "latest", "precision"),
    [
        # ISO 8601, full and partial, with and without an offset (Tokyo is +09:00).
        ("2025-07-30T16:20:00+09:00", "07-30T07:20", "07-30T07:20:01", "second"),
        ("2025-07-30T07:20Z", "07-30T07:20", "07-30T07:21", "minute"),
        ("2025-07-30 16:20:00", "07-30T07:20", "07-30T07:20:01", "second"),
        ("2025-07-30T16:20:00.000+0900", "07-30T07:20", "07-30T07:20:01", "second"),
        ("2025-07-30T16:20:00 +09:00", "07-30T07:20", "07-30T07:20:01", "second"),
        ("2025-07-30T16:20:00+09:00[Asia/Tokyo]", "07-30T07:20", "07-30T07:20:01", "second"),
        ("2025-07-30T16", "07-30T07:00", "07-30T08:00", "hour"),
        ("2025-07-30", "07-29T15:00", "07-30T15:00", "day"),
        ("2025-07-30Z", "07-30T00:00", "07-31T00:00", "day"),
        ("2025-07", "06-30T15:00", "07-31T15:00", "month"),
        ("2025/07/30 16:20", "07-30T07:20", "07-30T07:21", "minute"),
        ("2025.07.30", "07-29T15:00", "07-30T15:00", "day"),
        ("20250730T072000Z", "07-30T07:20", "07-30T07:20:01", "second"),
        ("20250730", "07-29T15:00", "07-30T15:00", "day"),
        ("2025-07-30 16:20:00 JST", "07-30T07:20", "07-30T07:20:01", "second"),
        ("2025-07-30T16:20:00 UTC+9", "07-30T07:20", "07-30T07:20:01", "second"),
        # RFC 822 / 2822 as in RSS, RFC 850, JavaScript's Date.toString(), asctime().
        ("Wed, 30 Jul 2025 07:20:00 GMT", "07-30T07:20", "07-30T07:20:01", "second"),
        ("Wed, 30 Jul 2025 16:20:00 +0900", "07-30T07:20", "07-30T07:20:01", "second"),
        ("Tue, 29 Jul 2025 22:20:00 EST", "07-30T03:20", "07-30T03:20:01", "second"),
        ("30 Jul 25 16:20 +0900", "07-30T07:20", "07-30T07:21", "minute"),
        ("Wednesday, 30-Jul-25 07:20:00 GMT", "07-30T07:20", "07-30T07:20:01", "second"),
        ("Wed, 30 July 2025 16:20", "07-30T07:20", "07-30T07:21", "minute"),
        ("Wed Jul 30 2025 16:20:00 GMT+0900 (JST)", "07-30T07:20", "07-30T07:20:01", "second"),
        ("Wed Jul 30 16:20:00 2025", "07-30T07:20", "07-30T07:20:01", "second"),
        # Epoch seconds and milliseconds.
        ("1753860000", "07-30T07:20", "07-30T07:20:01", "second"),
        ("1753860000000", "07-30T07:20", "07-30T07:20:01", "second"),
    ],
)
def test_reads(raw, earliest, latest, precision):
    found = read(raw)
    assert found is not None
    assert (found.earliest, found.latest) == (utc(f"2025-{earliest}"), utc(f"2025-{latest}"))
    middle = found.earliest + (found.latest - found.earliest) / 2
    assert found.value == (middle if precision == "day" else found.earliest)
    assert found.precision == precision
    assert found.raw == raw
    assert found.method == "machine:jsonld"


@pytest.mark.parametrize("raw", ["2025-07-30T16:20:00.250+09:00", "1753860000.25"])
def test_fractions_keep_the_instant_and_the_second(raw):
    found = read(raw)
    assert found.value == utc("2025-07-30T07:20:00.250")
    assert (found.earliest, found.latest) == (utc("2025-07-30T07:20"), utc("2025-07-30T07:20:01"))


def test_method_names_the_source():
    assert machine("2025-07-30", tz="UTC", via="rss", fetched_at=FETCHED).method == "machine:rss"


def test_local_day_follows_the_zone_across_midnight():
    """The same instant is the 29th in New York and the 30th in Tokyo."""
    found = read("2025-07-30T02:15:00Z")
    assert found.value.astimezone(ZoneInfo("America/New_York")).date().isoformat() == "2025-07-29"
    assert found.value.astimezone(ZoneInfo("Asia/Tokyo")).date().isoformat() == "2025-07-30"


def test_date_alone_is_the_whole_local_day_even_when_the_clocks_change():
    fetched = datetime(2025, 4, 1, tzinfo=timezone.utc)
    found = read("2025-03-09", tz="America/New_York", fetched_at=fetched)
    assert found.latest - found.earliest == timedelta(hours=23)
    assert found.earliest == utc("2025-03-09T05:00")


def test_wall_time_repeated_when_clocks_go_back_covers_both():
    fetched = datetime(2025, 12, 1, tzinfo=timezone.utc)
    found = read("2025-11-02T01:30", tz="America/New_York", fetched_at=fetched)
    assert found.earliest == utc("2025-11-02T05:30")
    assert found.latest == utc("2025-11-02T06:31")


def test_wall_time_skipped_when_clocks_go_forward_covers_both_readings():
    fetched = datetime(2025, 4, 1, tzinfo=timezone.utc)
    found = read("2025-03-09T02:30", tz="America/New_York", fetched_at=fetched)
    assert found.earliest == utc("2025-03-09T06:30")
    assert found.latest == utc("2025-03-09T07:31")


def test_zone_names_follow_the_site():
    on_shanghai = read("Wed, 30 Jul 2025 15:20:00 CST", tz="Asia/Shanghai")
    on_chicago = read("Wed, 30 Jul 2025 02:20:00 CST", tz="America/Chicago")
    assert on_shanghai.value == utc("2025-07-30T07:20")
    assert on_chicago.value == utc("2025-07-30T08:20")


def test_future_tolerance_and_floor():
    assert read((FETCHED + FUTURE_TOLERANCE - timedelta(minutes=1)).isoformat()) is not None
    assert read((FETCHED + FUTURE_TOLERANCE + timedelta(minutes=1)).isoformat()) is None
    assert read("2031-01-01") is None
    assert read("1989-12-31") is None
    assert read("1990-01-02") is not None
    assert read("0600000000") is None  # epoch seconds in 1989


@pytest.mark.parametrize(
    "raw",
    [
        "", "   ", "garbage", "yesterday", "3 hours ago", "2025", "12345", "123456789",
        "2025-02-30", "2025-13-01", "2025-07-30T25:00", "2025-07-30T16:61", "2025-07-30T24:00:00",
        "2025-07-30T16:20:00+25:00", "2025-07-30 16:20 XYZT", "30 Foo 2025 16:20",
        "Wed, 30 Jul 2025 16:20:00 +0900 trailing", "2025-07-30T16:20:00+09:00Z",
        "9999-99-99", "0000-00-00", "2025-07-30" * 20, "\x00", "\uff12\uff10\uff12\uff15-07-30",
        "99999999999999999999", "1" * 13 + ".5", "-1753860000", "NaN", "Infinity",
    ],
)  # fmt: skip
def test_garbage_is_none(raw):
    assert read(raw) is None


def test_never_raises():
    alphabet = "0123456789-:T Z+./,()[]WedJulGMTESTUCabc\u2212"
    rng = random.Random(7)
    for _ in range(5000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        read(raw)
    for base in ("2025-07-30T16:20:00+09:00", "Wed, 30 Jul 2025 07:20:00 GMT", "1753860000"):
        for cut in range(len(base) + 1):
            read(base[:cut])


def test_bad_settings_raise():
    with pytest.raises(ValueError):
        machine("2025-07-30", tz="Mars/Olympus", via="x", fetched_at=FETCHED)
    with pytest.raises(ValueError):
        machine("2025-07-30", tz="UTC", via="x", fetched_at=FETCHED.replace(tzinfo=None))
