"""What every benchmark shares: paired timing and the result row."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


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


def table(results: list[Result]) -> str:
    header = ("benchmark", "ours", "baseline", "ratio", "target", "ok", "runs")
    rows = [header]
    for r in results:
        ours, base = f"{r.ours:.3f} {r.unit}", f"{r.baseline:.3f} {r.unit}"
        meets = "yes" if r.meets else "NO"
        rows.append((r.name, ours, base, f"{r.ratio:.3f}", r.target, meets, str(r.runs)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(line.rstrip() for line in lines)
