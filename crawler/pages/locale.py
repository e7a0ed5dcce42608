"""A page's own language and zone, for a site whose profile does not name them.

Zero-config must read "vor 9 Minuten" and "gestern, 17:30 Uhr" on a site nobody described.
The page says its language (``<html lang>``, ``Content-Language``, ``og:locale``; else its
script or its commonest words tell it), and its
machine-readable times say the offset its clock runs at (``2025-07-30T16:20:00+09:00``).
From these: the languages to read times in, and the zone calendar words are meant in (the
zone a language or region suggests, when its offset agrees with the page's times; else a
fixed offset; else UTC). A pure function of the page and its fetch instant, so a replay
reads the page the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from parsel import Selector

from crawler.profiles import Profile
from crawler.timestamps import check_site

#: The zone most of a language's news sites keep, where one zone dominates.
LANGUAGE_ZONES = {
    "ja": "Asia/Tokyo", "ko": "Asia/Seoul", "zh": "Asia/Shanghai", "de": "Europe/Berlin",
    "fr": "Europe/Paris", "it": "Europe/Rome", "nl": "Europe/Amsterdam", "es": "Europe/Madrid",
    "pt": "Europe/Lisbon", "pl": "Europe/Warsaw", "cs": "Europe/Prague", "sv": "Europe/Stockholm",
    "da": "Europe/Copenhagen", "nb": "Europe/Oslo", "fi": "Europe/Helsinki",
    "el": "Europe/Athens", "tr": "Europe/Istanbul", "ru": "Europe/Moscow", "uk": "Europe/Kyiv",
    "he": "Asia/Jerusalem", "th": "Asia/Bangkok", "vi": "Asia/Ho_Chi_Minh",
    "id": "Asia/Jakarta", "hi": "Asia/Kolkata",
}  # fmt: skip
#: A region's zone, where the region settles what the language leaves open.
REGION_ZONES = {
    "GB": "Europe/London", "IE": "Europe/Dublin", "IN": "Asia/Kolkata",
    "NZ": "Pacific/Auckland", "AT": "Europe/Vienna", "CH": "Europe/Zurich",
    "BE": "Europe/Brussels", "BR": "America/Sao_Paulo", "MX": "America/Mexico_City",
    "AR": "America/Argentina/Buenos_Aires", "CO": "America/Bogota", "CL": "America/Santiago",
    "TW": "Asia/Taipei", "HK": "Asia/Hong_Kong", "SG": "Asia/Singapore",
    "PH": "Asia/Manila", "ZA": "Africa/Johannesburg", "EG": "Africa/Cairo",
    "SA": "Asia/Riyadh", "AE": "Asia/Dubai",
}  # fmt: skip

_TAG = re.compile(r"([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{2}))?")
_OFFSET = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*([+-])(\d{2}):?(\d{2})$")
#: Where a page states its language, most specific first.
_LANGUAGE_PLACES = (
    "/html/@lang", "/html/@xml:lang", "//meta[@http-equiv='content-language']/@content",
    "//meta[@property='og:locale']/@content",
)  # fmt: skip
#: Where machine-readable times with an offset are.
_TIMES = "//time/@datetime | //meta/@content | //*/@data-timestamp"


def localised(profile: Profile, page: Selector | None, fetched_at: datetime) -> Profile:
    """``profile`` with the zone and languages it leaves unset taken from the page."""
    if profile.timezone and profile.languages:
        return profile
    if page is None:
        return replace(profile, timezone=profile.timezone or "UTC",
                       languages=profile.languages or ("en",))  # fmt: skip
    texts = page.xpath(_VISIBLE).getall()
    language, region = _locale(page, " ".join(texts)[:_SAMPLE])
    languages = profile.languages or _languages(language)
    # Zone names count where times are shown (short texts), not in a story's dateline.
    shown = " | ".join(text for text in texts if len(text.strip()) <= _SHORT)
    timezone = profile.timezone or _zone(language, region, page, shown, fetched_at)
    return replace(profile, timezone=timezone, languages=languages)


def _locale(page: Selector, text: str) -> tuple[str | None, str | None]:
    for place in _LANGUAGE_PLACES:
        value = page.xpath(place).get()
        match = _TAG.match(value.strip()) if value else None
        if match:
            return match[1].lower(), (match[2] or "").upper() or None
    return _guessed(text), None


#: The page's visible text, of which the first ``_SAMPLE`` characters are looked at.
_VISIBLE = "//body//text()[not(ancestor::script) and not(ancestor::style)]"
_SAMPLE = 20_000
#: The longest text a shown time with its zone ("Jul 29, 2025 9:04 PM EDT") sits in.
_SHORT = 40
#: Scripts that name their language, in the order they are tested (kana before Han).
_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")), ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")), ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")), ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
)  # fmt: skip
#: Common words of the Latin-script languages, the words of their shown times among them.
_WORDS = {
    "en": "the and of to in is for on with ago hours minutes yesterday by from",
    "fr": "le la les des du et une pour dans est au aux il y a hier heures minutes par sur",
    "de": "der die das und nicht mit vor ist den für von im auf gestern stunden minuten uhr",
    "es": "el los las del que y en hace una por con para ayer horas minutos se",
    "it": "il di che della del gli un per con fa ieri ore minuti alle sono",
    "pt": "o os do da dos das em que um uma para com há ontem horas minutos",
    "nl": "de het een van en niet op met voor geleden gisteren uur minuten",
}
_WORD_SETS = {code: frozenset(words.split()) for code, words in _WORDS.items()}
_TOKEN = re.compile(r"[^\W\d_]+")
#: Share of a script's characters in the text that settles the language.
_SCRIPT_SHARE = 0.05


def _guessed(text: str) -> str | None:
    """The language of a page that does not say it: its script, else the Latin-script
    language whose common words it uses most (English on a tie). None for no text."""
    letters = sum(char.isalpha() for char in text)
    if not letters:
        return None
    for code, script in _SCRIPTS:
        if len(script.findall(text)) >= _SCRIPT_SHARE * letters:
            return code
    tokens = [token.lower() for token in _TOKEN.findall(text)]
    counts = {code: sum(token in words for token in tokens) for code, words in _WORD_SETS.items()}
    best = max(counts, key=lambda code: (counts[code], code == "en"))
    return best if counts[best] else None


@cache
def _languages(language: str | None) -> tuple[str, ...]:
    """The page's language, then English (aggregators mix in English names and times)."""
    if not language or language == "en":
        return ("en",)
    try:
        check_site("UTC", (language,))
    except ValueError:
        return ("en",)
    return (language, "en")


def _zone(
    language: str | None, region: str | None, page: Selector, shown: str, fetched_at: datetime
) -> str:
    """The zone the page's own times are written in (a zone name shown beside them, else
    the one its region or language suggests) when that agrees with the offset of its
    machine-readable times; else that offset; else UTC."""
    suggested = (
        _shown_zone(shown) or REGION_ZONES.get(region or "") or LANGUAGE_ZONES.get(language or "")
    )
    offset = _offset(page)
    if offset is None:
        return suggested or "UTC"
    if suggested and ZoneInfo(suggested).utcoffset(fetched_at.replace(tzinfo=None)) == offset:
        return suggested
    hours, rest = divmod(offset, timedelta(hours=1))
    if rest or not offset:
        return suggested or "UTC"
    # IANA's Etc zones count the other way: Etc/GMT-9 is nine hours ahead of UTC.
    return f"Etc/GMT{-hours:+d}"


#: Zone names shown beside times ("4:20 PM EST") that say where a site is; ambiguous ones
#: (CST, IST, BST) are left out.
SHOWN_ZONES = {
    "EST": "America/New_York", "EDT": "America/New_York", "ET": "America/New_York",
    "CDT": "America/Chicago", "CT": "America/Chicago", "MST": "America/Denver",
    "MDT": "America/Denver", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "PT": "America/Los_Angeles", "JST": "Asia/Tokyo", "KST": "Asia/Seoul",
    "HKT": "Asia/Hong_Kong", "SGT": "Asia/Singapore", "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney", "CET": "Europe/Berlin", "CEST": "Europe/Berlin",
    "MEZ": "Europe/Berlin", "MESZ": "Europe/Berlin", "WET": "Europe/Lisbon",
    "EET": "Europe/Athens", "EEST": "Europe/Athens", "MSK": "Europe/Moscow",
}  # fmt: skip
_SHOWN_ZONE = re.compile(
    r"\d(?:\s?[ap]\.?m\.?)?\s?\(?(" + "|".join(sorted(SHOWN_ZONES, key=len, reverse=True))
    + r")\b", re.IGNORECASE
)


def _shown_zone(text: str) -> str | None:
    """The zone most of the page's shown times name ("16:20 JST", "4:20 PM (EDT)")."""
    names = Counter(match.upper() for match in _SHOWN_ZONE.findall(text))
    return SHOWN_ZONES[names.most_common(1)[0][0]] if names else None


def _offset(page: Selector) -> timedelta | None:
    """The offset most of the page's machine-readable times are written with, if any."""
    offsets: Counter[timedelta] = Counter()
    for value in page.xpath(_TIMES).getall():
        match = _OFFSET.search(value.strip())
        if match:
            sign = -1 if match[1] == "-" else 1
            offsets[sign * timedelta(hours=int(match[2]), minutes=int(match[3]))] += 1
    if not offsets:
        return None
    return offsets.most_common(1)[0][0]
