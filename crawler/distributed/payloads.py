"""Revisits across workers: the payload index of a distributed crawl, in Redis.

One hash, ``<REDIS_KEY>:payloads``, maps a payload digest to the record that archived it
first, in any run and by any worker. A worker claims a digest with ``HSETNX`` before it
writes the record, so of two workers archiving one payload at the same moment exactly one
writes it whole and the other a revisit. Like the state store's index, it is kept across
runs (one entry, about 150 bytes, per distinct payload): later runs refer to earlier ones.
"""

from __future__ import annotations

import json

from redis import Redis
from scrapy.crawler import Crawler

from crawler.archive.revisits import ArchivedPayload
from crawler.distributed.run import connect


class RedisPayloadIndex:
    """``PayloadIndex`` over a Redis hash (module docstring)."""

    def __init__(self, server: Redis, key: str) -> None:
        self.server = server
        self.key = key

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisPayloadIndex:
        settings = crawler.settings
        return cls(connect(settings, decode_responses=True), f"{settings['REDIS_KEY']}:payloads")

    def claim(self, digest: str, payload: ArchivedPayload) -> ArchivedPayload | None:
        entry = json.dumps([payload.record_id, payload.target_uri, payload.date])
        if self.server.hsetnx(self.key, digest, entry):
            return None
        return ArchivedPayload(*json.loads(self.server.hget(self.key, digest)))
