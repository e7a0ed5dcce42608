"""``python -m benchmarks [--runs N]``: run every benchmark, print one table.

With the default 5 paired runs it takes about 45 minutes on 2 cores, most of it the large
crawls of ``benchmarks.scale``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace

from benchmarks import crawl_overhead, distributed, replay_speed, scale, timestamps_speed
from benchmarks.common import Result, cpu_ticks, stolen_share, table

BENCHMARKS = (
    crawl_overhead.archiving,
    crawl_overhead.state,
    timestamps_speed.run,
    replay_speed.run,
    distributed.run,
    scale.full_vs_bare,
    scale.memory,
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="paired runs per benchmark")
    args = parser.parse_args()
    print(table([_measured(benchmark, args.runs) for benchmark in BENCHMARKS]), flush=True)


def _measured(benchmark: Callable[..., Result], runs: int) -> Result:
    """The benchmark's row, with the CPU time the host took while it ran."""
    before = cpu_ticks()
    result = benchmark(runs=runs)
    return replace(result, steal=stolen_share(before, cpu_ticks()))


if __name__ == "__main__":
    main()
