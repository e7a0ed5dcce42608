"""A crawl frontier that survives ``kill -9``: resuming a ``JOBDIR`` run loses no page.

Scrapy's own ``JOBDIR`` persistence does not survive a killed process: the disk queues
write their head and tail only when closed, ``requests.seen`` is a buffered file, and a
request popped from the disk queue for download is gone from it. So with ``JOBDIR`` set,
``JournaledScheduler`` keeps its queues in memory, and its duplicate filter too, and
journals every request it admits, before queueing it, in ``<JOBDIR>/frontier.sqlite``
(SQLite, WAL, one autocommitted statement per change)::

    meta(key TEXT PRIMARY KEY, value TEXT)      -- 'run': the run folder it belongs to
    requests(
        fingerprint TEXT PRIMARY KEY,   -- crawler.request_fingerprinter, hex
        url TEXT NOT NULL,
        request BLOB NOT NULL,          -- pickle of request.to_dict(spider=spider)
        done INTEGER NOT NULL DEFAULT 0 -- 1: its response was processed to the end
    )

A request is done once every request its page yielded went through the scheduler (and
so is journaled). For a page that yields no item, ``FrontierDoneMiddleware`` has the
scheduler mark it when the page's last request arrives: not when the callback's output
runs out, since Scrapy's scraper may read a whole output before scheduling any of it. A
page with an item is done once the item's line is in the run's ``items.jsonl``; the
spider yields its links before its item, so that line is the evidence, read when the run
resumes.

A run resumed into the same run folder (``crawler.run``, ``<JOBDIR>/run-folder``) seeds
the duplicate filter with every journaled fingerprint and queues again each journaled
request that is neither done nor has an item line: pages in flight, queued, or whose
item a pipeline was still processing when the process died. Requests that failed
(download errors, robots.txt, HTTP errors) are never done, nor is the first request of a
redirect (its 3xx goes to no callback): a resumed run tries them again.
A new run, or a journal of another run, starts from an empty journal; a run that
finishes empties it.

Without ``JOBDIR``, ``JournaledScheduler.from_crawler`` returns Scrapy's own ``Scheduler``.
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast
from weakref import WeakKeyDictionary

from scrapy import Request, Spider, signals
from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object
from scrapy.utils.request import request_from_dict
from twisted.internet.defer import Deferred

from crawler.layout import ITEMS_FILE, item_urls
from crawler.run import RESUME_FILE, run_folder
from crawler.state.whole_output import WholeOutputMiddleware

logger = logging.getLogger(__name__)

#: In ``JOBDIR``: the journal of the frontier.
FRONTIER_FILE = "frontier.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    fingerprint TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    request BLOB NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
"""


class FrontierJournal:
    """The SQLite journal of one ``JOBDIR`` (module docstring: the tables)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        # A killed process loses nothing committed; only a power cut can drop the last
        # transactions, never corrupt the file.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def run(self) -> str | None:
        """The run folder the journal belongs to."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'run'").fetchone()
        return row[0] if row else None

    def reset(self, run: str | None) -> None:
        """Empty the journal, for ``run`` (None: for no run)."""
        with self.db:
            self.db.execute("DELETE FROM requests")
            self.db.execute("DELETE FROM meta WHERE key = 'run'")
            if run is not None:
                self.db.execute("INSERT INTO meta VALUES ('run', ?)", (run,))

    def add(self, fingerprint: str, url: str, request: bytes) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO requests (fingerprint, url, request) VALUES (?, ?, ?)",
            (fingerprint, url, request),
        )

    def mark_done(self, fingerprint: str) -> None:
        self.db.execute("UPDATE requests SET done = 1 WHERE fingerprint = ?", (fingerprint,))

    def rows(self) -> Iterator[tuple[str, str, bytes, bool]]:
        """Every journaled request: fingerprint, URL, pickled dict, done; in journal order."""
        query = "SELECT fingerprint, url, request, done FROM requests ORDER BY rowid"
        for fingerprint, url, blob, done in self.db.execute(query):
            yield fingerprint, url, blob, bool(done)

    def close(self) -> None:
        self.db.close()


class _MemoryDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, remembering in memory only: the journal is its record."""

    def seed(self, fingerprints: Iterable[bytes]) -> None:
        self._fingerprints.update(fingerprints)


class CompletesPages:
    """A scheduler that is told when a page has been processed (``FrontierDoneMiddleware``).

    A page that yielded no item is done once the last request it yielded has been through
    the scheduler (at once when it yielded none): the scraper schedules a page's requests
    in the order yielded, each at once. ``enqueue_request`` asks ``completed_by`` which
    pages the request it admits completes.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Requests whose arrival here completes pages: those pages' requests.
        self._completes: WeakKeyDictionary[Request, list[Request]] = WeakKeyDictionary()

    @classmethod
    def tracks_pages(cls, settings: BaseSettings) -> bool:
        """Whether the scheduler these settings build is one to tell."""
        return True

    def page_processed(self, request: Request, last: Request | None) -> None:
        if last is None:
            self.page_done(request)
        else:
            self._completes.setdefault(last, []).append(request)

    def completed_by(self, request: Request) -> list[Request]:
        """The pages whose last request ``request`` is."""
        return self._completes.pop(request, [])

    def admit(self, requests: list[Request]) -> None:
        """A page's requests, all at once, before the engine hands them over one by one: a
        scheduler that can admit them together faster does so here."""

    def page_done(self, request: Request) -> None:
        """``request``'s page has been processed to the end."""
        raise NotImplementedError


class JournaledScheduler(CompletesPages, Scheduler):
    """With ``JOBDIR``: memory queues, and the frontier journal (module docstring)."""

    def __init__(self, crawler: Crawler, jobdir: Path) -> None:
        settings = crawler.settings
        super().__init__(
            dupefilter=_MemoryDupeFilter(
                debug=settings.getbool("DUPEFILTER_DEBUG"),
                fingerprinter=crawler.request_fingerprinter,
            ),
            jobdir=None,  # no Scrapy disk queue: it does not survive a kill
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
        self.fingerprinter = crawler.request_fingerprinter
        self.jobdir = jobdir
        self.journal = FrontierJournal(jobdir / FRONTIER_FILE)

    @classmethod
    def tracks_pages(cls, settings: BaseSettings) -> bool:
        return bool(settings.get("JOBDIR"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Scheduler:
        """A ``JournaledScheduler`` with ``JOBDIR``; without, Scrapy's own ``Scheduler``."""
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            return Scheduler.from_crawler(crawler)
        scheduler = cls(crawler, Path(jobdir))
        crawler.signals.connect(scheduler.spider_closed, signal=signals.spider_closed)
        return scheduler

    def open(self, spider: Spider) -> Deferred[None] | None:
        opened = super().open(spider)
        self._open_journal(spider)
        return opened

    def _open_journal(self, spider: Spider) -> None:
        """Queue again what the killed run left undone; or start an empty journal."""
        assert self.crawler is not None and self.stats is not None
        run = run_folder(self.crawler)
        if run.resumed is None or self.journal.run() != run.id:
            self.journal.reset(run.id)
            return
        written = item_urls(run.path / ITEMS_FILE)
        seen, requeued = [], 0
        for fingerprint, url, blob, done in self.journal.rows():
            seen.append(bytes.fromhex(fingerprint))
            if done or url in written:
                continue
            # Journaled already: straight into the queue, past the duplicate filter.
            self.mqs.push(request_from_dict(pickle.loads(blob), spider=spider))
            self.stats.inc_value("scheduler/enqueued/memory")
            self.stats.inc_value("scheduler/enqueued")
            requeued += 1
        assert isinstance(self.df, _MemoryDupeFilter)
        self.df.seed(seen)
        self.stats.set_value("resume/requeued", requeued)
        self.stats.set_value("resume/done", len(seen) - requeued)
        logger.info(
            "Resuming the frontier of %s: %d requests journaled, %d done, %d queued again",
            run.id, len(seen), len(seen) - requeued, requeued,
        )  # fmt: skip

    def enqueue_request(self, request: Request) -> bool:
        completed = self.completed_by(request)
        admitted = super().enqueue_request(request)  # journals it in _mqpush
        for page in completed:
            self.page_done(page)
        return admitted

    def _mqpush(self, request: Request) -> None:
        """Journal an admitted request, then queue it."""
        try:
            blob = pickle.dumps(request.to_dict(spider=self.spider), protocol=4)
        except (ValueError, TypeError, AttributeError, pickle.PicklingError) as exc:
            # Queued all the same; a killed run cannot resume it.
            assert self.stats is not None
            if not self.stats.get_value("scheduler/unserializable"):
                logger.warning(
                    "Cannot journal %s (%s): a killed run will not resume it; no more such"
                    " requests are logged (stats: scheduler/unserializable)",
                    request,
                    exc,
                )
            self.stats.inc_value("scheduler/unserializable")
        else:
            self.journal.add(self.fingerprinter.fingerprint(request).hex(), request.url, blob)
        super()._mqpush(request)

    def page_done(self, request: Request) -> None:
        self.journal.mark_done(self.fingerprinter.fingerprint(request).hex())

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """A finished run empties the journal once ``JOBDIR`` names no run to resume
        (``RunFolder``, connected earlier, has removed the name)."""
        if reason == "finished" and not (self.jobdir / RESUME_FILE).exists():
            self.journal.reset(None)
        self.journal.close()


class FrontierDoneMiddleware(WholeOutputMiddleware):
    """Tells the scheduler (``CompletesPages``: the journaled one with ``JOBDIR``, the shared
    one with ``REDIS_URL``) when a page without items has been processed, and hands it each
    page's requests together first (``CompletesPages.admit``).

    Outermost spider middleware (nearest the engine), so it sees the output as it is
    scheduled: each request, then the items.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierDoneMiddleware:
        scheduler = load_object(crawler.settings["SCHEDULER"])
        # Not issubclass: Scrapy's scheduler metaclass says yes to any scheduler class.
        if CompletesPages not in scheduler.__mro__ or not scheduler.tracks_pages(
            crawler.settings
        ):
            raise NotConfigured("the scheduler keeps no record of pages done")
        return cls(crawler)

    def pass_on(self, response: Response, outputs: list[Any]) -> list[Any]:
        requests = [output for output in outputs if isinstance(output, Request)]
        assert self.crawler.engine is not None
        scheduler = cast(CompletesPages, self.crawler.engine.scheduler)
        if requests:
            scheduler.admit(requests)
        if len(requests) == sum(output is not None for output in outputs):
            scheduler.page_processed(response.request, requests[-1] if requests else None)
        return outputs
