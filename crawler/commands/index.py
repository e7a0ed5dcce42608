"""``scrapy index RUN_FOLDER [RUN_FOLDER ...]``: mend a run folder and build its indexes
again from the files it holds.

For a distributed run whose workers wrote on several machines: copy every machine's folder
of the run into one (worker names keep the files apart), then index it, so ``index.cdxj``
and ``pages.jsonl`` (and the ``.wacz``, with ``WACZ_ENABLED``) cover every worker. WARC
files a killed worker left ``.open`` are closed after their last complete record and
partial last item lines are cut first, as the crawl's own recovery does. Refuses a folder
whose archives root a crawl is writing (its ``.lock``). Exit status: 0 indexed, 1 a folder
could not be, 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.archive.indexes import write_cdxj, write_pages, write_wacz
from crawler.recovery import mend_folder
from crawler.run import ArchivesLocked, RootLock


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "RUN_FOLDER [RUN_FOLDER ...]"

    def short_desc(self) -> str:
        return "Mend run folders and build their CDXJ index and pages list again"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not args:
            raise UsageError("name the run folders to index", print_help=False)
        builders = [write_cdxj, write_pages]
        if self.settings.getbool("WACZ_ENABLED"):
            builders.append(write_wacz)
        for folder in map(Path, args):
            if not folder.is_dir():
                self._fail(f"{folder}: not a folder")
                continue
            try:
                lock = RootLock(folder.resolve().parent)
            except ArchivesLocked as exc:
                self._fail(f"{folder}: {exc}")
                continue
            try:
                for report in mend_folder(folder):
                    print(f"mended: {report}", file=sys.stderr)
                for builder in builders:
                    print(f"wrote {builder(folder)}", file=sys.stderr)
            finally:
                lock.close()

    def _fail(self, message: str) -> None:
        print(f"scrapy index: {message}", file=sys.stderr)
        self.exitcode = 1
