"""Pages read in worker processes, beside the crawl.

Reading a page (``crawler.pages.read``: parse, extraction, timestamps; and its outlinks,
``crawler.outlinks``) is CPU work that costs as much as all Scrapy does for the page, and
in the crawl's process it holds the reactor meanwhile. Handed to worker processes it runs
on another core while the crawl goes on fetching and archiving. Both are pure (the same
bytes, instant and profile give the same items and links), so where a page is read
changes nothing in what it gives.

A worker is ``python -m crawler.extraction``: it reads tasks from its stdin and writes
readings to its stdout, each a length-prefixed pickle. The crawl talks to it through the
event loop's own pipe transports, never blocking and without threads of its own (a
``ProcessPoolExecutor``'s feeder and manager threads contend with the reactor for the GIL:
measured, they cost the crawl more than reading in-process did). A worker ends when its
stdin closes, so it never outlives the crawl, even one that was killed. It needs the
asyncio reactor (Scrapy's default).

Settings (defaults in ``crawler.settings``):

- ``EXTRACTION_PROCESSES``: worker processes reading pages; 0 reads them in the crawl's own
  process (no parallelism, no process to start).

A worker that dies (killed, out of memory, a crash in a parser) loses the pages it held:
it is started again and each of those pages is read once more; a page still unread after
``ATTEMPTS`` tries raises ``WorkerDied``, which the spider counts as an extraction failure
(the page is archived all the same).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pickle
import signal
import struct
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import partial
from itertools import count
from typing import Any, BinaryIO, NamedTuple

from crawler import outlinks
from crawler.gctuning import Tuning
from crawler.outlinks import Outlinks
from crawler.pages import Reading, content_type, read
from crawler.profiles import Profile

#: Tries of a page whose worker died under it.
ATTEMPTS = 2
#: Bytes a worker's pipes hold (Linux's default is 64 KiB).
PIPE_SIZE = 1 << 20
#: A frame's header: the length of the pickle that follows.
_HEADER = struct.Struct("!Q")


class WorkerDied(Exception):
    """A page reader process ended while it held the page."""


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


def read_page(
    page: Fetched, *, profile: Profile, max_size: int | None
) -> tuple[Reading, Outlinks]:
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
        self._workers: list[_Worker] = []

    def start(self) -> None:
        """Start the workers now, so they are ready when the first page arrives; replace
        those that ended."""
        for worker in [w for w in self._workers if w.ended]:
            self._workers.remove(worker)
            worker.close()
        while len(self._workers) < self.processes:
            self._workers.append(_Worker(self._read, self._tuning))

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
        attempt = 1
        while True:
            self.start()
            try:
                return await min(self._workers, key=_load).submit(task)
            except WorkerDied:
                if attempt == ATTEMPTS:
                    raise
                attempt += 1


def _load(worker: _Worker) -> int:
    return len(worker.pending)


class _Worker(asyncio.Protocol):
    """One worker process, and the crawl's end of its pipes (connected on first use)."""

    def __init__(self, function: partial, tuning: Tuning) -> None:
        self.pending: dict[int, asyncio.Future[tuple[Reading, Outlinks]]] = {}
        self.ended = False
        self._ids = count()
        self._buffer = bytearray()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "crawler.extraction"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for pipe in (self._process.stdin, self._process.stdout):
            # A page or two in the pipe at once, not 64 KB: fewer, whole writes.
            fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        self._function = function
        self._tuning = tuning
        self._input: asyncio.WriteTransport | None = None
        self._output: asyncio.ReadTransport | None = None
        self._connecting: asyncio.Future[None] | None = None

    async def submit(self, task: Fetched) -> tuple[Reading, Outlinks]:
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._connect())
        if not self._connecting.done():
            await asyncio.shield(self._connecting)
        if self.ended or self._input is None:  # ended before or while it connected
            raise WorkerDied("the page reader process ended")
        key = next(self._ids)
        self.pending[key] = future = asyncio.get_running_loop().create_future()
        self._input.write(_frame((key, task)))
        return await future

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        self._input, _ = await loop.connect_write_pipe(asyncio.Protocol, self._process.stdin)
        self._input.write(_frame((None, (self._function, self._tuning))))
        self._output, _ = await loop.connect_read_pipe(lambda: self, self._process.stdout)

    def close(self) -> None:
        """End the worker (the crawl holds no page of it any more, or it has ended)."""
        if self._connecting is not None:
            self._connecting.cancel()
        self._process.kill()
        self._process.wait()
        for transport, pipe in ((self._input, self._process.stdin),
                                (self._output, self._process.stdout)):  # fmt: skip
            if transport is not None:
                transport.close()
            elif pipe is not None:
                pipe.close()
        self._fail_pending()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            end = _HEADER.size + size
            if len(self._buffer) < end:
                return
            key, ok, value = pickle.loads(self._buffer[_HEADER.size : end])
            del self._buffer[:end]
            future = self.pending.pop(key)
            if not future.done():
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail_pending()

    def _fail_pending(self) -> None:
        self.ended = True
        pending, self.pending = self.pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(WorkerDied("the page reader process ended"))


def _frame(message: Any) -> bytes:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _frames(source: BinaryIO) -> Iterator[Any]:
    """The messages on ``source``, until it ends."""
    while header := source.read(_HEADER.size):
        (size,) = _HEADER.unpack(header)
        yield pickle.loads(source.read(size))


def main() -> None:
    """A worker: read each task's page and write back its reading (or the error)."""
    # Ctrl-C reaches the whole process group: the crawl ends its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Frames go out on a copy of stdout; anything a library prints goes to stderr.
    output = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    messages = _frames(sys.stdin.buffer)
    _, (function, tuning) = next(messages, (None, (None, None)))
    for key, page in messages:
        try:
            result = (key, True, function(page))
        except Exception as error:  # reported to the crawl, which logs and counts it
            result = (key, False, error)
        try:
            frame = _frame(result)
        except Exception as error:  # an exception that does not pickle: its text does
            frame = _frame((key, False, RuntimeError(f"{error}: {result[2]!r}")))
        output.write(frame)
        output.flush()
        if tuning is not None:  # the first page read: its libraries' data is loaded
            tuning.apply()
            tuning = None


if __name__ == "__main__":
    main()
