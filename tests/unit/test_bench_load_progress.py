"""The load benchmark stops waiting once nothing has finished for a while and no scoring execution runs: each run
keeps its own `Progress`."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "load"))

import bench_load

STACK = SimpleNamespace(deployed=SimpleNamespace(state_machine_arn="arn:sm"))


class Executions:
    def __init__(self, running: int) -> None:
        self.running = running
        self.asked: list[dict[str, Any]] = []

    def list_executions(self, **query: Any) -> dict[str, Any]:
        self.asked.append(query)
        return {"executions": [{"executionArn": "a"}] * min(self.running, query["maxResults"])}


def test_a_run_stalls_only_after_a_quiet_minute_with_nothing_running() -> None:
    sfn, progress = Executions(running=0), bench_load.Progress()
    assert not progress.stalled(sfn, STACK, 3, now=1000.0)  # the first count starts the clock
    assert not progress.stalled(sfn, STACK, 3, now=1059.9)
    assert sfn.asked == [], "the executions are not listed while the count is fresh"
    assert progress.stalled(sfn, STACK, 3, now=1060.0)
    assert sfn.asked == [{"stateMachineArn": "arn:sm", "statusFilter": "RUNNING", "maxResults": 1}]
    assert not progress.stalled(sfn, STACK, 4, now=1100.0)  # something finished: the clock starts again
    assert not progress.stalled(sfn, STACK, 4, now=1159.0)
    assert progress.stalled(sfn, STACK, 4, now=1160.0)


def test_a_quiet_run_with_executions_running_is_not_stalled() -> None:
    sfn, progress = Executions(running=2), bench_load.Progress()
    assert not progress.stalled(sfn, STACK, 0, now=0.0)
    assert not progress.stalled(sfn, STACK, 0, now=500.0)
    assert len(sfn.asked) == 1


def test_each_run_keeps_its_own_progress() -> None:
    sfn, first = Executions(running=0), bench_load.Progress()
    first.stalled(sfn, STACK, 5, now=0.0)
    assert first.stalled(sfn, STACK, 5, now=100.0)
    assert not bench_load.Progress().stalled(sfn, STACK, 5, now=100.0), "a new run starts its own clock"
