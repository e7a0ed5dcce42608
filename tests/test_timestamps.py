"""crawler.timestamps.normalise: windows anchored to the fetch instant, table-driven."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawler.timestamps import normalise

UTC = timezone.utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


FETCH = at("2025-07-30T09:05:00.250000+00:00")  # 18:05:00.25 in Tokyo, a Wednesday

# (raw, fetch, zone, expected earliest, expected latest, precision)
CASES = [
    ("27 minutes ago", FETCH, "UTC",
     "2025-07-30T08:37:00.25+00:00", "2025-07-30T08:38:00.25+00:00", "minute"),
    ("a minute ago", FETCH, "UTC",
     "2025-07-30T09:03:00.25+00:00", "2025-07-30T09:04:00.25+00:00", "minute"),
    ("an hour ago", FETCH, "UTC",
     "2025-07-30T07:05:00.25+00:00", "2025-07-30T08:05:00.25+00:00", "hour"),
    ("About an hour ago", FETCH, "UTC",
     "2025-07-30T07:05:00.25+00:00", "2025-07-30T08:05:00.25+00:00", "hour"),
    ("2 hours ago", FETCH, "UTC",
     "2025-07-30T06:05:00.25+00:00", "2025-07-30T07:05:00.25+00:00", "hour"),
    ("Updated 2 hours ago", FETCH, "UTC",
     "2025-07-30T06:05:00.25+00:00", "2025-07-30T07:05:00.25+00:00", "hour"),
    ("2 hours ago · Reuters", FETCH, "UTC",
     "2025-07-30T06:05:00.25+00:00", "2025-07-30T07:05:00.25+00:00", "hour"),
    ("14m", FETCH, "UTC", "2025-07-30T08:50:00.25+00:00", "2025-07-30T08:51:00.25+00:00", "minute"),
    ("2h", FETCH, "UTC", "2025-07-30T06:05:00.25+00:00", "2025-07-30T07:05:00.25+00:00", "hour"),
    ("just now", FETCH, "UTC",
     "2025-07-30T09:04:00.25+00:00", "2025-07-30T09:05:00.25+00:00", "minute"),
    # Calendar words: the whole day in the site's zone.
    ("Yesterday", FETCH, "UTC", "2025-07-29T00:00:00+00:00", "2025-07-30T00:00:00+00:00", "day"),
    ("Yesterday", FETCH, "Asia/Tokyo",
     "2025-07-28T15:00:00+00:00", "2025-07-29T15:00:00+00:00", "day"),
    ("3 days ago", FETCH, "Asia/Tokyo",
     "2025-07-26T15:00:00+00:00", "2025-07-27T15:00:00+00:00", "day"),
    ("yesterday at 5:30 PM", FETCH, "Asia/Tokyo",
     "2025-07-29T08:30:00+00:00", "2025-07-29T08:31:00+00:00", "minute"),
    # A weekday name is the most recent such day before the fetch day, never the fetch day.
    ("Wednesday", FETCH, "Asia/Tokyo",
     "2025-07-22T15:00:00+00:00", "2025-07-23T15:00:00+00:00", "day"),
    ("Tuesday", FETCH, "Asia/Tokyo",
     "2025-07-28T15:00:00+00:00", "2025-07-29T15:00:00+00:00", "day"),
    # The zone in the text wins over the site's.
    ("Jul 30, 2025 16:20 (JST)", FETCH, "UTC",
     "2025-07-30T07:20:00+00:00", "2025-07-30T07:21:00+00:00", "minute"),
    ("Jul 30, 2025 16:20", FETCH, "Asia/Tokyo",
     "2025-07-30T07:20:00+00:00", "2025-07-30T07:21:00+00:00", "minute"),
    ("Jul 28, 2025", FETCH, "Asia/Tokyo",
     "2025-07-27T15:00:00+00:00", "2025-07-28T15:00:00+00:00", "day"),
    # Fetched just after midnight on the 1st: yesterday is the last day of the previous month.
    ("Yesterday", at("2025-03-01T00:00:30+01:00"), "Europe/Berlin",
     "2025-02-27T23:00:00+00:00", "2025-02-28T23:00:00+00:00", "day"),
    ("Yesterday", at("2026-01-01T00:10:00-05:00"), "America/New_York",
     "2025-12-31T05:00:00+00:00", "2026-01-01T05:00:00+00:00", "day"),
    # Across DST: the day before the spring change in New York is 24 h, the day of it 23 h.
    ("Yesterday", at("2025-03-09T12:00:00-04:00"), "America/New_York",
     "2025-03-08T05:00:00+00:00", "2025-03-09T05:00:00+00:00", "day"),
    ("2 days ago", at("2025-03-10T12:00:00-04:00"), "America/New_York",
     "2025-03-08T05:00:00+00:00", "2025-03-09T05:00:00+00:00", "day"),
    ("Yesterday", at("2025-10-27T09:00:00+01:00"), "Europe/Berlin",
     "2025-10-25T22:00:00+00:00", "2025-10-26T23:00:00+00:00", "day"),
    # Elapsed hours are exact durations, whatever the clocks did in between.
    ("3 hours ago", at("2025-03-30T04:30:00+02:00"), "Europe/Berlin",
     "2025-03-29T22:30:00+00:00", "2025-03-29T23:30:00+00:00", "hour"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "fetched", "tz", "earliest", "latest", "precision"), CASES)
def test_window(raw, fetched, tz, earliest, latest, precision):
    found = normalise(raw, fetched, tz=tz)
    assert found is not None, raw
    assert (found.earliest, found.latest) == (at(earliest), at(latest))
    assert found.precision == precision
    assert found.earliest <= found.value <= found.latest
    assert found.raw == raw
    assert found.value.tzinfo is not None and found.value.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "raw", ["", "   ", "hello", "12345", "2", "No comments yet...", "in 3000 years", "Hashtags"]
)
def test_no_time(raw):
    assert normalise(raw, FETCH) is None


def test_same_input_same_answer_regardless_of_fetch_offset():
    tokyo = FETCH.astimezone(timezone(timedelta(hours=9)))
    assert normalise("27 minutes ago", tokyo) == normalise("27 minutes ago", FETCH)


def test_naive_fetch_instant_is_refused():
    with pytest.raises(ValueError):
        normalise("27 minutes ago", FETCH.replace(tzinfo=None))


def test_json_form_is_utc_iso():
    found = normalise("Jul 30, 2025 16:20 (JST)", FETCH)
    assert found is not None
    assert found.to_json() == {
        "raw": "Jul 30, 2025 16:20 (JST)",
        "value": "2025-07-30T07:20:00.000000+00:00",
        "earliest": "2025-07-30T07:20:00.000000+00:00",
        "latest": "2025-07-30T07:21:00.000000+00:00",
        "precision": "minute",
        "method": "dateparser",
    }
