"""Pages read in worker processes, beside the crawl.

Reading a page (``crawler.pages.read``: parse, extraction, timestamps; and its outlinks,
``crawler.outlinks``) is CPU work that costs as much as all Scrapy does for the page, and
in the crawl's process it holds the reactor meanwhile. Handed to worker processes it runs
on another core while the crawl goes on fetching and archiving. Both are pure (the same
bytes, instant and profile give the same items and links), so where a page is read
changes nothing in what it gives.

The workers are ``crawler.workers`` processes; they need the asyncio reactor (Scrapy's
default).

Settings (defaults in ``crawler.settings``):

- ``EXTRACTION_PROCESSES``: worker processes reading pages; 0 reads them in the crawl's own
  process (no parallelism, no process to start).

A worker that dies (killed, out of memory, a crash in a parser) loses the pages it held:
it is started again and each of those pages is read once more; a page still unread after
``crawler.workers.ATTEMPTS`` tries raises ``WorkerDied``, which the spider counts as an
extraction failure (the page is archived all the same).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import NamedTuple

from crawler import outlinks
from crawler.gctuning import Tuning
from crawler.outlinks import Outlinks
from crawler.pages import Reading, content_type, read
from crawler.profiles import Profile
from crawler.workers import Worker, submit

#: A page reader's name in its command line.
READER_ROLE = "page-reader"


class Fetched(NamedTuple):
    """A page as the crawl fetched it: ``body`` decompressed; ``html`` whether Scrapy's
    response class says it is HTML; ``headers``, of which only Content-Type is read;
    ``requested_at``, when its request was sent (see ``crawler.pages.read``)."""

    url: str
    body: bytes
    html: bool
    fetched_at: datetime
    headers: Mapping | None
    requested_at: datetime | None


def read_page(page: Fetched, *, profile: Profile, max_size: int | None) -> tuple[Reading, Outlinks]:
    """A page's reading (``crawler.pages.read``) and, when it is an HTML page that was
    parsed, its outlinks."""
    reading = read(page.url, page.body, fetched_at=page.fetched_at, headers=page.headers,
                   profile=profile, requested_at=page.requested_at, max_size=max_size)  # fmt: skip
    if not page.html or reading.unread:
        return reading, Outlinks()
    return reading, outlinks.found(page.url, page.body, page.headers)


class PageReader:
    """``read_page`` with the crawl's profile and size limit, in ``processes`` worker
    processes (0: in this process)."""

    def __init__(
        self, profile: Profile, *, max_size: int | None, processes: int, tuning: Tuning
    ) -> None:
        self.processes = processes
        self._read = partial(read_page, profile=profile, max_size=max_size)
        self._tuning = tuning
        self._workers: list[Worker] = []

    def start(self) -> None:
        """Start the workers now, so they are ready when the first page arrives; replace
        those that ended."""
        for worker in [w for w in self._workers if w.ended]:
            self._workers.remove(worker)
            worker.close()
        while len(self._workers) < self.processes:
            self._workers.append(Worker(READER_ROLE, self._read, self._tuning))

    def close(self) -> None:
        for worker in self._workers:
            worker.close()
        self._workers.clear()

    async def read(self, page: Fetched) -> tuple[Reading, Outlinks]:
        """The page's reading and outlinks (see ``read_page``)."""
        if not self.processes:
            return self._read(page)
        # Only Content-Type is read from the headers: the rest need not cross over.
        kind = content_type(page.headers)
        task = page._replace(headers={"Content-Type": kind} if kind else None)
        return await submit(self._pick, task)

    def _pick(self) -> Worker:
        """The least loaded worker, once those that ended are replaced."""
        self.start()
        return min(self._workers, key=_load)


def _load(worker: Worker) -> int:
    return len(worker.pending)
