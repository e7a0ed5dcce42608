"""The state store: what every run under one archives root fetched and saw, in SQLite.

One file, ``<ARCHIVES_DIR>/state.sqlite`` (``STATE_FILE``), in WAL mode, shared by the runs
of that root one after another (the root's lock keeps them from overlapping), and by the
workers of a distributed run that write into that root at once. A killed
process leaves it consistent: writes are grouped into transactions committed every
``COMMIT_INTERVAL`` seconds (by the next write, or the crawl's timer in ``crawler.run``;
a commit per write would cost the crawl several percent), so a kill loses at most that
last moment's rows, never half of one; and a
response's row is written only after its WARC record has reached the OS, so a row never
points at a record that is not in the file. The WAL is copied into the file every
``CHECKPOINT_PAGES`` pages, so it stays small however long a crawl runs. The tables
(README "Scheduled runs" documents them for users):

- ``runs``: one row per run folder, in start order (``seq``), with how it ended.
- ``fetches``: every response archived: URL, fetch instant, status, payload digest, and
  where its WARC record is (``warc_file`` relative to the archives root).
- ``payloads``: the first complete 2xx record of each payload digest, which later
  identical payloads, in any run, are written as revisits of.
- ``pages``: per URL, its last processed fetch: what kind of page it was and the links it
  held. The incremental policy reads it.
- ``observations``: every time a page showed an article's time: the article, the page,
  the fetch instant, the raw text and its window (null when it could not be read).
- ``articles``: per article URL, its best title and source and when it was first and
  last shown.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from crawler.archive.revisits import ArchivedPayload
from crawler.layout import item_urls, items_files, run_items
from crawler.narrowing import Observation

SCHEMA_VERSION = 1
#: Seconds an open transaction may gather writes before it is committed.
COMMIT_INTERVAL = 0.5
#: Seconds a write waits for another process's to be committed.
SHARED_WAIT = 30.0
#: KiB of the store's pages a writer keeps in memory (SQLite's default: 2,000). A commit
#: changes hundreds of pages scattered over the indexes by URL; with less room they are
#: read back from the OS, and spilled into the WAL before their commit.
CACHE_KIB = 8_192
#: WAL pages after which a commit copies them into the database file, syncing both (a
#: checkpoint). A crawl's commit writes a few hundred pages: at SQLite's default, 1,000,
#: every few commits would checkpoint. The WAL stays under this many (16 MB) and one
#: commit's.
CHECKPOINT_PAGES = 4_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    started TEXT NOT NULL,
    finished TEXT,
    finish_reason TEXT
);
CREATE TABLE IF NOT EXISTS fetches (
    id INTEGER PRIMARY KEY,
    run_seq INTEGER NOT NULL REFERENCES runs (seq),
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    status INTEGER NOT NULL,
    payload_digest TEXT,
    record_type TEXT,
    record_id TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_length INTEGER
);
CREATE INDEX IF NOT EXISTS fetches_by_record ON fetches (record_id);
CREATE INDEX IF NOT EXISTS fetches_by_run ON fetches (run_seq);
CREATE TABLE IF NOT EXISTS payloads (
    digest TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    target_uri TEXT NOT NULL,
    date TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    status INTEGER NOT NULL,
    run_seq INTEGER NOT NULL,
    links TEXT NOT NULL
);
-- Its UNIQUE index, article first, also finds an article's observations.
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY,
    run_seq INTEGER NOT NULL,
    article_url TEXT NOT NULL,
    page_url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    raw TEXT NOT NULL,
    earliest TEXT,
    latest TEXT,
    value TEXT,
    UNIQUE (article_url, page_url, fetched_at, raw)
);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    title TEXT,
    source TEXT,
    from_article INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
-- Indexes that earlier versions made and no query uses: each cost every write a page.
DROP INDEX IF EXISTS fetches_by_url;
DROP INDEX IF EXISTS observations_by_article;
"""

#: The page kinds ``pages.kind`` holds: what the page's items said it was.
LISTING, ARTICLE, OTHER = "listing", "article", "other"


class StateError(RuntimeError):
    """The state file cannot be used (not SQLite, or written by a newer version)."""


@dataclass(frozen=True, slots=True)
class Fetch:
    """One archived response, as ``fetches`` keeps it."""

    run_seq: int
    url: str
    fetched_at: str
    status: int
    payload_digest: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None


@dataclass(frozen=True, slots=True)
class PageState:
    """A URL's last processed fetch: the incremental policy's memory of it."""

    url: str
    kind: str
    fetched_at: str
    status: int
    run_seq: int
    links: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Sighting:
    """One time a page showed an article's time (``window`` None: it could not be read)."""

    article_url: str
    page_url: str
    fetched_at: str
    raw: str
    window: tuple[str, str, str] | None  # earliest, latest, value: ISO 8601 UTC


@dataclass(frozen=True, slots=True)
class ArticleSeen:
    """A page named an article: its own page (``from_article``) or a card."""

    url: str
    title: str | None
    source: str | None
    from_article: bool
    seen_at: str


@dataclass(frozen=True, slots=True)
class ArticleRow:
    url: str
    title: str | None
    source: str | None
    first_seen: str
    last_seen: str


@dataclass(frozen=True, slots=True)
class RecordPlace:
    """Where a WARC record is: ``warc_file`` relative to the archives root."""

    warc_file: str
    offset: int
    length: int


def speakers(item: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(article URL, the dict that speaks of it, whether it is the article's own page)."""
    if item.get("type") == "article":
        yield item["url"], item, True
    for card in item.get("cards") or item.get("related") or ():
        yield card["url"], card, False


def item_sightings(item: dict[str, Any]) -> list[Sighting]:
    """Every time ``item`` shows, as a sighting of the article it dates."""
    found = []
    for url, target, _ in speakers(item):
        published = target.get("published")
        if published is None:
            continue
        window = None
        if published["earliest"] is not None:
            window = (published["earliest"], published["latest"], published["value"])
        found.append(Sighting(url, item["url"], item["fetched_at"], published["raw"], window))
    return found


def item_articles(item: dict[str, Any]) -> list[ArticleSeen]:
    """The articles ``item`` names, with the title and source it gives them."""
    return [
        ArticleSeen(url, target.get("title"), target.get("source"), own, item["fetched_at"])
        for url, target, own in speakers(item)
    ]


class StateStore:
    """The SQLite state of one archives root (module docstring: the tables)."""

    def __init__(self, path: Path, *, readonly: bool = False, shared: bool = False) -> None:
        """``shared``: the workers of a distributed run write the store at once, so each
        write is committed at once (no worker holds the write lock while it gathers) and a
        write waits up to ``SHARED_WAIT`` seconds for another's."""
        self.path = path
        self.commit_interval = 0.0 if shared else COMMIT_INTERVAL
        self._since: float | None = None  # when the open transaction began
        self._holding = False  # inside _transaction: writes wait for its commit
        try:
            if readonly:
                self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path, isolation_level=None, timeout=SHARED_WAIT)
                self.db.execute("PRAGMA journal_mode=WAL")
                # WAL with NORMAL survives a killed process intact; only a power cut can
                # drop the last transactions, never corrupt the file.
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
                self.db.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
                self.db.executescript(SCHEMA)
                self.db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            version = self.db.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{path} is not a usable state store: {exc}") from exc
        if version is None or int(version[0]) > SCHEMA_VERSION:
            raise StateError(f"{path} has schema version {version}, newer than this crawler's")

    def close(self) -> None:
        self.commit()
        self.db.close()

    def commit(self) -> None:
        """Commit the writes gathered so far."""
        if self._since is not None:
            self.db.execute("COMMIT")
            self._since = None

    def _write(self, sql: str, params: Iterable) -> None:
        self._gather()
        self.db.execute(sql, params)
        self._commit_due()

    def _gather(self) -> None:
        """Make the next writes join the open transaction (committed together, or not at
        all), opening one unless ``_transaction`` holds its own. A plain method, not a
        context manager: every write calls it."""
        if self._since is None and not self._holding:
            self.db.execute("BEGIN")
            self._since = time.monotonic()

    def _commit_due(self) -> None:
        """Commit the open transaction once it has gathered writes ``commit_interval``."""
        if self._since is not None and time.monotonic() - self._since >= self.commit_interval:
            self.commit()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Writes committed together, at once."""
        self.commit()
        self.db.execute("BEGIN")
        self._holding = True
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._holding = False

    # --- runs --------------------------------------------------------------------------

    def begin_run(self, run_id: str, started: str) -> int:
        """Register a run (or reopen one being resumed) and return its ``seq``."""
        with self._transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO runs (run_id, started) VALUES (?, ?)", (run_id, started)
            )
            self.db.execute(
                "UPDATE runs SET finished = NULL, finish_reason = NULL WHERE run_id = ?",
                (run_id,),
            )
        return self.run_seq(run_id)  # type: ignore[return-value]

    def finish_run(self, seq: int, finished: str, reason: str) -> None:
        self.commit()
        self.db.execute(
            "UPDATE runs SET finished = ?, finish_reason = ? WHERE seq = ?",
            (finished, reason, seq),
        )

    def run_started(self, seq: int) -> datetime:
        """When the run first started (a resumed run keeps its first start)."""
        (started,) = self.db.execute("SELECT started FROM runs WHERE seq = ?", (seq,)).fetchone()
        return datetime.fromisoformat(started)

    def run_seq(self, run_id: str) -> int | None:
        row = self.db.execute("SELECT seq FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return row[0] if row else None

    def recover(self, root: Path, recovered_at: str) -> list[str]:
        """Mark runs that never finished as killed, and make their rows agree with their
        files: drop any row that points past the end of its WARC file (cut back to its
        last complete record), and any payload whose record has no fetch row; forget
        their article and listing pages whose item never reached ``items.jsonl``, so the
        next run fetches those again; and record again the sightings of every item that
        did (a kill may have cut the last commit), so later windows stay inside the ones
        those items carry."""
        reports = []
        unfinished = self.db.execute(
            "SELECT seq, run_id FROM runs WHERE finished IS NULL ORDER BY seq"
        ).fetchall()
        for seq, run_id in unfinished:
            with self._transaction():
                dropped = self._drop_beyond_files(root, seq)
                dropped += self._forget_pages_without_items(root / run_id, seq)
                for item in run_items(root / run_id):
                    try:
                        self.record_item(seq, item)
                    except (KeyError, TypeError, AttributeError):
                        continue  # not an item this crawler wrote; the audit said so then
                dropped += self._drop_payloads_without_fetch()
                self.db.execute(
                    "UPDATE runs SET finished = ?, finish_reason = 'killed' WHERE seq = ?",
                    (recovered_at, seq),
                )
            note = f"; dropped {dropped} rows it never finished" if dropped else ""
            reports.append(f"{self.path}: run {run_id} was killed; marked so{note}")
        return reports

    def _forget_pages_without_items(self, folder: Path, seq: int) -> int:
        written = {url for path in items_files(folder) for url in item_urls(path)}
        pages = self.db.execute(
            "SELECT url FROM pages WHERE run_seq = ? AND kind != ?", (seq, OTHER)
        ).fetchall()
        lost = [(url,) for (url,) in pages if url not in written]
        self.db.executemany("DELETE FROM pages WHERE url = ?", lost)
        return len(lost)

    def _drop_payloads_without_fetch(self) -> int:
        """A payload whose record has no fetch row (the kill cut the commit between the
        two) could not be found by a replay: later runs archive that payload again."""
        return self.db.execute(
            "DELETE FROM payloads WHERE NOT EXISTS"
            " (SELECT 1 FROM fetches WHERE fetches.record_id = payloads.record_id)"
        ).rowcount

    def _drop_beyond_files(self, root: Path, seq: int) -> int:
        dropped = 0
        files = self.db.execute(
            "SELECT DISTINCT warc_file FROM fetches WHERE run_seq = ? AND warc_file IS NOT NULL",
            (seq,),
        ).fetchall()
        for (name,) in files:
            path = root / name
            size = path.stat().st_size if path.exists() else 0
            gone = self.db.execute(
                "SELECT record_id FROM fetches WHERE run_seq = ? AND warc_file = ?"
                " AND warc_offset + warc_length > ?",
                (seq, name, size),
            ).fetchall()
            for (record_id,) in gone:
                self.db.execute("DELETE FROM payloads WHERE record_id = ?", (record_id,))
                self.db.execute("DELETE FROM fetches WHERE record_id = ?", (record_id,))
            dropped += len(gone)
        return dropped

    # --- fetches and payloads ----------------------------------------------------------

    def add_fetch(self, fetch: Fetch) -> None:
        self._write(
            "INSERT INTO fetches (run_seq, url, fetched_at, status, payload_digest,"
            " record_type, record_id, warc_file, warc_offset, warc_length)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                fetch.run_seq,
                fetch.url,
                fetch.fetched_at,
                fetch.status,
                fetch.payload_digest,
                fetch.record_type,
                fetch.record_id,
                fetch.warc_file,
                fetch.warc_offset,
                fetch.warc_length,
            ),
        )

    def fetches(self, run_seq: int | None = None) -> list[Fetch]:
        """Every fetch, in the order written (of one run when ``run_seq`` is given)."""
        query = (
            "SELECT run_seq, url, fetched_at, status, payload_digest, record_type,"
            " record_id, warc_file, warc_offset, warc_length FROM fetches"
        )
        rows = (
            self.db.execute(query + " WHERE run_seq = ? ORDER BY id", (run_seq,))
            if run_seq is not None
            else self.db.execute(query + " ORDER BY id")
        )
        return [Fetch(*row) for row in rows]

    def record_place(self, record_id: str) -> RecordPlace | None:
        """Where the record with this ``WARC-Record-ID`` is, if a run of this root wrote it."""
        row = self.db.execute(
            "SELECT warc_file, warc_offset, warc_length FROM fetches"
            " WHERE record_id = ? AND warc_file IS NOT NULL",
            (record_id,),
        ).fetchone()
        return RecordPlace(*row) if row else None

    def payload(self, digest: str) -> ArchivedPayload | None:
        row = self.db.execute(
            "SELECT record_id, target_uri, date FROM payloads WHERE digest = ?", (digest,)
        ).fetchone()
        return ArchivedPayload(*row) if row else None

    def add_payload(self, digest: str, payload: ArchivedPayload) -> None:
        self._write(
            "INSERT OR IGNORE INTO payloads VALUES (?, ?, ?, ?)",
            (digest, payload.record_id, payload.target_uri, payload.date),
        )

    # --- pages -------------------------------------------------------------------------

    def page(self, url: str, *, not_run: int | None = None) -> PageState | None:
        """The URL's last processed fetch; None too when run ``not_run`` made it (the
        incremental policy asks about every link, most of them pages of the run itself,
        whose links it does not need)."""
        row = self.db.execute(
            "SELECT url, kind, fetched_at, status, run_seq, links FROM pages"
            " WHERE url = ? AND run_seq IS NOT ?",
            (url, not_run),
        ).fetchone()
        if row is None:
            return None
        return PageState(*row[:5], [tuple(link) for link in json.loads(row[5])])

    def save_page(self, page: PageState) -> None:
        # Updated in place: a REPLACE would move the row, rewriting its index entry too.
        self._write(
            "INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET"
            " kind = excluded.kind, fetched_at = excluded.fetched_at,"
            " status = excluded.status, run_seq = excluded.run_seq, links = excluded.links",
            (
                page.url,
                page.kind,
                page.fetched_at,
                page.status,
                page.run_seq,
                json.dumps(page.links, separators=(",", ":")),
            ),
        )

    # --- observations and articles -----------------------------------------------------

    def record_page(
        self, run_seq: int, sightings: Iterable[Sighting], seen: Iterable[ArticleSeen]
    ) -> None:
        """Record what one page showed, in one transaction: its sightings (a repeat is kept
        once) and the articles it named. An article page's own title and source win over
        a card's; the latest wins among equals."""
        self._gather()
        self.db.executemany(
            "INSERT OR IGNORE INTO observations (run_seq, article_url, page_url,"
            " fetched_at, raw, earliest, latest, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_seq,
                    s.article_url,
                    s.page_url,
                    s.fetched_at,
                    s.raw,
                    *(s.window or (None, None, None)),
                )
                for s in sightings
            ],
        )
        self.db.executemany(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET"
            " title = CASE WHEN excluded.from_article >= from_article"
            "   AND excluded.last_seen >= last_seen AND excluded.title IS NOT NULL"
            "   THEN excluded.title ELSE title END,"
            " source = CASE WHEN excluded.from_article >= from_article"
            "   AND excluded.last_seen >= last_seen AND excluded.source IS NOT NULL"
            "   THEN excluded.source ELSE source END,"
            " from_article = max(from_article, excluded.from_article),"
            " first_seen = min(first_seen, excluded.first_seen),"
            " last_seen = max(last_seen, excluded.last_seen)",
            [(a.url, a.title, a.source, int(a.from_article), a.seen_at, a.seen_at) for a in seen],
        )
        self._commit_due()

    def record_item(self, run_seq: int, item: dict[str, Any]) -> None:
        """Record what an item showed: its sightings and the articles it named."""
        self.record_page(run_seq, item_sightings(item), item_articles(item))

    def observations(self, article_url: str, before_run: int | None = None) -> list[Observation]:
        """The readable observations of an article (only runs before ``before_run``)."""
        query = (
            "SELECT earliest, latest, value, page_url, fetched_at, raw FROM observations"
            " WHERE article_url = ? AND earliest IS NOT NULL"
        )
        rows = (
            self.db.execute(query + " AND run_seq < ?", (article_url, before_run))
            if before_run is not None
            else self.db.execute(query, (article_url,))
        )
        return [_observation(row) for row in rows]

    def observation_counts(self, article_url: str) -> int:
        """How many times any page showed this article's time, read or not."""
        return self.db.execute(
            "SELECT count(*) FROM observations WHERE article_url = ?", (article_url,)
        ).fetchone()[0]

    def articles(self) -> Iterator[ArticleRow]:
        """Every article any run saw, by URL."""
        for row in self.db.execute(
            "SELECT url, title, source, first_seen, last_seen FROM articles ORDER BY url"
        ):
            yield ArticleRow(*row)

    # --- the articles export (scrapy articles) -----------------------------------------

    def article_sightings(self) -> Iterator[tuple[ArticleRow, list[Observation], int]]:
        """Every article any run saw, by URL, with its readable observations and how many
        sightings it has, read or not. One statement reads them all, so the export is one
        state of the store even while a crawl writes it."""
        rows = self.db.execute(
            "SELECT a.url, a.title, a.source, a.first_seen, a.last_seen, o.earliest,"
            " o.latest, o.value, o.page_url, o.fetched_at, o.raw, o.id IS NOT NULL"
            " FROM articles a LEFT JOIN observations o ON o.article_url = a.url"
            " ORDER BY a.url, o.id"
        )
        for _, group in groupby(rows, key=lambda row: row[0]):
            sightings = list(group)
            readable = [_observation(row[5:11]) for row in sightings if row[5] is not None]
            yield ArticleRow(*sightings[0][:5]), readable, sum(row[11] for row in sightings)


def _observation(row: tuple) -> Observation:
    earliest, latest, value, page_url, fetched_at, raw = row
    return Observation(
        datetime.fromisoformat(earliest),
        datetime.fromisoformat(latest),
        datetime.fromisoformat(value),
        page_url,
        datetime.fromisoformat(fetched_at),
        raw,
    )
