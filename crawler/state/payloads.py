"""Revisits across runs: the archive's payload index, kept in the state store.

A payload archived by any earlier run of the archives root (or earlier in this one) is
written as a revisit record whose ``WARC-Refers-To`` names that run's record; replay and
pywb resolve it when given the whole root (README "Replay").
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.archive.revisits import ArchivedPayload, MemoryPayloadIndex, PayloadIndex
from crawler.run import run_state
from crawler.state.store import StateStore

logger = logging.getLogger(__name__)


class StatePayloadIndex:
    """``PayloadIndex`` over the store's ``payloads`` table."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PayloadIndex:
        try:
            store, _ = run_state(crawler)
        except NotConfigured:
            logger.info("STATE_ENABLED is off: revisits refer to this run's records only")
            return MemoryPayloadIndex()
        return cls(store)

    def claim(self, digest: str, payload: ArchivedPayload) -> ArchivedPayload | None:
        # One process writes the store (the root's lock): nothing can come between.
        held = self.store.payload(digest)
        if held is None:
            self.store.add_payload(digest, payload)
        return held
