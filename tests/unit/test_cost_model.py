"""The cost model's arithmetic (bench/cost): Lambda's CPU share by memory, the 2021 design's Comprehend minimum,
what the Bucket Key does to KMS requests, and the capacity simulation's queueing."""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "cost"))

import capacity_sim
import cost_model


def _run(**overrides: object) -> cost_model.Run:
    fields: dict[str, object] = {
        "name": "t",
        "sources": 1,
        "archive_bytes": 1000,
        "photos": 2,
        "texts": [50, 250, 301],
        "distinct_texts": [50],
        "functions": {},
        "executions": 1,
        "transitions": 10,
        "transitions_by_state": Counter(),
        "wall_s": 10.0,
        "peak_stored_bytes": 1000,
        "kept_bytes": 0,
        "item_bytes": 900,
        "api_requests": 2,
        "uploads": 1,
    }
    fields.update(overrides)
    return cost_model.Run(**fields)  # type: ignore[arg-type]


def test_cpu_time_is_stretched_by_the_functions_share_of_a_vcpu() -> None:
    small = cost_model.FunctionUse(memory_mb=512, cpu_s=1.0, calls=Counter({"s3:GetObject": 2}))
    assert small.aws_seconds(io_ms=20) == pytest.approx(1769 / 512 + 0.04)
    assert small.gb_seconds(io_ms=20) == pytest.approx((1769 / 512 + 0.04) * 0.5)
    big = cost_model.FunctionUse(memory_mb=2048, cpu_s=1.0)
    assert big.aws_seconds(io_ms=20) == pytest.approx(1.0)  # a full vCPU and more: no stretch, no speed-up


def test_the_2021_bill_charges_comprehends_three_unit_minimum_twice_per_text() -> None:
    old = cost_model.bill_2021(_run())
    # 50 chars → 3 units (minimum), 250 → 3, 301 → 4; two calls each.
    units = 2 * (3 + 3 + 4)
    assert old.lines[1][1] == units
    assert old.total == pytest.approx(2 * 0.001 + units * 0.0001)
    assert cost_model.bill_2021(_run(), distinct=True).lines[1][1] == 2 * 3


def test_the_bucket_key_cuts_kms_requests_that_grow_with_objects() -> None:
    use = cost_model.FunctionUse(memory_mb=512, calls=Counter({"s3:PutObject": 3, "s3:GetObject": 6}))
    run = _run(functions={"f": use})
    kms = {line[0]: line[1] for line in cost_model.bill(run, io_ms=0, bucket_key=False).lines}
    assert kms["KMS requests (no Bucket Key)"] == 3 + 6 + 1  # the applicant's upload is an object written too
    kms = {line[0]: line[1] for line in cost_model.bill(run, io_ms=0, bucket_key=True).lines}
    assert kms["KMS requests (Bucket Key)"] == pytest.approx(0.1)
    lines = {line[0]: line[1] for line in cost_model.bill(run, io_ms=0).lines}
    assert lines["S3 PUT/POST/LIST requests"] == 3 + 1
    assert lines["S3 GET/HEAD requests"] == 6
    assert lines["Step Functions state transitions"] == 10


def test_erlang_c_matches_the_textbook_value() -> None:
    assert capacity_sim.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert capacity_sim.erlang_c(10, 10.0) == 1.0


def test_invocations_wait_only_when_the_concurrency_is_used_up() -> None:
    kind = capacity_sim.Profile(uploads=1, stages=[[0.1], [0.1], [1.0], [2.0, 2.0], [0.5]], transitions=10)
    kinds = {"heavy": kind, "typical": kind}
    roomy = capacity_sim.simulate(100_000, 1000, kinds, 0.1, 60, seed=3)
    assert roomy["completed"] == roomy["arrivals"] > 0
    assert roomy["wait_p99"] == 0.0
    assert roomy["latency_p50"] == pytest.approx(0.1 + 0.1 + 1.0 + 2.0 + 0.5, rel=0.5)
    tight = capacity_sim.simulate(100_000, 4, kinds, 0.1, 60, seed=3)
    assert tight["wait_p99"] > 1.0
    assert tight["busy_peak"] == 4


def test_start_execution_tokens_refill_at_the_quota_rate() -> None:
    sim = capacity_sim.Simulation(10, random.Random(0))
    delays = [sim.start_execution() for _ in range(capacity_sim.START_BUCKET + 300)]
    assert delays[capacity_sim.START_BUCKET - 1] == 0.0
    assert delays[-1] == pytest.approx(300 / capacity_sim.START_REFILL)


def test_the_reference_host_scales_the_cpu_part_of_a_bill_not_its_round_trips() -> None:
    use = cost_model.FunctionUse(memory_mb=1024, cpu_s=1.0, calls=Counter({"s3:GetObject": 50}))
    run = _run(functions={"f": use})
    # CPU part 1,769/1,024 s at 1 GB; a host twice as fast as the reference doubles it, the 50 GETs stay.
    half = cost_model.REFERENCE_MODEL_MS / 2
    assert cost_model.reference_extra_usd(run, half) == pytest.approx(1769 / 1024 * 0.0000166667)
    assert cost_model.reference_extra_usd(run, cost_model.REFERENCE_MODEL_MS) == 0.0


def _measured(host_model_ms: float | None) -> dict[str, object]:
    fn = {"invocations": 2, "memory_mb": 1769, "aws_seconds": 3.0, "aws_cpu_seconds": 2.0, "cpu_seconds": 2.0}
    applicant = {"uploads": 1, "transitions": 10, "functions": {"ingest": fn}}
    found: dict[str, object] = {"io_ms": 20, "applicants": {"heavy": applicant, "typical": applicant}}
    if host_model_ms is not None:
        found["host_model_ms"] = host_model_ms
    return found


def test_the_capacity_plan_stretches_only_the_cpu_part_to_the_reference_host() -> None:
    measured = _measured(10.0)
    assert capacity_sim.cpu_scale(measured, reference_model_ms=25.0) == pytest.approx(2.5)
    assert capacity_sim.cpu_scale(_measured(None), reference_model_ms=25.0) == 1.0  # unknown: as measured
    kinds = capacity_sim.profiles(measured, scale=2.5)
    # 2 invocations of (1.0 s of round trips + 2.0 s of CPU × 2.5) / 2
    assert kinds["heavy"].stages[2] == pytest.approx([3.0, 3.0])
    assert capacity_sim.profiles(measured)["heavy"].stages[2] == pytest.approx([1.5, 1.5])


def test_the_throttle_retry_budget_is_the_state_machines_retrier() -> None:
    def asl(retry: list[dict[str, object]]) -> dict[str, object]:
        return {"States": {"Ingest": {"Type": "Task", "Retry": retry}}}

    throttled = {
        "ErrorEquals": ["Lambda.TooManyRequestsException"],
        "IntervalSeconds": 5,
        "MaxAttempts": 8,
        "BackoffRate": 2.0,
        "MaxDelaySeconds": 60,
    }
    other = {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 2}
    assert capacity_sim.throttle_retry_budget(asl([other, throttled])) == 5 + 10 + 20 + 40 + 4 * 60
    assert capacity_sim.throttle_retry_budget(asl([other])) == 0.0
    uncapped = {k: v for k, v in throttled.items() if k != "MaxDelaySeconds"} | {"MaxAttempts": 3}
    assert capacity_sim.throttle_retry_budget(asl([uncapped])) == 5 + 10 + 20
