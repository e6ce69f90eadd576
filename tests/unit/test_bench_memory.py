"""The memory benchmark's choice (bench/memory): Lambda's CPU share by memory, the peak with headroom as the
floor, the image function's decode budget, and power tuning's balanced strategy."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH / "memory"))

import bench_memory  # noqa: E402


def test_duration_stretches_cpu_below_one_vcpu_only() -> None:
    assert bench_memory.duration_s(1.0, 0, 1769, 20) == pytest.approx(1.0)
    assert bench_memory.duration_s(1.0, 0, 3538, 20) == pytest.approx(1.0)  # single-threaded: no gain
    assert bench_memory.duration_s(1.0, 0, 512, 20) == pytest.approx(1769 / 512)
    assert bench_memory.duration_s(0.0, 5, 512, 20) == pytest.approx(0.1)  # AWS calls do not speed up


def test_floor_is_the_worst_peak_with_headroom() -> None:
    use = bench_memory.Measured(memory_mb=1024, peak_mb=300.0, hostile_peak_mb=400.0)
    assert bench_memory.floor_mb("analyze-text", use, 1.3) == 520
    assert bench_memory.floor_mb("analyze-text", bench_memory.Measured(memory_mb=512, peak_mb=50), 1.3) == 128


def test_image_function_keeps_a_decode_budget_for_the_largest_admitted_image() -> None:
    use = bench_memory.Measured(memory_mb=2048, peak_mb=300.0)
    # 50 MP at 4 bytes, times the share of memory one decode may take (8): 1,526 MiB.
    assert bench_memory.floor_mb("analyze-images", use, 1.3) == 1526


def test_cpu_bound_function_gets_one_vcpu_and_io_bound_stays_small() -> None:
    cpu_bound = bench_memory.Measured(memory_mb=512, peak_mb=200, runs={"heavy": (1, 10.0, 10.0, 2)})
    chosen, table = bench_memory.choose("analyze-text", cpu_bound, 1.3, 20, 0.5)
    assert chosen == 1769  # same cost up to one vCPU, fastest there; more memory only costs more
    assert table[0]["mb"] == 320  # the floor (200 × 1.3 = 260) rounded up to 64 MB; nothing under it
    io_bound = bench_memory.Measured(memory_mb=512, peak_mb=100, runs={"heavy": (10, 0.05, 2.0, 100)})
    chosen, table = bench_memory.choose("api", io_bound, 1.3, 20, 0.5)
    assert chosen == table[0]["mb"] == 192  # waiting on AWS calls: more memory buys nothing


def test_weight_one_is_the_cheapest_size() -> None:
    use = bench_memory.Measured(memory_mb=512, peak_mb=100, runs={"heavy": (1, 1.0, 1.0, 50)})
    chosen, table = bench_memory.choose("score", use, 1.3, 20, 1.0)
    assert chosen == min(table, key=lambda row: row["cost"])["mb"]
