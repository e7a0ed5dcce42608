"""What a record's warcinfo says: the profile its pages are read with, and its run.

Our warcinfo records carry ``site-profile``, the whole site profile the crawl read pages
with (JSON); older ones ``crawl-setting-SITE_TIMEZONE``, ``-SITE_LANGUAGES`` (comma
separated) and ``-SITE_ZONE_NAMES`` (JSON). And ``isPartOf``: the run (folder name) that
wrote the file, by which the state store knows the run. A record is read with what the
warcinfo its ``WARC-Warcinfo-ID`` names records, else its file's latest warcinfo, else
(other tools' archives) with the project settings' profile and no run. A setting given on
the command line (``-s SITE_PROFILE=…``, ``-s SITE_TIMEZONE=…``) wins over what the
archive says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler.archive.middleware import CRAWL_SETTING_PREFIX, SITE_PROFILE_FIELD
from crawler.profiles import Profile, ProfileError
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


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a warcinfo says of its records: the profile to read them with, and their run."""

    profile: Profile
    run_id: str | None = None


class WarcinfoBook:
    """What every warcinfo read records, and which warcinfo each record names."""

    def __init__(self, settings: BaseSettings) -> None:
        self.default = Recorded(Profile.from_settings(settings))
        cmdline = SETTINGS_PRIORITIES["cmdline"]
        self._read_document = (settings.getpriority("SITE_PROFILE") or 0) < cmdline
        self._given = [
            field for field, name, _ in _FIELDS if (settings.getpriority(name) or 0) >= cmdline
        ]
        self._recorded = [
            (field, f"{CRAWL_SETTING_PREFIX}{name}", read)
            for field, name, read in _FIELDS
            if (settings.getpriority(name) or 0) < cmdline
        ]
        self._by_id: dict[str, Recorded] = {}
        self._current = self.default

    def new_file(self) -> None:
        """A new file: until its warcinfo, its records get the default profile and no run."""
        self._current = self.default

    def learn(self, warcinfo: Record) -> None:
        """Take what a warcinfo records; ValueError if its settings are bad (its records
        then get the default profile, and its run all the same)."""
        fields = warc_fields(warcinfo.block)
        run_id = fields.get("isPartOf") or None
        try:
            profile = self._profile(fields)
        except ValueError:
            self._take(warcinfo, Recorded(self.default.profile, run_id))
            raise
        self._take(warcinfo, Recorded(profile, run_id))

    def _profile(self, fields: dict[str, str]) -> Profile:
        document = fields.get(SITE_PROFILE_FIELD)
        if document and self._read_document:
            try:
                recorded = Profile.from_json(document)
            except (ProfileError, json.JSONDecodeError) as error:
                raise ValueError(f"bad {SITE_PROFILE_FIELD}: {error}") from None
            given = {field: getattr(self.default.profile, field) for field in self._given}
            return replace(recorded, **given)
        settings = {
            field: read(fields[name]) for field, name, read in self._recorded if fields.get(name)
        }
        return replace(self.default.profile, **settings)

    def _take(self, warcinfo: Record, recorded: Recorded) -> None:
        self._current = recorded
        record_id = warcinfo.get("warc-record-id")
        if record_id:
            self._by_id[record_id] = recorded

    def recorded(self, record: Record) -> Recorded:
        """What the warcinfo of ``record`` records."""
        return self._by_id.get(record.get("warc-warcinfo-id") or "", self._current)
