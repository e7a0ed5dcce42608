"""``scrapy articles [-o FILE] [--state FILE]``: every article the runs of an archives root
saw, one JSON line each, with its publication time narrowed over all of them.

An item says what one page showed at one moment; the state store remembers every time any
page of any run showed an article's time. This export weighs them all at once
(``crawler.narrowing.narrow``), so each article gets the narrowest window the archive
supports, however many runs and pages it took. Lines follow
``crawler/schemas/articles.schema.json`` and come sorted by URL. FILE defaults to
``articles.jsonl`` (``-``: standard output); the store to
``<ARCHIVES_DIR>/<STATE_FILE>``, opened read-only, so a crawl may run meanwhile. Exit
status: 0 when written, 1 when the store is missing or unusable, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands.output import add_output_option, add_state_option, open_output
from crawler.narrowing import CLOCK_SLACK, narrow
from crawler.pipelines.jsonl import dumps
from crawler.state.store import StateError, StateStore
from crawler.timestamps import iso_utc

DEFAULT_OUTPUT = "articles.jsonl"


def article_lines(store: StateStore) -> Iterator[dict[str, Any]]:
    """One export line per article of ``store``, by URL (module docstring)."""
    for article, readable, sightings in store.article_sightings():
        narrowed = narrow(readable, CLOCK_SLACK)
        yield {
            "url": article.url,
            "title": article.title,
            "source": article.source,
            "published": None
            if narrowed is None
            else {
                "value": iso_utc(narrowed.value),
                "earliest": iso_utc(narrowed.earliest),
                "latest": iso_utc(narrowed.latest),
            },
            "observations": sightings,
            "used": len(narrowed.used) if narrowed else 0,
            "conflicts": len(narrowed.conflicts) if narrowed else 0,
            "first_seen": article.first_seen,
            "last_seen": article.last_seen,
        }


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[-o FILE] [--state FILE]"

    def short_desc(self) -> str:
        return "Export every article the runs saw, its time narrowed over all of them"

    def long_desc(self) -> str:
        return (
            "Write one JSON line per article any run of the archives root saw, sorted by "
            "URL: title, source, the publication window narrowed over every observation "
            "of it, how many observations there were, and when it was first and last "
            "seen. Exit status: 0 written, 1 no usable state store, 2 bad usage."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        add_output_option(parser, DEFAULT_OUTPUT, "articles")
        add_state_option(parser, "STATE_FILE under ARCHIVES_DIR")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError(f"unrecognized arguments: {' '.join(args)}", print_help=False)
        root = Path(self.settings["ARCHIVES_DIR"])
        path = Path(opts.state) if opts.state else root / self.settings["STATE_FILE"]
        if not path.is_file():
            self._fail(
                f"no state store at {path}: crawl into that archives root first, "
                "or name the store with --state FILE"
            )
            return
        try:
            store = StateStore(path, readonly=True)
        except StateError as exc:
            self._fail(str(exc))
            return
        count = 0
        with closing(store), open_output(opts.output) as out:
            for line in article_lines(store):
                out.write(dumps(line) + "\n")
                count += 1
        print(f"articles: {count} articles written from {path}", file=sys.stderr)

    def _fail(self, message: str) -> None:
        print(f"scrapy articles: {message}", file=sys.stderr)
        self.exitcode = 1
