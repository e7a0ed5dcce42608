"""``DOWNLOAD_MAXSIZE`` refusals, counted: Scrapy logs them, and counts none by name.

Two ways a response is too large for the crawl, both refused by Scrapy with a WARNING:

- its body is (or says it is) larger than ``DOWNLOAD_MAXSIZE``: the download handler
  cancels it, so no response exists and nothing is archived. Scrapy then logs the
  cancellation again as an ERROR with a traceback; here it is counted
  (``download/over_maxsize``) and dropped as an ignored request instead, since a page too
  large for the crawl is no crawl error.
- its body grows past ``DOWNLOAD_MAXSIZE`` while being decompressed (a compression bomb):
  HttpCompressionMiddleware ignores the response. The archive middleware, nearer the
  downloader, has written it as sent, compressed and small. Counted in
  ``download/decompressed_over_maxsize``.

Scrapy 2.19 cancels a download only for ``DOWNLOAD_MAXSIZE`` (timeouts raise their own
error), and its HttpCompressionMiddleware ignores a response only for it.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response


class MaxSizeMiddleware(HttpCompressionMiddleware):
    """Scrapy's HttpCompressionMiddleware, counting what ``DOWNLOAD_MAXSIZE`` refuses."""

    def process_response(
        self, request: Request, response: Response, spider: object = None
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            self._count("download/decompressed_over_maxsize")
            raise

    def process_exception(
        self, request: Request, exception: Exception, spider: object = None
    ) -> None:
        if isinstance(exception, DownloadCancelledError):
            self._count("download/over_maxsize")
            raise IgnoreRequest(str(exception)) from exception

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
