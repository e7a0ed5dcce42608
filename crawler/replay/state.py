"""The archives root's state store, as the replay needs it to give the crawl's items again.

Two things a run's items depend on live outside its own files, in the root's state store
(``crawler.state``): a revisit may refer to a record in an earlier run's WARC file (the
crawl's payload index is the store), and every item's ``narrowed`` windows weigh what
earlier runs observed. The replay therefore finds the store beside its inputs, opens it
read-only, and asks it where another run's record lies and which run a file belongs to
(its warcinfo's ``isPartOf``). Pages are extracted in worker processes, so a ``Narrowing``
names the store by path and each process opens its own connection, once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from crawler.replay.reader import Record, record_at
from crawler.state.sightings import Earlier, earlier_runs
from crawler.state.store import StateStore


def discover(paths: Sequence[Path], name: str) -> Path | None:
    """The first state file ``name`` beside the inputs: in a folder given, then in its
    parent (a run folder's parent is its archives root); for a file, in its folder, then
    in that folder's parent."""
    for path in paths:
        folder = path.resolve() if path.is_dir() else path.resolve().parent
        for candidate in (folder / name, folder.parent / name):
            if candidate.is_file():
                return candidate
    return None


@dataclass(frozen=True, slots=True)
class Narrowing:
    """What a worker needs to narrow a page's items: the store, and the page's run."""

    state: str
    run_seq: int


#: Each process's read-only connections, by process and store path.
_stores: dict[tuple[int, str], StateStore] = {}


def _store(path: str) -> StateStore:
    """This process's connection to the store at ``path``: a forked worker opens its own
    (an SQLite connection must not be used across a fork) and leaves its parent's alone."""
    key = (os.getpid(), path)
    if key not in _stores:
        _stores[key] = StateStore(Path(path), readonly=True)
    return _stores[key]


#: Each process's readers of earlier runs' observations, by process, store and run.
_earliers: dict[tuple[int, str, int], Earlier] = {}


def earlier(narrowing: Narrowing) -> Earlier:
    """An article's readable observations made by runs before the page's own."""
    key = (os.getpid(), narrowing.state, narrowing.run_seq)
    if key not in _earliers:
        _earliers[key] = earlier_runs(_store(narrowing.state), narrowing.run_seq)
    return _earliers[key]


class ArchiveState:
    """The store of the archives root at ``store.path.parent``, asked by the replay."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.root = store.path.parent
        self._path = str(store.path.resolve())
        self._narrowings: dict[str, Narrowing | None] = {}

    def narrowing(self, run_id: str | None) -> Narrowing | None:
        """How to narrow the items of run ``run_id``; None if the store does not know it."""
        if run_id is None:
            return None
        if run_id not in self._narrowings:
            seq = self.store.run_seq(run_id)
            self._narrowings[run_id] = None if seq is None else Narrowing(self._path, seq)
        return self._narrowings[run_id]

    def original(self, revisit: Record) -> Record | str:
        """The record a revisit's ``WARC-Refers-To`` names, read from the run file the
        store places it in; else why not."""
        refers_to = (revisit.get("warc-refers-to") or "").strip()
        if not refers_to:
            return "it names no WARC-Refers-To to look up in the state store"
        place = self.store.record_place(refers_to)
        if place is None:
            return f"nor does the state store {self.store.path} know it"
        path = self.root / place.warc_file
        found = record_at(partial(open, path, "rb"), str(path), place.offset, refers_to)
        if found is None:
            return (
                f"the state store places it at {path}:{place.offset}, "
                "but no such record can be read there"
            )
        return found
