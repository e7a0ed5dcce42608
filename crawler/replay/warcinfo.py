"""Which profile reads a record's pages: the one its crawl used, as its warcinfo recorded.

Our warcinfo records carry ``crawl-setting-SITE_TIMEZONE``, ``-SITE_LANGUAGES`` (comma
separated) and ``-SITE_ZONE_NAMES`` (JSON). A record is read with the profile of the
warcinfo its ``WARC-Warcinfo-ID`` names, else of its file's latest warcinfo, else (other
tools' archives) with the project settings' profile. A setting given on the command line
(``-s SITE_TIMEZONE=…``) wins over what the archive says.
"""

from __future__ import annotations

import json
from dataclasses import replace

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler.archive.middleware import CRAWL_SETTING_PREFIX
from crawler.profiles import Profile
from crawler.replay.reader import Record


def warc_fields(block: bytes) -> dict[str, str]:
    """An ``application/warc-fields`` block as a mapping (the first of repeated names)."""
    fields: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip():
            fields.setdefault(name.strip(), value.strip())
    return fields


def _languages(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _zone_names(text: str) -> tuple[tuple[str, str], ...]:
    names = json.loads(text)
    if not isinstance(names, dict):
        raise ValueError(f"SITE_ZONE_NAMES is not a mapping: {text!r}")
    return tuple(sorted(names.items()))


#: Profile field, the setting that names it, and how warcinfo text is read back.
_FIELDS = (
    ("timezone", "SITE_TIMEZONE", str),
    ("languages", "SITE_LANGUAGES", _languages),
    ("zone_names", "SITE_ZONE_NAMES", _zone_names),
)


class ProfileBook:
    """The profile of every warcinfo read, and of the records that name it."""

    def __init__(self, settings: BaseSettings) -> None:
        self.default = Profile.from_settings(settings)
        cmdline = SETTINGS_PRIORITIES["cmdline"]
        self._recorded = [
            (field, f"{CRAWL_SETTING_PREFIX}{name}", read)
            for field, name, read in _FIELDS
            if (settings.getpriority(name) or 0) < cmdline
        ]
        self._by_id: dict[str, Profile] = {}
        self._current = self.default

    def new_file(self) -> None:
        """A new file: until its warcinfo, its records get the default profile."""
        self._current = self.default

    def learn(self, warcinfo: Record) -> None:
        """Take the profile a warcinfo records; ValueError (and the default) if it is bad."""
        self._current = self.default
        fields = warc_fields(warcinfo.block)
        recorded = {
            field: read(fields[name]) for field, name, read in self._recorded if fields.get(name)
        }
        profile = replace(self.default, **recorded)
        self._current = profile
        record_id = warcinfo.get("warc-record-id")
        if record_id:
            self._by_id[record_id] = profile

    def profile(self, record: Record) -> Profile:
        """The profile ``record``'s page is read with."""
        return self._by_id.get(record.get("warc-warcinfo-id") or "", self._current)
