"""Spider middlewares that judge a page's output as a whole, not one object at a time.

A page yields few objects (its links, then at most one item), so holding them costs
little, and a judgement can then weigh the item against the links (the incremental
policy) or know which link is the last (the frontier journal).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy.http import Response


class WholeOutputMiddleware:
    """Calls ``pass_on(response, outputs)`` with the callback's whole output, in order."""

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: object = None
    ) -> Iterator[Any]:
        yield from self.pass_on(response, list(result))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: object = None
    ) -> AsyncIterator[Any]:
        for output in self.pass_on(response, [output async for output in result]):
            yield output

    def pass_on(self, response: Response, outputs: list[Any]) -> list[Any]:
        """What goes on to the engine, in that order."""
        raise NotImplementedError
