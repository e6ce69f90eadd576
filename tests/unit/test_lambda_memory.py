"""The local Lambda runtime enforces each function's MemorySize as Lambda does: a worker whose resident memory
passes it is killed and the call fails with `Runtime.OutOfMemory`; every call's peak is recorded."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from credscore_local import memory
from credscore_local.lambda_runtime import (
    MEMORY_POLL_FAR_SECONDS,
    MEMORY_POLL_SECONDS,
    OUT_OF_MEMORY_ERROR,
    FunctionPool,
    memory_poll_seconds,
)
from tests.local_functions import one_file_function

pytestmark = pytest.mark.skipif(not memory.proc_available(), reason="needs /proc (Linux)")

HANDLER = textwrap.dedent(
    """
    import time

    def lambda_handler(event, context):
        block = b"x" * (event["mb"] * 1024 * 1024)  # touched pages: resident, unlike a bare reservation
        if event.get("hold"):
            time.sleep(event["hold"])
        size = len(block)
        del block  # a spike freed before returning still counts, as in Lambda's cgroup
        return {"allocated": size, "limit_mb": context.memory_limit_in_mb}
    """
)
LIMIT_MB = 160


# Its import loads what a model would: held (seconds) or freed again before the handler is ready.
HEAVY_IMPORT = textwrap.dedent(
    """
    import time

    _loaded = b"x" * (MB * 1024 * 1024)
    time.sleep(HOLD)
    if not KEEP:
        del _loaded

    def lambda_handler(event, context):
        return {"ok": True}
    """
)


def _start_pool(tmp_path: Path, source: str) -> FunctionPool:
    code = tmp_path / "code"
    code.mkdir()
    spec = one_file_function(code, "hog", source, memory_mb=LIMIT_MB)
    logs = tmp_path / "logs"
    logs.mkdir()
    return FunctionPool(
        spec, {"CREDSCORE_LOCAL_LOG_DIR": str(logs)}, "arn:aws:lambda:eu-west-1:123456789012:function:hog", 1
    )


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[FunctionPool]:
    running = _start_pool(tmp_path, HANDLER)
    yield running
    running.stop()


def _call(pool: FunctionPool, mb: int, hold: float = 0.0) -> tuple[dict[str, object], bool]:
    payload, errored = pool.invoke({"mb": mb, "hold": hold})
    return json.loads(payload), errored


def test_a_call_under_the_limit_passes_and_its_peak_is_recorded(pool: FunctionPool) -> None:
    result, errored = _call(pool, 40)
    assert not errored, result
    assert result == {"allocated": 40 * memory.MIB, "limit_mb": LIMIT_MB}
    stats = pool.stats[-1]
    assert stats.outcome == "ok"
    assert stats.max_memory_used_mb is not None
    # The 40 MiB block plus the interpreter, and no more than the limit.
    assert 40 < stats.max_memory_used_mb < LIMIT_MB
    assert pool.peak_memory_mb == stats.max_memory_used_mb


def test_a_call_past_the_limit_fails_as_out_of_memory_and_the_worker_is_replaced(pool: FunctionPool) -> None:
    _call(pool, 1)
    assert pool.cold_starts == 1
    result, errored = _call(pool, LIMIT_MB + 40, hold=5)  # held: killed by the poll, not at the end
    assert errored
    assert result["errorType"] == OUT_OF_MEMORY_ERROR
    assert "Runtime exited with error: signal: killed" in str(result["errorMessage"])
    assert pool.stats[-1].outcome == "out_of_memory"
    assert pool.stats[-1].duration_ms < 4000, "killed while running, not after the handler's sleep"
    # The sandbox is gone: the next call cold-starts a new one and, under the limit, succeeds.
    result, errored = _call(pool, 10)
    assert not errored, result
    assert pool.cold_starts == 2


def test_a_worker_is_read_often_only_once_it_nears_its_limit() -> None:
    limit = LIMIT_MB * memory.MIB
    assert memory_poll_seconds(limit // 2 - 1, limit) == MEMORY_POLL_FAR_SECONDS
    assert memory_poll_seconds(limit // 2, limit) == MEMORY_POLL_SECONDS
    assert memory_poll_seconds(limit, limit) == MEMORY_POLL_SECONDS
    assert memory_poll_seconds(0, limit, high_water_mark=False) == MEMORY_POLL_SECONDS, (
        "no /proc: spikes missed"
    )
    assert MEMORY_POLL_SECONDS < MEMORY_POLL_FAR_SECONDS


def test_a_worker_far_under_its_limit_costs_few_reads(
    pool: FunctionPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    _call(pool, 1)  # started: its import is read apart
    reads: list[int] = []
    read = memory.read

    def counted(pid: int) -> memory.MemoryReading | None:
        reads.append(pid)
        return read(pid)

    monkeypatch.setattr(memory, "read", counted)
    _call(pool, 1, hold=1.0)
    far = len(reads)
    reads.clear()
    _call(pool, LIMIT_MB * 2 // 3, hold=1.0)  # over half the limit while it holds
    near = len(reads)
    # Every 0.1 s (~10 reads) far under the limit; every 0.02 s near it (fewer on a busy host, never more).
    assert 2 <= far <= 1.0 / MEMORY_POLL_FAR_SECONDS * 2
    assert near > far


def test_a_spike_freed_before_the_handler_returns_still_fails(pool: FunctionPool) -> None:
    result, errored = _call(pool, LIMIT_MB + 40)
    assert errored
    assert result["errorType"] == OUT_OF_MEMORY_ERROR


def test_the_peak_is_per_invocation_not_the_workers_lifetime(pool: FunctionPool) -> None:
    _call(pool, 100)
    _call(pool, 1)
    big, small = pool.stats[-2], pool.stats[-1]
    assert big.max_memory_used_mb is not None
    assert small.max_memory_used_mb is not None
    assert small.max_memory_used_mb < big.max_memory_used_mb - 50


def test_the_log_carries_lambdas_report_lines(pool: FunctionPool, tmp_path: Path) -> None:
    _call(pool, 5)
    _call(pool, LIMIT_MB + 40)
    log = (tmp_path / "logs" / "hog.log").read_text()
    reports = [line for line in log.splitlines() if line.startswith("REPORT RequestId: ")]
    assert len(reports) == 2
    assert all(f"Memory Size: {LIMIT_MB} MB" in line and "Max Memory Used: " in line for line in reports)
    assert f"Error: Runtime exited with error: signal: killed\n{OUT_OF_MEMORY_ERROR}\nREPORT" in log


def test_enforcement_can_be_switched_off(pool: FunctionPool) -> None:
    pool.enforce_memory = False
    result, errored = _call(pool, LIMIT_MB + 40)
    assert not errored, result
    peak = pool.stats[-1].max_memory_used_mb
    assert peak is not None
    assert peak > LIMIT_MB, "still measured, only not enforced"


@pytest.mark.parametrize(
    ("mb", "hold", "keep"),
    [
        (LIMIT_MB + 40, 5.0, True),  # still loading when the poll sees it
        (LIMIT_MB + 40, 0.0, False),  # a spike freed before the worker is ready: its high-water mark
    ],
    ids=["held", "spike"],
)
def test_an_import_past_the_limit_fails_the_first_call_as_out_of_memory(
    tmp_path: Path, mb: int, hold: float, keep: bool
) -> None:
    source = HEAVY_IMPORT.replace("MB *", f"{mb} *").replace("HOLD", str(hold)).replace("KEEP", str(keep))
    pool = _start_pool(tmp_path, source)
    try:
        result, errored = _call(pool, 0)
        assert errored, result
        assert result["errorType"] == OUT_OF_MEMORY_ERROR
        stats = pool.stats[-1]
        assert stats.outcome == "out_of_memory"
        assert stats.max_memory_used_mb is not None
        assert stats.max_memory_used_mb > LIMIT_MB
        if hold:
            assert stats.duration_ms < 4500, "killed while importing, not after the import's sleep"
    finally:
        pool.stop()


def test_an_import_under_the_limit_is_not_charged_to_the_call(tmp_path: Path) -> None:
    source = HEAVY_IMPORT.replace("MB *", "60 *").replace("HOLD", "0").replace("KEEP", "False")
    pool = _start_pool(tmp_path, source)
    try:
        result, errored = _call(pool, 0)
        assert not errored, result
        assert pool.stats[-1].outcome == "ok"
    finally:
        pool.stop()
