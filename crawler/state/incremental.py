"""The incremental policy: each run fetches what is new, and what is due again.

A spider middleware between the spider and the scheduler. For each page it processes it
remembers, in the state store's ``pages`` table, what kind of page it was (the page's
items say: ``listing``, ``article``, else ``other``) and the links it held. Then, for each
request a page yields:

- a URL never processed, a listing, or one whose last response was not a 2xx: fetched;
- any other page processed less than ``ARTICLE_REFRESH`` seconds before this page was
  fetched: skipped (``incremental/skipped``), unless a listing card in this run shows
  its article newer than the copy fetched (its window starts after that fetch:
  ``incremental/updated``);
- a skipped page's links, as stored, are followed in its place, so what lies behind it
  (related articles, its images) is still reached.

Ages are measured between fetch instants (data), never against the clock. The callback's
output is buffered (it needs the listing's cards before judging the links), then passed
on with every request before every item: an item's line in ``items.jsonl`` then means all
of its page's links were already queued, which a resumed run relies on.

Setting: ``ARTICLE_REFRESH`` (seconds; 0 fetches every page every run). Off with
``STATE_ENABLED``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.fetchtime import FETCHED_AT
from crawler.pipelines import item_dict
from crawler.run import run_state
from crawler.spiders.aggregator import HOPS
from crawler.state.store import ARTICLE, LISTING, OTHER, PageState, StateStore
from crawler.state.whole_output import WholeOutputMiddleware
from crawler.timestamps import iso_utc

#: URLs kept in ``IncrementalMiddleware.settled``: a page links to mostly the same pages as
#: the pages before it, so most of its links are judged without asking the store.
SETTLED_CACHE = 4096


def page_kind(items: Iterable[dict[str, Any]]) -> str:
    kinds = {item.get("type") for item in items}
    return ARTICLE if ARTICLE in kinds else LISTING if LISTING in kinds else OTHER


class IncrementalMiddleware(WholeOutputMiddleware):
    def __init__(
        self, store: StateStore, run_seq: int, refresh: timedelta, stats: StatsCollector
    ) -> None:
        self.store = store
        self.run_seq = run_seq
        self.refresh = refresh
        self.stats = stats
        #: URLs a listing showed newer than their stored copy: fetched this run.
        self.due: set[str] = set()
        #: Skipped URLs whose stored links were already followed this run.
        self.expanded: set[str] = set()
        #: URLs that no page of an earlier run can spare for the rest of this run (none
        #: was stored, or a listing or a failure was; only this run writes pages now), the
        #: latest ``SETTLED_CACHE`` of them.
        self.settled: OrderedDict[str, None] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        store, run_seq = run_state(crawler)
        refresh = timedelta(seconds=crawler.settings.getfloat("ARTICLE_REFRESH"))
        assert crawler.stats is not None
        return cls(store, run_seq, refresh, crawler.stats)

    def pass_on(self, response: Response, outputs: list[Any]) -> list[Any]:
        requests = [output for output in outputs if isinstance(output, Request)]
        items = [output for output in outputs if not isinstance(output, Request)]
        data = [item_dict(item) for item in items]
        fetched_at: datetime = response.meta[FETCHED_AT]
        self._note_updates(data)
        self.store.save_page(
            PageState(
                url=response.url,
                kind=page_kind(data),
                fetched_at=iso_utc(fetched_at),
                status=response.status,
                run_seq=self.run_seq,
                links=[(r.url, r.meta.get(HOPS, "L")[-1:] or "L") for r in requests],
            )
        )
        admitted = [kept for request in requests for kept in self._admit(request, fetched_at)]
        return admitted + items

    def _note_updates(self, items: list[dict[str, Any]]) -> None:
        """Cards on a listing whose time starts after our copy of their article."""
        for item in items:
            if item.get("type") != LISTING:
                continue
            for card in item.get("cards") or ():
                published = card.get("published") or {}
                if not published.get("earliest") or card["url"] in self.due:
                    continue
                page = self.store.page(card["url"])
                if page is None or page.kind == LISTING:
                    continue
                shown = datetime.fromisoformat(published["earliest"])
                if shown > datetime.fromisoformat(page.fetched_at):
                    self.due.add(card["url"])
                    self.stats.inc_value("incremental/updated")

    def _admit(self, request: Request, fetched_at: datetime) -> list[Request]:
        """The request, or, if its page is not due, the requests for its stored links."""
        admitted = []
        pending = [request]
        while pending:
            current = pending.pop()
            page = self._not_due(current, fetched_at)
            if page is None:
                admitted.append(current)
                continue
            if current.url in self.expanded:
                continue
            self.expanded.add(current.url)
            self.stats.inc_value("incremental/skipped")
            hops = current.meta.get(HOPS, "")
            pending.extend(
                current.replace(url=url, meta={**current.meta, HOPS: hops + hop})
                for url, hop in reversed(page.links)
            )
        return admitted

    def _not_due(self, request: Request, fetched_at: datetime) -> PageState | None:
        """The stored page when ``request`` need not be fetched this run, else None."""
        if self.refresh <= timedelta(0) or request.method != "GET" or request.dont_filter:
            return None
        if request.url in self.due or request.url in self.settled:
            return None
        # This run's own pages are the duplicate filter's business.
        page = self.store.page(request.url, not_run=self.run_seq)
        if page is None or page.kind == LISTING or not 200 <= page.status < 300:
            self.settled[request.url] = None
            if len(self.settled) > SETTLED_CACHE:
                self.settled.popitem(last=False)
            return None
        if fetched_at - datetime.fromisoformat(page.fetched_at) >= self.refresh:
            return None
        return page
