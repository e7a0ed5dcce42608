"""Provenance: every item names the WARC response record it was extracted from.

A spider middleware, so spiders stay navigation-only: it copies the location the archive
middleware left in ``response.meta`` onto each item as ``warc``
(``{"filename", "offset", "length", "record_id"}``; null when archiving is off).
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.archive.middleware import WARC_META


class ProvenanceMiddleware(BaseSpiderMiddleware):
    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if response is not None:
            ItemAdapter(item)["warc"] = response.meta.get(WARC_META)
        return item
