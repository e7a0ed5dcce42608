"""What every benchmark shares: paired timing and the result row."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: Linux's count of each CPU state's clock ticks since boot, all CPUs on its first line.
PROC_STAT = Path("/proc/stat")


@dataclass(frozen=True, slots=True)
class Result:
    """One table row: medians of ours, of the baseline and of their per-pair ratio."""

    name: str
    unit: str
    ours: float
    baseline: float
    ratio: float
    target: str
    meets: bool
    runs: int
    #: Share of the machine's CPU time its host took while the row ran (``stolen_share``).
    steal: float | None = None


def paired_medians(
    ours: Callable[[], object], baseline: Callable[[], object], runs: int
) -> tuple[float, float, float]:
    """Median seconds of each side and median of the per-pair ratios.

    The order alternates pair by pair so neither side always runs on a warmer machine.
    """
    ours_times, base_times = [], []
    for index in range(runs):
        pair = [(ours, ours_times), (baseline, base_times)]
        for function, times in pair if index % 2 == 0 else reversed(pair):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    ratios = [o / b for o, b in zip(ours_times, base_times, strict=True)]
    return statistics.median(ours_times), statistics.median(base_times), statistics.median(ratios)


def at_most(
    name: str, unit: str, medians: tuple[float, float, float], target: float, runs: int
) -> Result:
    """A row whose ratio (ours over the baseline, from ``paired_medians``) must stay at or
    under ``target``."""
    ours, baseline, ratio = medians
    return Result(name, unit, ours, baseline, ratio, f"<= {target:.2f}", ratio <= target, runs)


def cpu_ticks(stat: Path = PROC_STAT) -> tuple[int, int] | None:
    """Clock ticks the host took from this virtual machine's CPUs (``steal``) and all
    ticks, since boot; None where ``stat`` does not say."""
    try:
        with open(stat, encoding="ascii") as lines:
            fields = lines.readline().split()
    except OSError:
        return None
    # cpu user nice system idle iowait irq softirq steal ...: guest time is within user's.
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    ticks = [int(value) for value in fields[1:9]]
    return ticks[7], sum(ticks)


def stolen_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of all CPU time between two ``cpu_ticks`` readings that the host took: on
    a shared host, what a row's timings lost to other machines."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def table(results: list[Result]) -> str:
    header = ("benchmark", "ours", "baseline", "ratio", "target", "ok", "runs", "steal")
    rows = [header]
    for r in results:
        ours, base = f"{r.ours:.3f} {r.unit}", f"{r.baseline:.3f} {r.unit}"
        meets = "yes" if r.meets else "NO"
        steal = "-" if r.steal is None else f"{r.steal:.1%}"
        rows.append((r.name, ours, base, f"{r.ratio:.3f}", r.target, meets, str(r.runs), steal))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(line.rstrip() for line in lines)
