"""The benchmark table's ``steal`` column: the CPU time the host took while a row ran."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.common import PROC_STAT, Result, cpu_ticks, stolen_share, table


def stat_file(tmp_path: Path, first_line: str) -> Path:
    path = tmp_path / "stat"
    path.write_text(first_line + "\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 12345\n", encoding="ascii")
    return path


def test_cpu_ticks_reads_steal_and_all_ticks(tmp_path: Path) -> None:
    # user nice system idle iowait irq softirq steal guest guest_nice
    path = stat_file(tmp_path, "cpu  100 4 20 800 5 1 3 12 7 0")
    assert cpu_ticks(path) == (12, 945)


@pytest.mark.parametrize("first_line", ["cpu  100 4 20 800", "intr 12345"])
def test_cpu_ticks_without_a_steal_count(tmp_path: Path, first_line: str) -> None:
    assert cpu_ticks(stat_file(tmp_path, first_line)) is None


def test_cpu_ticks_without_the_file(tmp_path: Path) -> None:
    assert cpu_ticks(tmp_path / "missing") is None


@pytest.mark.skipif(not PROC_STAT.exists(), reason="no /proc/stat on this system")
def test_cpu_ticks_on_this_machine() -> None:
    first, second = cpu_ticks(), cpu_ticks()
    assert first is not None and second is not None
    assert 0 <= first[0] <= first[1] <= second[1]


def test_stolen_share() -> None:
    assert stolen_share((10, 1000), (40, 2000)) == pytest.approx(0.03)
    assert stolen_share(None, (40, 2000)) is None
    assert stolen_share((10, 1000), (10, 1000)) is None


def test_table_prints_the_steal_column() -> None:
    rows = [
        Result("crawl, a vs b", "s", 9.5, 8.6, 1.105, "<= 1.10", False, 5, steal=0.0314),
        Result("speed", "pages/s", 200.0, 60.0, 3.3, ">= 3", True, 5),
    ]
    header, first, second = table(rows).splitlines()
    assert header.split() == ["benchmark", "ours", "baseline", "ratio", "target", "ok", "runs",
                              "steal"]  # fmt: skip
    assert first.endswith("NO   5     3.1%")
    assert second.endswith("yes  5     -")
