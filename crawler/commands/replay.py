"""``scrapy replay PATH [PATH ...] [-o FILE] [-j N] [--state FILE | --no-state]``: re-extract
archived pages, offline.

PATH is a run folder, a WARC, ARC or WACZ file (gzip'd or not), or a folder of them.
Items go to FILE as JSON lines (default ``replay.jsonl``; ``-`` for standard output), in
record order whatever the number N of extracting processes (default: the CPUs available).
The archives root's state store (``--state``, else the ``STATE_FILE`` found beside the
inputs: ``crawler.replay.state.discover``) resolves revisits of other runs' records and
gives items the ``narrowed`` windows the crawl gave them; ``--no-state`` replays the files
alone. Each fault in the input is one ``FILE:OFFSET: reason`` line on standard error, and
a summary line ends the run. Exit status: 0 when everything was read, 1 when any record or
file could not be, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands.output import add_output_option, add_state_option, open_output
from crawler.profiles import Profile
from crawler.replay.loop import Replay
from crawler.replay.state import discover

DEFAULT_OUTPUT = "replay.jsonl"


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "PATH [PATH ...] [-o FILE] [-j N] [--state FILE | --no-state]"

    def short_desc(self) -> str:
        return "Re-extract items from archived pages (WARC, ARC, WACZ), offline"

    def long_desc(self) -> str:
        return (
            "Re-extract items from archived pages, offline, as the live crawl extracted "
            "them. PATH is a run folder, a WARC, ARC or WACZ file, or a folder of them. "
            "The archives root's state store, found beside the inputs, resolves revisits "
            "of other runs' records and narrows publication windows as the crawl did. "
            "Faults in the input are reported on standard error as FILE:OFFSET: reason "
            "and skipped. Exit status: 0 all read, 1 some input unreadable, 2 bad usage."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        add_output_option(parser, DEFAULT_OUTPUT, "items")
        parser.add_argument(
            "-j",
            "--jobs",
            metavar="N",
            type=int,
            default=available_cpus(),
            help="extract pages in N processes (default: the CPUs available to this one)",
        )
        add_state_option(
            parser,
            "the STATE_FILE in a PATH folder or its parent, or in a PATH file's folder "
            "or that folder's parent",
        )
        parser.add_argument(
            "--no-state",
            action="store_true",
            help="use no state store: no narrowed windows, no revisits of other runs",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        paths = _paths(args)
        try:
            Profile.from_settings(self.settings)
        except ValueError as exc:
            raise UsageError(str(exc), print_help=False) from exc
        state = _state(opts, paths, self.settings["STATE_FILE"])
        with open_output(opts.output) as out:
            replay = Replay(self.settings, out, lambda fault: print(fault, file=sys.stderr))
            replay.run(paths, processes=opts.jobs, state=state)
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


def _state(opts: argparse.Namespace, paths: list[Path], name: str) -> Path | None:
    """The state store to replay with: ``--state``, else the one beside the inputs."""
    if opts.no_state:
        if opts.state:
            raise UsageError("give --state FILE or --no-state, not both", print_help=False)
        return None
    if opts.state:
        if not Path(opts.state).is_file():
            raise UsageError(f"no such state file: {opts.state}", print_help=False)
        return Path(opts.state)
    return discover(paths, name)
