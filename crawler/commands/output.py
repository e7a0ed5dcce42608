"""What the project's export commands share: ``-o FILE`` and ``--state FILE``."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from scrapy.exceptions import UsageError


def add_output_option(parser: argparse.ArgumentParser, default: str, what: str) -> None:
    """``-o/--output FILE``: where the JSON lines go (``-``: standard output)."""
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=default,
        help=f"write {what} to FILE (default: {default}; - for standard output)",
    )


def add_state_option(parser: argparse.ArgumentParser, default: str) -> None:
    """``--state FILE``: the archives root's state store, when not the default one."""
    parser.add_argument("--state", metavar="FILE", help=f"the state store (default: {default})")


def open_output(name: str) -> TextIO:
    """The lines' destination, UTF-8 with ``\\n`` line ends, standard output included."""
    try:
        if name == "-":
            sys.stdout.flush()
            return open(sys.stdout.fileno(), "w", encoding="utf-8", newline="\n", closefd=False)
        return open(name, "w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise UsageError(f"cannot write {name}: {exc}", print_help=False) from exc
