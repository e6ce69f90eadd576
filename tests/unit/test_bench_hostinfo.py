"""The benchmarks' reports name the CPU from /proc/cpuinfo, and what `platform` knows where that has none."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import hostinfo


def _cpuinfo(monkeypatch: pytest.MonkeyPatch, text: str | None) -> None:
    real = Path.read_text

    def read_text(self: Path, *args: Any, **kwargs: Any) -> str:
        if str(self) != "/proc/cpuinfo":
            return real(self, *args, **kwargs)
        if text is None:
            raise FileNotFoundError(self)
        return text

    monkeypatch.setattr(hostinfo.Path, "read_text", read_text)
    monkeypatch.setattr(hostinfo.platform, "processor", lambda: "")
    monkeypatch.setattr(hostinfo.platform, "machine", lambda: "aarch64")


def test_the_model_name_is_read_from_cpuinfo(monkeypatch: pytest.MonkeyPatch) -> None:
    _cpuinfo(monkeypatch, "processor\t: 0\nvendor_id\t: X\nmodel name\t: Some CPU @ 2.00GHz\nflags\t: a: b\n")
    assert hostinfo.cpu_model() == "Some CPU @ 2.00GHz"
    monkeypatch.setattr(hostinfo.os, "cpu_count", lambda: 3)
    assert hostinfo.machine().startswith("3 cores, Some CPU @ 2.00GHz, Python 3.")


@pytest.mark.parametrize(
    "text", [None, "processor\t: 0\nBogoMIPS\t: 50.00\n"], ids=["no cpuinfo", "no model name"]
)
def test_without_a_model_name_platform_says_what_it_knows(
    monkeypatch: pytest.MonkeyPatch, text: str | None
) -> None:
    _cpuinfo(monkeypatch, text)
    assert hostinfo.cpu_model() == "aarch64"
    monkeypatch.setattr(hostinfo.platform, "processor", lambda: "arm")
    assert hostinfo.cpu_model() == "arm"


def test_the_report_line_carries_the_hosts_speed_measured_once(monkeypatch: pytest.MonkeyPatch) -> None:
    hostinfo.model_run_ms.cache_clear()
    runs: list[int] = []
    monkeypatch.setattr(hostinfo.statistics, "median", lambda times: runs.append(len(times)) or 0.0265)
    assert hostinfo.machine().endswith("; one nudenet 320n run 26.5 ms (host speed)")
    hostinfo.machine()
    assert runs == [30], "the model runs 30 times, once per process"
    hostinfo.model_run_ms.cache_clear()
