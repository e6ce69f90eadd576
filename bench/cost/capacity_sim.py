"""Queueing at 10k, 100k and 1M applications a day with 10× peaks, from the measured function durations.

A discrete-event simulation of the peak: applications arrive as a Poisson stream at 10 × the day's average rate;
each runs the state machine's Lambda invocations in order — the partner's create (authorizer + API), one
ReceiveUpload per upload, Ingest, then AnalyzeText, AnalyzeProfanity and every AnalyzeImages batch in parallel,
then Score — with each invocation's duration drawn around the modelled AWS duration measured by cost_model.py
(`bench/cost/measured.json`; lognormal, σ 0.3), its CPU part scaled from the measuring host's speed to the
reference host's (`hostinfo.REFERENCE_MODEL_MS`), so a faster host does not make the plan look roomier. Every
invocation needs one slot of the account's Lambda concurrency; without a free slot it waits (in AWS it is throttled
and the state machine retries it as statemachine.asl.json's Lambda.TooManyRequestsException retrier says, so a
wait past the sum of its delays fails that state). Each upload's StartExecution takes a token from Step Functions'
bucket (us-east-1: 1,300, refilled at 300/s); without one, EventBridge retries it later.
An Erlang-C (M/M/c) figure for the same offered load is printed beside it as a check.

Writes the section between the `capacity_sim` markers of docs/capacity.md.

    python bench/cost/capacity_sim.py [--minutes 10] [--heavy-share 0.1] [--seed 1]
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
MEASURED = BENCH / "measured.json"
ASL = REPO / "statemachine.asl.json"
sys.path.insert(0, str(BENCH.parent))

from hostinfo import REFERENCE_MODEL_MS  # noqa: E402

DOC = REPO / "docs" / "capacity.md"
BEGIN, END = "<!-- capacity_sim:begin -->", "<!-- capacity_sim:end -->"

DAILY = (10_000, 100_000, 1_000_000)
PEAK = 10
CONCURRENCY = (1_000, 3_000)  # the account default, and a raised quota
START_BUCKET, START_REFILL = 1_300, 300.0  # Step Functions Standard StartExecution, us-east-1
SIGMA = 0.3


def throttle_retry_budget(asl: dict[str, Any], state: str = "Ingest") -> float:
    """The longest a throttled invocation of `state` is retried before the state fails: the sum of its
    Lambda.TooManyRequestsException retrier's delays (each capped at MaxDelaySeconds; full jitter waits up to it)."""
    retriers = [
        r
        for r in asl["States"][state].get("Retry", [])
        if "Lambda.TooManyRequestsException" in r["ErrorEquals"]
    ]
    if not retriers:
        return 0.0
    r = retriers[0]
    interval, backoff = float(r.get("IntervalSeconds", 1)), float(r.get("BackoffRate", 2.0))
    cap = float(r.get("MaxDelaySeconds", float("inf")))
    return sum(min(cap, interval * backoff**k) for k in range(int(r.get("MaxAttempts", 3))))


RETRY_BUDGET_S = throttle_retry_budget(json.loads(ASL.read_text(encoding="utf-8")))
RATES_HEADER = (
    "| applications/day | applications/s | Lambda concurrency needed (λ·S) | StartExecution | state transitions "
    "| S3 requests | DynamoDB requests | KMS requests without Bucket Key |"
)
SIM_HEADER = (
    "| applications/day | arrivals/s | account concurrency | arrived | completed | peak slots busy "
    f"| wait p50 / p99 (s) | invocations waiting > {RETRY_BUDGET_S:g} s | latency p50 / p99 (s) "
    "| longest StartExecution delay (s) |"
)


@dataclass
class Profile:
    """One applicant kind: per stage, the invocations and their mean modelled AWS seconds."""

    uploads: int
    stages: list[list[float]]  # each stage: the durations of its parallel invocations
    transitions: int


def cpu_scale(measured: dict[str, Any], reference_model_ms: float = REFERENCE_MODEL_MS) -> float:
    """How much slower the reference host runs the CPU part than the host that measured it (1 when unknown)."""
    host = measured.get("host_model_ms")
    return reference_model_ms / float(host) if host else 1.0


def profiles(measured: dict[str, Any], scale: float = 1.0) -> dict[str, Profile]:
    """Per applicant kind, its stages' durations: each function's modelled AWS seconds with the CPU part × scale."""
    found = {}
    for name, applicant in measured["applicants"].items():
        fns = applicant["functions"]

        def each(fn: str, fns: dict[str, Any] = fns) -> list[float]:
            use = fns.get(fn)
            if not use or not use["invocations"]:
                return []
            seconds = use["aws_seconds"] + (scale - 1) * use.get("aws_cpu_seconds", use["aws_seconds"])
            return [seconds / use["invocations"]] * use["invocations"]

        found[name] = Profile(
            uploads=applicant["uploads"],
            stages=[
                each("partner-authorizer")[:1] + each("api")[:1],  # the partner's create
                each("receive-upload"),
                each("ingest"),
                each("analyze-text") + each("analyze-profanity") + each("analyze-images"),
                each("score"),
            ],
            transitions=applicant["transitions"],
        )
    return found


@dataclass(order=True)
class _Event:
    at: float
    seq: int
    action: Callable[[], None] = field(compare=False)


class Simulation:
    def __init__(self, concurrency: int, rng: random.Random) -> None:
        self.now = 0.0
        self.free = concurrency
        self.waiting: deque[tuple[float, float, Callable[[], None]]] = deque()
        self.events: list[_Event] = []
        self.seq = 0
        self.rng = rng
        self.waits: list[float] = []
        self.busy_peak = 0
        self.concurrency = concurrency
        self.tokens = float(START_BUCKET)
        self.token_time = 0.0
        self.start_delays: list[float] = []

    def at(self, when: float, action: Callable[[], None]) -> None:
        self.seq += 1
        heapq.heappush(self.events, _Event(when, self.seq, action))

    def invoke(self, mean: float, done: Callable[[], None]) -> None:
        duration = mean * self.rng.lognormvariate(-(SIGMA**2) / 2, SIGMA)  # mean-preserving
        self.waiting.append((self.now, duration, done))
        self._dispatch()

    def _dispatch(self) -> None:
        while self.free and self.waiting:
            queued, duration, done = self.waiting.popleft()
            self.free -= 1
            self.busy_peak = max(self.busy_peak, self.concurrency - self.free)
            self.waits.append(self.now - queued)

            def finish(done: Callable[[], None] = done) -> None:
                self.free += 1
                done()
                self._dispatch()

            self.at(self.now + duration, finish)

    def start_execution(self) -> float:
        """Delay before this StartExecution gets a token (tokens are taken in arrival order)."""
        self.tokens = min(START_BUCKET, self.tokens + (self.now - self.token_time) * START_REFILL)
        self.token_time = self.now
        self.tokens -= 1
        delay = 0.0 if self.tokens >= 0 else -self.tokens / START_REFILL
        self.start_delays.append(delay)
        return delay

    def run(self, until: float) -> None:
        while self.events and self.events[0].at <= until:
            event = heapq.heappop(self.events)
            self.now = event.at
            event.action()


def simulate(
    daily: int, concurrency: int, kinds: dict[str, Profile], heavy_share: float, seconds: float, seed: int
) -> dict[str, float]:
    rng = random.Random(seed)
    sim = Simulation(concurrency, rng)
    rate = daily / 86_400 * PEAK
    latencies: list[float] = []
    arrivals = 0

    def stage(durations: list[float], then: Callable[[], None]) -> None:
        """Invoke all in parallel; `then` once the last has finished."""
        if not durations:
            then()
            return
        left = [len(durations)]

        def one_done() -> None:
            left[0] -= 1
            if left[0] == 0:
                then()

        for mean in durations:
            sim.invoke(mean, one_done)

    def application(kind: Profile, arrived: float) -> None:
        create, receive, ingest, analyse, score = kind.stages

        def done() -> None:
            latencies.append(sim.now - arrived)

        def after_receive() -> None:
            stage(ingest, lambda: stage(analyse, lambda: stage(score, done)))

        def after_create() -> None:
            # Each upload's S3 event starts an execution (a StartExecution token each) that runs ReceiveUpload;
            # the last to finish claims the application and goes on to Ingest.
            left = [len(receive)]

            def received() -> None:
                left[0] -= 1
                if left[0] == 0:
                    after_receive()

            for mean in receive:
                delay = sim.start_execution()
                sim.at(sim.now + delay, partial(sim.invoke, mean, received))

        stage(create, after_create)

    t = 0.0
    heavy, typical = kinds["heavy"], kinds["typical"]
    while True:
        t += rng.expovariate(rate)
        if t > seconds:
            break
        arrivals += 1
        kind = heavy if rng.random() < heavy_share else typical
        sim.at(t, partial(application, kind, t))
    sim.run(seconds + 3600)
    waits = sorted(sim.waits)
    lat = sorted(latencies)

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, int(p * len(values)))] if values else 0.0

    return {
        "rate": rate,
        "arrivals": arrivals,
        "completed": len(latencies),
        "busy_peak": sim.busy_peak,
        "wait_p50": pct(waits, 0.5),
        "wait_p99": pct(waits, 0.99),
        "over_budget": sum(w > RETRY_BUDGET_S for w in waits) / max(1, len(waits)),
        "latency_p50": pct(lat, 0.5),
        "latency_p99": pct(lat, 0.99),
        "start_delay_max": max(sim.start_delays, default=0.0),
    }


def erlang_c(servers: int, offered: float) -> float:
    """Probability that an arrival waits in M/M/c with `offered` = λ·E[S] erlangs (1.0 when saturated)."""
    if offered >= servers:
        return 1.0
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= offered / k
        total += term
    term *= offered / servers
    top = term * servers / (servers - offered)
    return top / (total + top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the simulated peak")
    parser.add_argument("--heavy-share", type=float, default=0.1, help="share of heavy applicants in the mix")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--measured", type=Path, default=MEASURED)
    args = parser.parse_args(argv)
    measured = json.loads(args.measured.read_text(encoding="utf-8"))
    scale = cpu_scale(measured)
    kinds = profiles(measured, scale)
    share = args.heavy_share
    apps = measured["applicants"]

    def mixed(key: str) -> float:
        return float(share * apps["heavy"][key] + (1 - share) * apps["typical"][key])

    lambda_s = {
        name: sum(sum(stage) for stage in kind.stages) for name, kind in kinds.items()
    }  # Lambda-seconds per application
    per_app_s = share * lambda_s["heavy"] + (1 - share) * lambda_s["typical"]
    invocations = {name: sum(len(stage) for stage in kind.stages) for name, kind in kinds.items()}
    per_app_inv = share * invocations["heavy"] + (1 - share) * invocations["typical"]
    rows, checks = [], []
    started = time.time()
    for daily in DAILY:
        rate = daily / 86_400 * PEAK
        offered = rate * per_app_s
        for c in CONCURRENCY:
            r = simulate(daily, c, kinds, share, args.minutes * 60, args.seed)
            rows.append(
                f"| {daily:,} | {r['rate']:.1f} | {c:,} | {r['arrivals']:,} | {r['completed']:,} | "
                f"{r['busy_peak']:,} | {r['wait_p50']:.2f} / {r['wait_p99']:.2f} | {r['over_budget']:.2%} | "
                f"{r['latency_p50']:.1f} / {r['latency_p99']:.1f} | {r['start_delay_max']:.1f} |"
            )
            checks.append(
                f"| {daily:,} | {c:,} | {offered:,.0f} | {offered / c:.0%} | {erlang_c(c, offered):.3f} |"
            )
        print(f"simulated {daily:,}/day", file=sys.stderr)
    per_second = [
        f"| {daily:,} | {daily / 86_400 * PEAK:.1f} | {daily / 86_400 * PEAK * per_app_s:,.0f} | "
        f"{daily / 86_400 * PEAK * mixed('executions'):,.0f} | "
        f"{daily / 86_400 * PEAK * mixed('transitions'):,.0f} | {daily / 86_400 * PEAK * mixed('s3_requests'):,.0f} | "
        f"{daily / 86_400 * PEAK * mixed('ddb_requests'):,.0f} | "
        f"{daily / 86_400 * PEAK * mixed('kms_requests_without_bucket_key'):,.0f} |"
        for daily in DAILY
    ]
    host_ms = measured.get("host_model_ms", "unknown")
    section = f"""{BEGIN}
Generated by `python bench/cost/capacity_sim.py --minutes {args.minutes:g} --heavy-share {share:g} --seed {args.seed}`
(also `make bench`; these are the defaults) from `bench/cost/measured.json` (written by `bench/cost/cost_model.py`),
{time.strftime("%Y-%m-%d")}; {time.time() - started:.0f} s of simulation. Lambda durations: the CPU part × {scale:.2f},
from the measuring host's speed ({host_ms} ms a model run) to the reference's ({REFERENCE_MODEL_MS:g} ms).
A throttled invocation is retried for up to {RETRY_BUDGET_S:g} s (statemachine.asl.json) before its state fails.

Mix: {share:.0%} heavy applicants ({lambda_s["heavy"]:.1f} Lambda-seconds, {invocations["heavy"]} invocations,
{apps["heavy"]["uploads"]} uploads each), {1 - share:.0%} typical ({lambda_s["typical"]:.1f} Lambda-seconds,
{invocations["typical"]} invocations, {apps["typical"]["uploads"]} uploads): {per_app_s:.2f} Lambda-seconds and
{per_app_inv:.1f} invocations per application on average.

Rates at the 10× peak (per second):

{RATES_HEADER}
|---|---|---|---|---|---|---|---|
{chr(10).join(per_second)}

Simulated peak ({args.minutes:g} minutes at 10× the average rate; waits are for a free concurrency slot):

{SIM_HEADER}
|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Check (M/M/c, each slot a server, offered load λ·S erlangs):

| applications/day | concurrency | offered load | utilisation | P(wait), Erlang C |
|---|---|---|---|---|
{chr(10).join(checks)}
{END}"""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Capacity\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    DOC.write_text(head + section + rest.split(END, 1)[1], encoding="utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
