"""Timestamp speed: ``normalise`` against ``dateparser.parse`` on the same strings.

The strings are what a crawl of aggregators shows: pages of cards from thirteen sites
(twelve languages, each site in its own zone) with relative times, the absolute English
forms, ISO 8601, clock times and one string a page that holds no time. Relative labels
repeat from page to page, as real card times do; absolute ones are mostly new. Pages are
fetched a second apart, mid-month and away from DST changes, so the strings steer clear
of the dateparser traps the tests document (there the two differ because dateparser is
wrong, which is not what this measures).

A crawl in progress is measured: both sides first read one batch of pages untimed, then
each pair of runs reads the next, new batch both ways, ``normalise`` with the caches the
earlier batches left (as in a long crawl) and ``dateparser.parse`` with the site's
languages and GUIDE.md's settings (``RELATIVE_BASE`` the fetch instant at the site's
offset, ``TIMEZONE`` that offset, ``PREFER_DATES_FROM`` past). The row gives microseconds
per string; its ratio is dateparser's time over ours (higher is better). Its name gives
the same ratio from a cold start (``clear_caches()`` before a batch, as a fresh process
reads its first pages) and the share of the strings both read on which both give the same
instant, which must be 100%. The garbage collector is off while timing, as in timeit.
"""

from __future__ import annotations

import gc
import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import dateparser

from benchmarks.common import Result, paired_medians
from crawler.timestamps import clear_caches, normalise

TARGET = 50.0
#: The first page's fetch: mid-month and far from DST changes in every zone below.
FIRST_FETCH = datetime(2025, 7, 30, 9, 5, 0, 250_000, tzinfo=timezone.utc)

#: (language, zone, templates). "{n}" minutes (1-59), "{k}" hours (2-23), "{d}" days
#: (2-6), "{day}" a July day before the fetch, "{h}:{m}" and "{h12}:{m} AM" clock times
#: before the fetch.
SITES = [
    ("en", "Asia/Tokyo", ["{n} minutes ago", "an hour ago", "{k} hours ago", "just now",
                          "Yesterday", "{d} days ago", "Jul {day}, 2025 {h}:{m} (JST)"]),
    ("en", "America/New_York", ["{n} mins ago", "{k}h", "about an hour ago",
                                "Updated {k} hours ago", "{k} hours ago · Reuters",
                                "yesterday at {h12}:{m} PM", "Tuesday", "July {day}, 2025",
                                "{day} Jul 2025 {h}:{m}", "Jul {day}, 2025 {h12}:{m} PM EDT",
                                "2025-07-{day}T{h}:{m}:00-04:00", "{h12}:{m} AM"]),
    ("de", "Europe/Berlin", ["vor {n} Minuten", "vor einer Stunde", "vor {k} Stunden",
                             "gestern", "gestern um {h}:{m} Uhr", "{day}. Juli 2025"]),
    ("fr", "Europe/Paris", ["il y a {n} minutes", "il y a {k} heures", "hier à {h}h{m}",
                            "{day} juillet 2025"]),
    ("es", "Europe/Madrid", ["hace {n} minutos", "hace una hora", "hace {k} horas", "ayer"]),
    ("it", "Europe/Rome", ["{n} minuti fa", "un'ora fa", "{k} ore fa", "ieri alle {h}:{m}"]),
    ("pt", "America/Sao_Paulo", ["há {n} minutos", "há {k} horas", "ontem", "{n} minutos atrás"]),
    ("nl", "Europe/Amsterdam", ["{n} minuten geleden", "{k} uur geleden", "gisteren"]),
    ("ja", "Asia/Tokyo", ["{n}分前", "{k}時間前", "昨日", "{d}日前", "2025年7月{day}日 {h}:{m}"]),
    ("zh", "Asia/Shanghai", ["{n}分钟前", "{k}小时前", "昨天", "{d}天前", "刚刚"]),
    ("ko", "Asia/Seoul", ["{n}분 전", "{k}시간 전", "어제", "{d}일 전"]),
    ("ru", "Europe/Moscow", ["{n} минут назад", "{k} часа назад", "час назад", "вчера"]),
    ("ar", "Asia/Riyadh", ["منذ {n} دقائق", "منذ {k} ساعات", "أمس", "منذ يومين"]),
]  # fmt: skip
NO_TIME = ["Sponsored", "No comments yet...", "Hashtags", "LIVE"]


def mix(batch: int, pages: int = 160, cards: int = 12) -> list[tuple]:
    """(fetch instant, language, zone, text) for every card time of one batch of pages."""
    rng = random.Random(batch)
    found = []
    for page in range(pages):
        fetched = FIRST_FETCH + timedelta(seconds=batch * pages + page)
        language, zone, templates = SITES[page % len(SITES)]
        for _ in range(cards):
            text = rng.choice(templates).format(
                n=rng.randrange(1, 60),
                k=rng.randrange(2, 24),
                d=rng.randrange(2, 7),
                day=rng.randrange(10, 29),
                h=f"{rng.randrange(0, 5):02d}",
                h12=rng.randrange(1, 5),
                m=f"{rng.randrange(60):02d}",
            )
            found.append((fetched, language, zone, text))
        found.append((fetched, "en", zone, rng.choice(NO_TIME)))
    return found


def _dateparser_settings(fetched: datetime, zone: str) -> dict:
    local = fetched.astimezone(ZoneInfo(zone))
    base = local.replace(tzinfo=timezone(local.utcoffset() or timedelta(0)))
    return {
        "RELATIVE_BASE": base,
        "TIMEZONE": base.strftime("%z"),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
    }


def _ours(batch: list[tuple]) -> list:
    return [normalise(text, fetched, tz=zone, languages=(language,))
            for fetched, language, zone, text, _ in batch]  # fmt: skip


def _baseline(batch: list[tuple]) -> list:
    return [dateparser.parse(text, languages=[language], settings=settings)
            for _, language, _, text, settings in batch]  # fmt: skip


def run(runs: int = 5) -> Result:
    batches = [
        [(*card, _dateparser_settings(card[0], card[2])) for card in mix(number)]
        for number in range(runs + 1)
    ]
    first = batches[0]
    results = [(_ours(first), _baseline(first))]  # loads dateparser's locales, warms up
    ours_left, baseline_left = iter(batches[1:]), iter(batches[1:])
    ours_read, baseline_read = [], []

    def cold() -> None:
        clear_caches()
        _ours(first)

    def ours() -> None:
        ours_read.extend(_ours(next(ours_left)))

    def baseline() -> None:
        baseline_read.extend(_baseline(next(baseline_left)))

    gc.disable()  # as timeit does: a collection would land on whichever side runs then
    try:
        cold_speedup = paired_medians(lambda: _baseline(first), cold, 3)[2]
        _ours(first)
        base_time, our_time, speedup = paired_medians(baseline, ours, runs)
    finally:
        gc.enable()
    results.append((ours_read, baseline_read))
    both = [
        (found.value, theirs)
        for mine, others in results
        for found, theirs in zip(mine, others, strict=True)
        if found and theirs
    ]
    same = sum(1 for value, theirs in both if value == theirs) / len(both)
    per_string = 1e6 / len(first)
    return Result(
        name=f"normalise speed-up vs dateparser.parse ({len(first)} strings a run; "
        f"cold start {cold_speedup:.0f}x; same instant on {same:.0%} of {len(both)})",
        unit="us/string",
        ours=our_time * per_string,
        baseline=base_time * per_string,
        ratio=speedup,
        target=f">= {TARGET:.0f}",
        meets=speedup >= TARGET and same == 1,
        runs=runs,
    )
