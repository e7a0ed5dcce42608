"""Worker processes beside the crawl, for CPU work that would otherwise hold its reactor.

The page reader (``crawler.extraction``) and the WARC writer (``crawler.archive.process``)
each hand their work to worker processes of this kind. A worker is ``python -m
crawler.workers <role>``: its first message names the callable it runs (and the collector tuning to
apply once that callable has loaded its libraries); every later one is a task, answered with
the callable's result or the exception it raised. Messages are length-prefixed pickles on
the worker's stdin and stdout.

The crawl talks to a worker through the event loop's own pipe transports, never blocking and
without threads of its own (a ``ProcessPoolExecutor``'s feeder and manager threads contend
with the reactor for the GIL: measured, they cost the crawl more than reading in-process
did). A worker ends when its stdin closes, so it never outlives the crawl, even one that was
killed, and it ignores the signals that ask a crawl to stop (Ctrl-C, ``SIGTERM`` sent to a
whole process group): the crawl decides when its workers end. It needs the asyncio reactor
(Scrapy's default).

Tasks run one at a time, in the order sent: a worker's results come back in that order.
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
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any, BinaryIO

from crawler.gctuning import Tuning

#: Tries of a task whose worker died under it.
ATTEMPTS = 2
#: Bytes a worker's pipes hold (Linux's default is 64 KiB).
PIPE_SIZE = 1 << 20
#: A frame's header: the length of the pickle that follows.
_HEADER = struct.Struct("!Q")


class WorkerDied(Exception):
    """A worker process ended while it held the task."""


class Worker(asyncio.Protocol):
    """One worker process running ``function``, and the crawl's end of its pipes
    (connected on first use). ``role`` names the process in its command line (``ps``)."""

    def __init__(
        self,
        role: str,
        function: Callable[[Any], Any],
        tuning: Tuning | None = None,
        received: Callable[[Any], None] | None = None,
    ) -> None:
        """``received`` is called with each result as it arrives, before the task that
        awaits it resumes."""
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.ended = False
        self._ids = count()
        self._buffer = bytearray()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "crawler.workers", role],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for pipe in (self._process.stdin, self._process.stdout):
            # A task or two in the pipe at once, not 64 KB: fewer, whole writes.
            fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        # Sent now, into the empty pipe, so the worker loads the function's libraries while
        # the crawl starts, not when the first task arrives.
        self._process.stdin.write(_frame((function, tuning)))
        self._process.stdin.flush()
        self._received = received
        self._input: asyncio.WriteTransport | None = None
        self._output: asyncio.ReadTransport | None = None
        self._connecting: asyncio.Future[None] | None = None

    async def submit(self, task: Any) -> Any:
        """``function(task)``, run in the worker; ``WorkerDied`` if it ends first."""
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._connect())
        if not self._connecting.done():
            await asyncio.shield(self._connecting)
        if self.ended or self._input is None:  # ended before or while it connected
            raise WorkerDied("the worker process ended")
        key = next(self._ids)
        self.pending[key] = future = asyncio.get_running_loop().create_future()
        self._input.write(_frame((key, task)))
        return await future

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        self._input, _ = await loop.connect_write_pipe(asyncio.Protocol, self._process.stdin)
        self._output, _ = await loop.connect_read_pipe(lambda: self, self._process.stdout)

    def close(self) -> None:
        """End the worker now (the crawl holds no task of it any more, or it has ended)."""
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
            if ok and self._received is not None:
                self._received(value)
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
                future.set_exception(WorkerDied("the worker process ended"))


async def submit(pick: Callable[[], Worker], task: Any) -> Any:
    """``task``'s result from the worker ``pick`` gives, tried again on the worker it gives
    next if that one dies, up to ``ATTEMPTS`` times (``pick`` replaces workers that ended)."""
    attempt = 1
    while True:
        try:
            return await pick().submit(task)
        except WorkerDied:
            if attempt == ATTEMPTS:
                raise
            attempt += 1


def _frame(message: Any) -> bytes:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _frames(source: BinaryIO) -> Iterator[Any]:
    """The messages on ``source``, until it ends."""
    while header := source.read(_HEADER.size):
        (size,) = _HEADER.unpack(header)
        yield pickle.loads(source.read(size))


def main() -> None:
    """A worker: run each task and write back its result (or the error)."""
    # The crawl ends its workers itself, after it has finished with them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # Frames go out on a copy of stdout; anything a library prints goes to stderr.
    output = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    messages = _frames(sys.stdin.buffer)
    function, tuning = next(messages, (None, None))
    for key, task in messages:
        try:
            result = (key, True, function(task))
        except Exception as error:  # reported to the crawl, which logs and counts it
            result = (key, False, error)
        try:
            frame = _frame(result)
        except Exception as error:  # an exception that does not pickle: its text does
            frame = _frame((key, False, RuntimeError(f"{error}: {result[2]!r}")))
        output.write(frame)
        output.flush()
        if tuning is not None:  # the first task run: its libraries' data is loaded
            tuning.apply()
            tuning = None


if __name__ == "__main__":
    main()
