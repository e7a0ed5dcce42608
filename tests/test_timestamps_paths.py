"""The fast path and the dateparser path give the same instant wherever both read a string.

Every string below is a fast-path form. Each is read by both paths (``fast`` and
``fallback``, the dateparser path with its corrections) at fetches that include DST
changes, the first of a month and of a year, and a minute to midnight; wherever dateparser
answers, the two values must be the same instant. The forms where dateparser is wrong or
coarser are listed apart, with what it does, and are read by the fast path only.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.timestamps import fallback, fast, normalise
from crawler.timestamps.windows import UTC, Anchor

FORMS = {
    "en": [
        "27 minutes ago", "27 mins ago", "33 minutes ago", "a minute ago", "45 seconds ago",
        "30s", "14m", "2h", "2 hrs ago", "an hour ago", "about an hour ago", "2 hours ago",
        "Updated 2 hours ago", "2 hours ago · Reuters", "23 hours ago", "48 hours ago",
        "just now", "now", "Yesterday", "Today", "3 days ago", "3d", "6 days ago",
        "a week ago", "2 weeks ago", "a month ago", "2 months ago", "a year ago",
        "yesterday at 5:30 PM", "yesterday 17:30", "yesterday at 5 PM", "today at 9:15 AM",
        "Tuesday", "Wednesday", "Sunday", "Tuesday at 5:30 PM", "Jul 30, 2025 16:20 (JST)",
        "Jul 30, 2025 16:20", "July 30, 2025", "30 Jul 2025 16:20", "30 July 2025",
        "Jul 28, 2025", "Wed, 30 Jul 2025 07:20:00 GMT", "2025-07-30T16:20:00+09:00",
        "2025-07-30T07:20:00Z", "2025-07-30 16:20", "2025-07-30", "Jul 28",
        "Jul 30, 2025 4:20 PM EDT", "Jul 30, 2025 4:20 PM ET", "Jul 30, 2025 4:20 PM IST",
        "Jul 30, 2025 16:20 CEST", "Jan 15, 2025 10:00 ET", "Mar 8, 2025 10:00",
        "Nov 1, 2025 9:00 AM", "the day before yesterday", "July 30th, 2025",
        "Wednesday, July 30, 2025 at 4:20 PM",
    ],
    "de": [
        "vor 9 Minuten", "vor einer Stunde", "vor 2 Stunden", "vor 3 Tagen", "gestern",
        "heute", "gestern um 17:30 Uhr", "Dienstag", "30. Juli 2025", "30. Juli 2025, 16:20 Uhr",
        "vorgestern", "vor einer Woche", "vor 2 Monaten",
    ],
    "fr": [
        "il y a 2 heures", "il y a une heure", "il y a 5 min", "hier", "hier à 17h30",
        "mardi", "30 juillet 2025", "il y a 3 jours", "avant-hier",
    ],
    "es": [
        "hace 5 minutos", "hace una hora", "hace 2 horas", "ayer", "ayer a las 17:30",
        "martes", "30 de julio de 2025", "hace 3 días", "anteayer",
    ],
    "it": [
        "5 minuti fa", "un'ora fa", "2 ore fa", "ieri", "ieri alle 17:30", "martedì",
        "30 luglio 2025", "3 giorni fa",
    ],
    "pt": [
        "há 5 minutos", "há 2 horas", "5 minutos atrás", "ontem", "ontem às 17:30",
        "terça-feira", "30 de julho de 2025", "há 3 dias",
    ],
    "nl": [
        "5 minuten geleden", "2 uur geleden", "gisteren", "gisteren om 17:30", "dinsdag",
        "30 juli 2025", "3 dagen geleden",
    ],
    "ja": ["3時間前", "5分前", "昨日", "昨日 17:30", "3日前", "火曜日", "2025年7月30日",
           "2025年7月30日 16:20", "1週間前"],
    "zh": ["3小时前", "5分钟前", "昨天", "3天前", "星期二", "2025年7月30日", "刚刚", "前天"],
    "ko": ["3시간 전", "5분 전", "어제", "3일 전", "화요일", "2025년 7월 30일"],
    "ru": ["2 часа назад", "5 минут назад", "час назад", "вчера", "вчера в 17:30",
           "3 дня назад", "вторник", "30 июля 2025"],
    "ar": ["منذ ساعتين", "منذ 5 دقائق", "منذ 3 ساعات", "أمس", "الثلاثاء", "منذ يومين",
           "30 يوليو 2025"],
}  # fmt: skip


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


FETCHES = [
    (at("2025-07-30T18:05:00.250+09:00"), "Asia/Tokyo"),
    (at("2025-07-30T08:35:00.180+00:00"), "UTC"),
    (at("2025-03-09T12:00:00.500-04:00"), "America/New_York"),  # spring change
    (at("2025-03-10T12:00:00-04:00"), "America/New_York"),
    (at("2025-11-02T12:00:00-05:00"), "America/New_York"),  # autumn change
    (at("2025-11-03T09:00:00-05:00"), "America/New_York"),
    (at("2025-03-30T12:00:00+02:00"), "Europe/Berlin"),  # spring change
    (at("2025-10-27T09:00:00+01:00"), "Europe/Berlin"),  # day after the autumn change
    (at("2025-03-01T00:00:30+01:00"), "Europe/Berlin"),  # first of a month
    (at("2026-01-01T00:10:00-05:00"), "America/New_York"),  # first of a year
    (at("2025-07-30T23:59:59.900+09:00"), "Asia/Tokyo"),  # a minute to midnight
    (at("2025-03-31T12:00:00+00:00"), "UTC"),  # month arithmetic from a 31st
]


@pytest.mark.parametrize(("language", "raw"), [(lang, raw) for lang, forms in FORMS.items()
                                               for raw in forms])  # fmt: skip
def test_both_paths_give_the_same_instant(language, raw):
    languages = (language,)
    reading, segments = fast.prepared(raw, languages)
    assert reading is not None, f"{raw!r} is not a fast-path form"
    both = 0
    for fetched, zone in FETCHES:
        anchor = Anchor(fetched, ZoneInfo(zone), ())
        ours = reading.window(anchor)
        theirs = next(
            (found for found in (fallback.read(s, anchor, languages) for s in segments) if found),
            None,
        )
        if theirs is None:
            continue
        both += 1
        assert ours is not None
        assert ours.value == theirs.value, (fetched, zone)
    assert both == len(FETCHES), "dateparser should read every form listed here"


@pytest.mark.parametrize(
    ("language", "raw", "fetched", "zone", "earliest", "latest"),
    [
        # dateparser reads a bare clock time on the first of a month in the wrong month
        # (here 31 January 2025, eleven months back); it is yesterday evening.
        ("en", "4:20 PM", "2026-01-01T00:10:00-05:00", "America/New_York",
         "2025-12-31T16:20:00-05:00", "2025-12-31T16:21:00-05:00"),
        ("en", "23:50", "2025-03-01T00:00:30+01:00", "Europe/Berlin",
         "2025-02-28T23:50:00+01:00", "2025-02-28T23:51:00+01:00"),
        # dateparser puts a yearless date equal to the fetch day a year back.
        ("en", "Aug 1", "2025-08-01T00:10:00+09:00", "Asia/Tokyo",
         "2025-08-01T00:00:00+09:00", "2025-08-02T00:00:00+09:00"),
        # dateparser drops the clock time after 어제 and keeps the base's time of day.
        ("ko", "어제 오후 5:30", "2025-07-30T18:05:00+09:00", "Asia/Tokyo",
         "2025-07-29T17:30:00+09:00", "2025-07-29T17:31:00+09:00"),
        # dateparser returns None for these.
        ("en", "half an hour ago", "2025-07-30T18:05:00+09:00", "Asia/Tokyo",
         "2025-07-30T17:05:00+09:00", "2025-07-30T17:35:00+09:00"),
        ("ar", "منذ ساعة", "2025-07-30T18:05:00+09:00", "Asia/Tokyo",
         "2025-07-30T16:05:00+09:00", "2025-07-30T17:05:00+09:00"),
        ("ja", "たった今", "2025-07-30T18:05:00+09:00", "Asia/Tokyo",
         "2025-07-30T18:04:00+09:00", "2025-07-30T18:05:00+09:00"),
    ],
)  # fmt: skip
def test_dateparser_traps_are_read_by_the_fast_path(language, raw, fetched, zone, earliest, latest):
    found = normalise(raw, at(fetched), tz=zone, languages=(language,))
    assert found is not None and found.method.startswith("fast:")
    assert (found.earliest, found.latest) == (at(earliest), at(latest))
