"""``scrapy replay PATH [PATH ...] [-o FILE] [-j N]``: re-extract archived pages, offline.

PATH is a run folder, a WARC, ARC or WACZ file (gzip'd or not), or a folder of them.
Items go to FILE as JSON lines (default ``replay.jsonl``; ``-`` for standard output), in
record order whatever the number N of extracting processes (default: the CPUs available).
Each fault in the input is one ``FILE:OFFSET: reason`` line on standard error, and a
summary line ends the run. Exit status: 0 when everything was read, 1 when any record or
file could not be, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.profiles import Profile
from crawler.replay.loop import Replay

DEFAULT_OUTPUT = "replay.jsonl"


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "PATH [PATH ...] [-o FILE] [-j N]"

    def short_desc(self) -> str:
        return "Re-extract items from archived pages (WARC, ARC, WACZ), offline"

    def long_desc(self) -> str:
        return (
            "Re-extract items from archived pages, offline, as the live crawl extracted "
            "them. PATH is a run folder, a WARC, ARC or WACZ file, or a folder of them. "
            "Faults in the input are reported on standard error as FILE:OFFSET: reason "
            "and skipped. Exit status: 0 all read, 1 some input unreadable, 2 bad usage."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            default=DEFAULT_OUTPUT,
            help=f"write items to FILE (default: {DEFAULT_OUTPUT}; - for standard output)",
        )
        parser.add_argument(
            "-j",
            "--jobs",
            metavar="N",
            type=int,
            default=available_cpus(),
            help="extract pages in N processes (default: the CPUs available to this one)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        paths = _paths(args)
        try:
            Profile.from_settings(self.settings)
        except ValueError as exc:
            raise UsageError(str(exc), print_help=False) from exc
        with _output(opts.output) as out:
            replay = Replay(self.settings, out, lambda fault: print(fault, file=sys.stderr))
            replay.run(paths, processes=opts.jobs)
        print(replay.summary(), file=sys.stderr)
        self.exitcode = 1 if replay.faults else 0


def available_cpus() -> int:
    """The CPUs this process may run on (all of them where that cannot be asked)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _paths(args: list[str]) -> list[Path]:
    """The PATH arguments, checked: Scrapy hands unknown options over as arguments."""
    unknown = [arg for arg in args if arg.startswith("-") and arg != "-"]
    if unknown:
        raise UsageError(f"unrecognized arguments: {' '.join(unknown)}", print_help=False)
    if not args:
        raise UsageError(
            "give at least one PATH: a run folder, a WARC, ARC or WACZ file, or a folder",
            print_help=False,
        )
    missing = [arg for arg in args if not Path(arg).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}", print_help=False)
    return [Path(arg) for arg in args]


def _output(name: str) -> TextIO:
    """The items' destination, UTF-8 with ``\\n`` line ends, standard output included."""
    try:
        if name == "-":
            sys.stdout.flush()
            return open(sys.stdout.fileno(), "w", encoding="utf-8", newline="\n", closefd=False)
        return open(name, "w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise UsageError(f"cannot write {name}: {exc}", print_help=False) from exc
