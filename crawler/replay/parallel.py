"""Work spread over processes with results kept in input order, and memory bounded.

``Pool.imap`` would read its whole input ahead (every page body of an archive queued at
once); here at most ``WINDOW`` batches per process are in flight, and the input is read
in the calling thread, so the reading side needs no locks.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")

#: Batches in flight per process: enough to keep each busy while the reader runs ahead.
WINDOW = 4


def batches(items: Iterable[Task], size: int) -> Iterator[list[Task]]:
    """``items`` in lists of ``size`` (the last may be shorter)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def ordered_map(
    function: Callable[[Task], Result], tasks: Iterable[Task], processes: int
) -> Iterator[Result]:
    """``map(function, tasks)``, run by ``processes`` worker processes when more than one.

    Workers are forked, so they start at once with everything the caller imported.
    """
    if processes <= 1:
        yield from map(function, tasks)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        pending: deque[AsyncResult[Result]] = deque()
        for task in tasks:
            pending.append(pool.apply_async(function, (task,)))
            if len(pending) >= WINDOW * processes:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
