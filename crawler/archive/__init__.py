"""WARC capture: record builders, the rotating writer and the downloader middleware."""

from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings


def require_archiving(settings: BaseSettings) -> None:
    """Archive components step aside (NotConfigured) when ``WARC_ENABLED`` is off."""
    if not settings.getbool("WARC_ENABLED"):
        raise NotConfigured("WARC_ENABLED is off")
