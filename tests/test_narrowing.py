"""crawler.narrowing: an article's observations narrowed to one window, conflicts set aside.

Hand-worked cases pin the issue's example and the tie-break; seeded random cases check
the properties against a brute-force reading of the documented rules.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from crawler.narrowing import CLOCK_SLACK, Narrowed, Observation, narrow
from crawler.timestamps import normalise

UTC = timezone.utc
BASE = datetime(2025, 7, 30, tzinfo=UTC)
PAGE = "https://news.example/a/1"


def at(hour: int, minute: int = 0, day: int = 30) -> datetime:
    return datetime(2025, 7, day, hour, minute, tzinfo=UTC)


def seen(raw: str, fetched_at: datetime, url: str = PAGE) -> Observation:
    """An observation built by the real parser, as the crawl will build it."""
    stamp = normalise(raw, fetched_at)
    assert stamp is not None, raw
    return Observation.from_timestamp(stamp, source_url=url, fetched_at=fetched_at)


def window(start: int, end: int, value: int | None = None, fetched: int = 0) -> Observation:
    """An observation of minutes ``[start, end]`` after BASE (value defaults to the start)."""
    minutes = [start, end, start if value is None else value, fetched]
    earliest, latest, value_at, fetched_at = (BASE + timedelta(minutes=m) for m in minutes)
    return Observation(earliest, latest, value_at, PAGE, fetched_at, f"{start}-{end}")


def bounds(result: Narrowed | None) -> tuple[datetime, datetime]:
    assert result is not None
    return result.earliest, result.latest


# --- hand-worked cases ------------------------------------------------------------------


def test_issue_example_narrows_to_the_overlap():
    hour = seen("an hour ago", at(10))
    two = seen("2 hours ago", at(10, 45))
    assert (hour.earliest, hour.latest) == (at(8), at(9))
    assert (two.earliest, two.latest) == (at(7, 45), at(8, 45))
    result = narrow([hour, two])
    assert bounds(result) == (at(8), at(8, 45))
    assert result.width == timedelta(minutes=45)
    assert result.value == at(8, 45)  # the "2 hours ago" reading; "an hour ago"'s lies outside
    assert result.used == (hour, two)
    assert result.conflicts == ()


def test_day_and_minute_narrow_to_the_minute():
    day = seen("Yesterday", at(10))
    minute = seen("Jul 29, 2025 16:20", at(11), url="https://news.example/list")
    assert day.latest - day.earliest == timedelta(days=1)
    result = narrow([day, minute])
    assert bounds(result) == (at(16, 20, day=29), at(16, 21, day=29))
    assert result.value == at(16, 20, day=29)
    assert set(result.used) == {day, minute}
    assert result.conflicts == ()


def test_single_observation_is_itself():
    only = seen("27 minutes ago", at(10))
    result = narrow([only])
    assert (result.earliest, result.latest, result.value) == (
        only.earliest,
        only.latest,
        only.value,
    )
    assert result.used == (only,)
    assert result.conflicts == ()


def test_identical_observations_give_the_same_window():
    one = seen("Yesterday", at(10))
    again = seen("Yesterday", at(10), url="https://news.example/list")
    result = narrow([one, again, one])
    assert (result.earliest, result.latest, result.value) == (one.earliest, one.latest, one.value)
    assert len(result.used) == 3


def test_no_observations_give_none():
    assert narrow([]) is None


def test_touching_windows_share_their_common_instant():
    result = narrow([window(0, 60), window(60, 120)])
    assert bounds(result) == (BASE + timedelta(hours=1),) * 2
    assert result.conflicts == ()


def test_value_is_the_midpoint_when_no_reading_lies_in_the_window():
    result = narrow([window(0, 60, value=10), window(30, 90, value=80)])
    assert bounds(result) == (BASE + timedelta(minutes=30), BASE + timedelta(minutes=60))
    assert result.value == BASE + timedelta(minutes=45)


def test_value_is_the_lower_median_of_readings_in_the_window():
    readings = [window(0, 100, value=v) for v in (20, 40, 50, 60, 95)]
    result = narrow([*readings, window(10, 90, value=10)])
    assert bounds(result) == (BASE + timedelta(minutes=10), BASE + timedelta(minutes=90))
    assert result.value == BASE + timedelta(minutes=40)  # of 10, 20, 40, 50, 60 (95 is out)


def test_an_outlier_is_left_out_and_reported():
    good = [
        seen("an hour ago", at(10)),
        seen("2 hours ago", at(10, 45)),
        seen("Jul 30, 2025 08:30", at(11)),
    ]
    outlier = seen("Jul 30, 2025 17:30", at(11), url="https://news.example/list")  # a misread zone
    result = narrow([good[0], outlier, *good[1:]])
    assert bounds(result) == (at(8, 30), at(8, 31))
    assert result.value == at(8, 30)
    assert set(result.used) == set(good)
    assert result.conflicts == (outlier,)


def test_equal_groups_prefer_the_narrower_intersection():
    early = [window(0, 60), window(30, 90)]  # share [30, 60]
    late = [window(600, 660), window(650, 700)]  # share [650, 660]: narrower
    result = narrow(early + late)
    assert bounds(result) == (BASE + timedelta(minutes=650), BASE + timedelta(minutes=660))
    assert set(result.conflicts) == set(early)


def test_equal_groups_of_equal_width_prefer_the_earlier():
    early = [window(0, 60), window(30, 90)]
    late = [window(600, 660), window(630, 690)]
    result = narrow(late + early)
    assert bounds(result) == (BASE + timedelta(minutes=30), BASE + timedelta(minutes=60))
    assert set(result.conflicts) == set(late)


def test_pairwise_disjoint_keeps_the_most_precise():
    day = seen("Yesterday", at(10))
    minute = seen("Jul 30, 2025 09:15", at(10))
    hour = seen("2 hours ago", at(10))
    result = narrow([day, hour, minute])
    assert result.used == (minute,)
    assert set(result.conflicts) == {day, hour}
    assert bounds(result) == (minute.earliest, minute.latest)


def test_pairwise_disjoint_of_one_width_keeps_the_earliest():
    spread = [window(120, 180), window(0, 60), window(240, 300)]
    result = narrow(spread)
    assert bounds(result) == (BASE, BASE + timedelta(hours=1))
    assert len(result.conflicts) == 2


def test_json_form_matches_the_timestamp():
    stamp = normalise("27 minutes ago", at(10))
    from_stamp = Observation.from_timestamp(stamp, source_url=PAGE, fetched_at=at(10))
    from_item = Observation.from_json(
        stamp.to_json(), source_url=PAGE, fetched_at="2025-07-30T10:00:00.000000+00:00"
    )
    assert from_item == from_stamp


def test_json_form_of_an_unread_time_is_no_observation():
    unread = {
        "raw": "sometime",
        "value": None,
        "earliest": None,
        "latest": None,
        "precision": None,
        "method": None,
    }
    assert Observation.from_json(unread, source_url=PAGE, fetched_at=at(10)) is None


def test_instants_are_kept_in_utc():
    tokyo = timezone(timedelta(hours=9))
    local = Observation(
        at(17, day=30).astimezone(tokyo),
        at(18).astimezone(tokyo),
        at(17).astimezone(tokyo),
        PAGE,
        at(19).astimezone(tokyo),
        "17:00",
    )
    assert all(
        getattr(local, name).tzinfo == UTC for name in ("earliest", "latest", "value", "fetched_at")
    )
    assert local.earliest == at(17)


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["earliest", "latest", "value", "fetched_at"])
def test_naive_instants_are_refused(field):
    fields = {"earliest": at(8), "latest": at(9), "value": at(8), "fetched_at": at(10)}
    fields[field] = fields[field].replace(tzinfo=None)
    with pytest.raises(ValueError, match=f"{field} must be a timezone-aware datetime"):
        Observation(**fields, source_url=PAGE, raw="x")


def test_reversed_window_is_refused():
    with pytest.raises(ValueError, match="is after latest"):
        Observation(at(9), at(8), at(8), PAGE, at(10), "x")


def test_value_outside_the_window_is_refused():
    with pytest.raises(ValueError, match="outside the window"):
        Observation(at(8), at(9), at(10), PAGE, at(10), "x")


def test_half_null_json_is_refused():
    half = {"raw": "x", "value": "2025-07-30T08:00:00+00:00", "earliest": None, "latest": None}
    with pytest.raises(ValueError, match="must all be ISO strings"):
        Observation.from_json(half, source_url=PAGE, fetched_at=at(10))


def test_naive_json_is_refused():
    naive = {
        "raw": "x",
        "value": "2025-07-30T08:00:00",
        "earliest": "2025-07-30T08:00:00",
        "latest": "2025-07-30T09:00:00",
    }
    with pytest.raises(ValueError, match="timezone-aware"):
        Observation.from_json(naive, source_url=PAGE, fetched_at=at(10))


# --- properties on seeded random cases --------------------------------------------------

WIDTHS = (0, 1, 1, 30, 60, 60, 120, 1440)  # minutes: instants, minutes, hours, days


def random_window(rng: random.Random, containing: int | None = None) -> Observation:
    """A window on a coarse minute grid (so ends and starts often coincide)."""
    width = rng.choice(WIDTHS)
    offset = rng.randint(0, width)
    start = rng.randrange(0, 3000, 15) if containing is None else containing - offset
    return window(
        start, start + width, rng.randint(start, start + width), fetched=rng.randrange(0, 5000, 15)
    )


def reference(observations: list[Observation]) -> tuple[datetime, datetime]:
    """The documented rule, brute force: most observations, then narrowest, then earliest."""
    groups = []
    for point in {o.earliest for o in observations}:
        group = [o for o in observations if o.earliest <= point <= o.latest]
        start, end = max(o.earliest for o in group), min(o.latest for o in group)
        groups.append((-len(group), end - start, start, end))
    _, _, start, end = min(groups)
    return start, end


def cases(seed: int, count: int, consistent: bool):
    rng = random.Random(seed)
    for _ in range(count):
        truth = rng.randrange(0, 3000)
        n = rng.randint(1, 9)
        yield rng, truth, [random_window(rng, truth if consistent else None) for _ in range(n)]


def check_invariants(result: Narrowed, observations: list[Observation]) -> None:
    assert result.earliest <= result.value <= result.latest
    assert sorted(result.used + result.conflicts, key=id) == sorted(observations, key=id)
    assert all(o.earliest <= result.earliest and result.latest <= o.latest for o in result.used)
    assert all(o.latest < result.earliest or o.earliest > result.latest for o in result.conflicts)
    assert result.earliest == max(o.earliest for o in result.used)
    assert result.latest == min(o.latest for o in result.used)


def test_a_true_instant_in_every_window_survives_without_conflict():
    for _, truth, observations in cases(1, 1500, consistent=True):
        result = narrow(observations)
        check_invariants(result, observations)
        assert result.earliest <= BASE + timedelta(minutes=truth) <= result.latest
        assert result.conflicts == ()


def test_arbitrary_observations_follow_the_documented_rule():
    for _, _, observations in cases(2, 1500, consistent=False):
        result = narrow(observations)
        check_invariants(result, observations)
        assert bounds(result) == reference(observations)


def test_order_does_not_matter():
    for rng, _, observations in cases(3, 1000, consistent=False):
        shuffled = observations[:]
        rng.shuffle(shuffled)
        assert narrow(shuffled) == narrow(observations)


@pytest.mark.parametrize("consistent", [True, False])
def test_adding_an_observation_only_narrows_unless_it_conflicts(consistent):
    for rng, truth, observations in cases(4, 1000, consistent):
        before = narrow(observations)
        extra = random_window(rng, truth if rng.random() < 0.5 else None)
        after = narrow([*observations, extra])
        if not after.conflicts:
            assert before.earliest <= after.earliest and after.latest <= before.latest
        overlaps = extra.earliest <= before.latest and before.earliest <= extra.latest
        if not before.conflicts and overlaps:
            assert after.conflicts == ()
            assert bounds(after) == (
                max(before.earliest, extra.earliest),
                min(before.latest, extra.latest),
            )


def test_slack_keeps_windows_that_miss_by_less_than_it_together():
    """A page rendered a moment before its response arrived: its window, anchored at the
    arrival, ends a little after the truth's true bucket; with slack they still agree."""
    first = Observation(
        earliest=datetime(2025, 7, 30, 8, 0, tzinfo=UTC),
        latest=datetime(2025, 7, 30, 9, 0, tzinfo=UTC),
        value=datetime(2025, 7, 30, 9, 0, tzinfo=UTC),
        source_url="http://a.test/",
        fetched_at=datetime(2025, 7, 30, 10, 0, tzinfo=UTC),
        raw="an hour ago",
    )
    late = Observation(
        earliest=datetime(2025, 7, 30, 9, 0, 2, tzinfo=UTC),
        latest=datetime(2025, 7, 30, 9, 1, 2, tzinfo=UTC),
        value=datetime(2025, 7, 30, 9, 0, 2, tzinfo=UTC),
        source_url="http://b.test/",
        fetched_at=datetime(2025, 7, 30, 9, 59, 2, tzinfo=UTC),
        raw="59 minutes ago",
    )
    assert len(narrow([first, late]).conflicts) == 1  # without slack they disagree
    kept = narrow([first, late], CLOCK_SLACK)
    assert kept.conflicts == ()
    assert (kept.earliest, kept.latest) == (late.earliest - CLOCK_SLACK, first.latest + CLOCK_SLACK)
