"""The sample aggregator's command line.

`python -m crawler.demo serve --port 8008` serves it (`--layout compact|grid|german` serves
another layout over the same catalogue instead, `--hostile` adds its hostile pages);
`python -m crawler.demo run` serves it with its hostile pages (`--no-hostile`: without) on
a free port, crawls it completely with `scrapy crawl aggregator`, and prints a summary.
"""

import argparse
import signal
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawler.demo.crawl import crawl_sample_site
from crawler.demo.layouts import LAYOUTS
from crawler.demo.server import SampleServer, Servable
from crawler.demo.site import Site
from crawler.summary import summarise


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise argparse.ArgumentTypeError(f"unknown time zone: {name}") from error
    return name


SAMPLE = "daily8"  # the --layout name of the sample site itself


def serve(args: argparse.Namespace) -> int:
    """Serve the site on loopback until SIGINT or SIGTERM; its epoch is the start instant."""
    epoch = datetime.now(timezone.utc).replace(microsecond=0)
    site: Servable
    if args.layout == SAMPLE:
        site = Site(epoch, tz=args.timezone or "UTC", hostile=args.hostile)
        label = "sample aggregator"
    else:  # each layout has its own zone unless told otherwise
        site, label = LAYOUTS[args.layout](epoch, tz=args.timezone), f"{args.layout} layout"
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with SampleServer(site, port=args.port) as server:
        print(f"Serving {label} on {server.url}", flush=True)
        stop.wait()
    return 0


def run(args: argparse.Namespace) -> int:
    """Serve, crawl, stop the server, then print what the run folder holds."""
    folder, _ = crawl_sample_site(Path(args.archives), tz=args.timezone, hostile=args.hostile)
    print("\n".join(summarise(folder).lines()), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.demo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="serve the sample aggregator on 127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve_parser.add_argument(
        "--layout", choices=(SAMPLE, *LAYOUTS), default=SAMPLE, help="which site to serve"
    )
    serve_parser.add_argument(
        "--timezone", type=_zone, default=None,
        help="zone for 'Yesterday' and 'N days ago' (default: UTC, or the layout's own)",
    )
    serve_parser.add_argument(
        "--hostile", action="store_true", help="the sample site only: with its hostile pages"
    )
    serve_parser.set_defaults(handler=serve)

    run_parser = commands.add_parser("run", help="serve, crawl completely, print a summary")
    run_parser.add_argument("--archives", default="archives", help="the archives root")
    run_parser.add_argument("--timezone", type=_zone, default="UTC", help="the site's zone")
    run_parser.add_argument(
        "--hostile", action=argparse.BooleanOptionalAction, default=True,
        help="with the hostile pages under /hostile/ (default: with)",
    )
    run_parser.set_defaults(handler=run)

    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
