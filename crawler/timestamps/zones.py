"""Zone names written in the text ("JST", "(EDT)", "UTC+9", "+05:30") and what they mean.

An abbreviation is read by the first of three rules that knows it:

1. the caller's ``zones`` mapping (per site), e.g. ``{"IST": "Asia/Jerusalem"}``;
2. the site's own zone, if it uses that name in the fetch year (UTC): on a site in
   ``Asia/Shanghai`` "CST" is China Standard Time, in ``America/Chicago`` it is -06:00;
3. ``DEFAULT_ZONES``, which gives the ambiguous names their most common reading on news
   sites (see the comments there).

A meaning is either a fixed offset ("+09:00"), used for the names of one offset, or an
IANA zone for the generic names ("ET", "PT"), whose offset follows that zone's daylight
saving time on the date in question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

#: What a zone name in the text means when neither the site nor the caller says otherwise.
DEFAULT_ZONES: Mapping[str, str] = MappingProxyType({
    "utc": "+00:00", "gmt": "+00:00", "ut": "+00:00", "z": "+00:00",
    "wet": "+00:00", "west": "+01:00", "cet": "+01:00", "cest": "+02:00",
    "met": "+01:00", "mest": "+02:00", "mez": "+01:00", "mesz": "+02:00",
    "eet": "+02:00", "eest": "+03:00", "msk": "+03:00", "trt": "+03:00",
    "sast": "+02:00", "cat": "+02:00", "eat": "+03:00", "wat": "+01:00",
    "pkt": "+05:00", "npt": "+05:45", "ict": "+07:00", "wib": "+07:00", "wita": "+08:00",
    "wit": "+09:00", "hkt": "+08:00", "sgt": "+08:00", "pht": "+08:00", "myt": "+08:00",
    "awst": "+08:00", "jst": "+09:00", "kst": "+09:00", "acst": "+09:30", "acdt": "+10:30",
    "aest": "+10:00", "aedt": "+11:00", "nzst": "+12:00", "nzdt": "+13:00",
    "est": "-05:00", "edt": "-04:00", "mst": "-07:00", "mdt": "-06:00", "pdt": "-07:00",
    "akst": "-09:00", "akdt": "-08:00", "hst": "-10:00", "nst": "-03:30", "ndt": "-02:30",
    "brt": "-03:00", "art": "-03:00",
    # Generic names: the wall time in that zone, standard or daylight as the date has it
    # (dateparser fixes them at their winter offsets).
    "et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver",
    "pt": "America/Los_Angeles",
    # Ambiguous names, with their other readings (dateparser reads IST as Israel's).
    "ist": "+05:30",  # India; also Israel +02:00, Ireland (summer) +01:00
    "cst": "-06:00",  # US Central; also China +08:00, Cuba -05:00
    "cdt": "-05:00",  # US Central; also Cuba -04:00
    "pst": "-08:00",  # US Pacific; also Philippines +08:00
    "ast": "-04:00",  # Atlantic; also Arabia +03:00
    "adt": "-03:00",  # Atlantic; also Arabia +04:00
    "bst": "+01:00",  # British Summer; also Bangladesh +06:00
    "gst": "+04:00",  # Gulf; also South Georgia -02:00
    "sst": "-11:00",  # Samoa; also Singapore +08:00
})  # fmt: skip

_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+\-\u2212])\s*(\d{1,2})(?::?(\d{2}))?")


@lru_cache(maxsize=256)
def parse_zone(spec: str) -> tzinfo:
    """A zone meaning: "+05:30", "UTC+9" or "-0400" as a fixed offset, else an IANA name."""
    match = _OFFSET.fullmatch(spec.strip().lower())
    if match is None:
        return ZoneInfo(spec)
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return timezone(-offset if sign in "-\u2212" else offset)


@lru_cache(maxsize=32)
def overrides(given: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The caller's ``zones`` pairs, lower-cased and checked once: unknown zones raise."""
    try:
        for _, spec in given:
            parse_zone(spec)
    except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown zone in {dict(given)!r}") from exc
    return tuple((name.lower(), spec) for name, spec in given)


@lru_cache(maxsize=256)
def _own_names(site: ZoneInfo, year: int) -> Mapping[str, timedelta]:
    """The abbreviations the site's zone uses in ``year``, with their offsets."""
    names = {}
    for month in (1, 7):
        moment = datetime(year, month, 1, 12, tzinfo=site)
        names[(moment.tzname() or "").lower()] = moment.utcoffset()
    return names


@lru_cache(maxsize=1024)
def resolve(
    token: str, site: ZoneInfo, year: int, given: tuple[tuple[str, str], ...]
) -> tzinfo | None:
    """The zone a token from the text names, by the rules above; None if unknown.

    ``year`` is the fetch's (UTC); ``given`` the pairs ``overrides`` returned.
    """
    token = token.strip("() ")
    if _OFFSET.fullmatch(token):
        return parse_zone(token)
    for name, spec in given:
        if name == token:
            return parse_zone(spec)
    own = _own_names(site, year).get(token)
    if own is not None:
        return timezone(own)
    spec = DEFAULT_ZONES.get(token)
    return None if spec is None else parse_zone(spec)
