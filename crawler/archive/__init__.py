"""WARC capture: record builders, the rotating writer and the downloader middleware.

Nothing here imports Scrapy at import time: the WARC writer process
(``crawler.archive.process``) imports this package, and starts faster without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def require_archiving(settings: BaseSettings) -> None:
    """Archive components step aside (NotConfigured) when ``WARC_ENABLED`` is off."""
    from scrapy.exceptions import NotConfigured

    if not settings.getbool("WARC_ENABLED"):
        raise NotConfigured("WARC_ENABLED is off")
