"""What a record's warcinfo says: the profile its pages are read with, its run, and the
crawl's size limits.

Our warcinfo records carry ``site-profile``, the whole site profile the crawl read pages
with (JSON); older ones ``crawl-setting-SITE_TIMEZONE``, ``-SITE_LANGUAGES`` (comma
separated) and ``-SITE_ZONE_NAMES`` (JSON). And ``isPartOf``: the run (folder name) that
wrote the file, by which the state store knows the run. And the limits the crawl read
pages under, ``crawl-setting-DOWNLOAD_MAXSIZE`` and ``-EXTRACTION_MAX_SIZE``, so a replay
leaves unread what the crawl left unread. A record is read with what the
warcinfo its ``WARC-Warcinfo-ID`` names records, else its file's latest warcinfo, else
(other tools' archives) with the project settings' profile and no run. A setting given on
the command line (``-s SITE_PROFILE=…``, ``-s SITE_TIMEZONE=…``) wins over what the
archive says (``-s EXTRACTION_MAX_SIZE=…`` too).
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


#: Limit field, the setting that names it, and how a setting's value is kept.
_LIMITS = (
    ("download_max", "DOWNLOAD_MAXSIZE", int),
    ("extract_max", "EXTRACTION_MAX_SIZE", lambda size: int(size) or None),
)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a warcinfo says of its records: the profile to read them with, their run, and
    the crawl's limits: ``download_max``, bytes a body may inflate to (0: no limit), and
    ``extract_max``, bytes of an HTML page that is still parsed (None: no limit)."""

    profile: Profile
    run_id: str | None = None
    download_max: int = 0
    extract_max: int | None = None


class WarcinfoBook:
    """What every warcinfo read records, and which warcinfo each record names."""

    def __init__(self, settings: BaseSettings) -> None:
        cmdline = SETTINGS_PRIORITIES["cmdline"]
        self.default = Recorded(
            Profile.from_settings(settings),
            **{field: keep(settings.getint(name)) for field, name, keep in _LIMITS},
        )
        self._recorded_limits = [
            (field, f"{CRAWL_SETTING_PREFIX}{name}", keep)
            for field, name, keep in _LIMITS
            if (settings.getpriority(name) or 0) < cmdline
        ]
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
            recorded = replace(self._limits(fields), profile=self._profile(fields), run_id=run_id)
        except ValueError:
            self._take(warcinfo, replace(self.default, run_id=run_id))
            raise
        self._take(warcinfo, recorded)

    def _limits(self, fields: dict[str, str]) -> Recorded:
        try:
            limits = {
                field: keep(int(fields[name]))
                for field, name, keep in self._recorded_limits
                if fields.get(name)
            }
        except ValueError:
            raise ValueError(f"a size limit is not a whole number: {fields}") from None
        return replace(self.default, **limits)

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
