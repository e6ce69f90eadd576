"""Where the fixed time of one applicant's run on the local stack goes: a timeline from the last upload's
completion to the scored application, from the execution's history (each state entered and exited, each Lambda
task scheduled, started and finished), the local stack's own hand-offs (the upload event pump starting the
execution, each function pool's call and the handler's time inside its worker) and the partner client's polls.

    python bench/e2e/profile_overhead.py [--applicant heavy|typical] [--runs 2] [--poll 0.2]

The first run includes every function's cold start; the critical path of each warm one is printed as a table
(`--timeline`: every mark too). Writes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "e2e"))

from bench_pipeline import HEAVY, make_exports  # noqa: E402

TYPICAL = {
    "facebook": ("B", {"posts": 300, "comments": 200, "photos": 40, "groups": 10, "pages": 10}),
    "linkedin": (None, {"connections": 150, "skills": 10}),
}


class Recorder:
    """Wall-clock marks from the stack's threads (time.time(), as the execution history's timestamps)."""

    def __init__(self) -> None:
        self.marks: list[tuple[float, str]] = []
        self.pool_calls: list[
            tuple[str, float, float, float | None]
        ] = []  # function, start, end, handler CPU s
        self.pump: dict[
            str, tuple[float, float]
        ] = {}  # execution name: (event received, StartExecution returned)
        self._lock = threading.Lock()

    def mark(self, what: str, at: float | None = None) -> None:
        with self._lock:
            self.marks.append((time.time() if at is None else at, what))

    def clear(self) -> None:
        with self._lock:
            self.marks.clear()
            self.pool_calls.clear()
            self.pump.clear()


def instrument(stack: Any, recorder: Recorder) -> None:
    pump = stack._upload_pump
    start_from_event = pump.start_from_event

    def traced_start(sfn: Any, body: str, message_id: str) -> None:
        received = time.time()
        recorder.mark("pump: event received, StartExecution called", received)
        start_from_event(sfn, body, message_id)
        recorder.mark("pump: StartExecution returned")
        recorder.pump["s3-" + message_id] = (received, time.time())

    pump.start_from_event = traced_start
    for name, pool in stack.runtime.pools.items():
        short = name.removeprefix("credscore-dev-")

        def traced_invoke(event: Any, pool: Any = pool, short: str = short) -> Any:
            started = time.time()
            result = type(pool).invoke(pool, event)
            ended = time.time()
            stats = pool.stats[-1] if pool.stats else None
            cpu = None if stats is None or stats.cpu_ms is None else stats.cpu_ms / 1000
            recorder.mark(f"pool {short}: call starts", started)
            cpu_text = "" if cpu is None else f", handler CPU {cpu:.3f} s"
            recorder.mark(f"pool {short}: call returns ({ended - started:.3f} s{cpu_text})", ended)
            with recorder._lock:
                recorder.pool_calls.append((short, started, ended, cpu))
            return result

        pool.invoke = traced_invoke


FUNCTIONS = {"ReceiveUpload": "receive-upload", "Ingest": "ingest", "Score": "score"}


def breakdown(
    recorder: Recorder, uploaded: float, execution: dict[str, Any], events: list[dict[str, Any]], seen: float
) -> list[tuple[str, float]]:
    """The critical path of the scoring execution, segment by segment (seconds)."""
    at: dict[tuple[str, str], float] = {}  # first timestamp of (event type, state) in the history
    state = ""
    for event in events:
        details = event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails") or {}
        state = details.get("name", state) if event["type"].endswith("StateEntered") and details else state
        key = (event["type"], details.get("name") or (state if event["type"].startswith("Lambda") else ""))
        at.setdefault(key, event["timestamp"].timestamp())
    received, returned = recorder.pump[execution["name"]]
    rows = [
        ("upload done → the event reaches the pump (S3 → EventBridge → local queue)", received - uploaded),
        ("pump: StartExecution call", returned - received),
        ("StartExecution → ExecutionStarted (moto: definition parsed, interpreter thread)", 0.0),
    ]
    rows[2] = (rows[2][0], at[("ExecutionStarted", "")] - execution["startDate"].timestamp())
    previous_exit = at[("ExecutionStarted", "")]
    for name in ("ReceiveUpload", "Ingest", "Analyse", "Score"):
        kind = "ParallelState" if name == "Analyse" else "TaskState"
        entered, exited = at[(f"{kind}Entered", name)], at[(f"{kind}Exited", name)]
        rows.append((f"transition into {name}", entered - previous_exit))
        if name in FUNCTIONS:
            scheduled = at[("LambdaFunctionScheduled", name)]
            calls = [c for c in recorder.pool_calls if c[0] == FUNCTIONS[name] and c[1] >= scheduled]
            _, start, end, cpu = min(calls, key=lambda c: c[1])
            rows.append((f"{name}: state entered → worker called (moto's Lambda invoke)", start - entered))
            rows.append((f"{name}: handler in its worker, wall", end - start))
            rows.append(
                (f"{name}: handler in its worker, CPU (not on the path: part of the wall above)", cpu or 0)
            )
            rows.append((f"{name}: worker returned → state exited", exited - end))
        else:
            rows.append((f"{name} (Parallel: text, profanity, image batches)", exited - entered))
        previous_exit = exited
    stopped = execution["stopDate"].timestamp()
    rows.append(("last state exited → execution stopped", stopped - previous_exit))
    rows.append(("wall: upload done → execution stopped (the benchmark's wall)", stopped - uploaded))
    rows.append(("not in the wall: execution stopped → the client's poll sees it", seen - stopped))
    return rows


def run(
    stack: Any, client: Any, paths: dict[str, Path], poll: float, recorder: Recorder
) -> list[tuple[str, float]]:
    from credscore_local.client import upload

    created = client.create_application({name: 1 for name in paths})
    recorder.clear()
    for form in created["uploads"]:
        upload(form, paths[form["platform"]])
        recorder.mark(f"client: upload of {form['platform']} done")
    uploaded = time.time()
    original_get = client.application
    seen = [0.0]

    def traced_application(application_id: str) -> Any:
        state = original_get(application_id)
        recorder.mark(f"client: poll sees {state['status']}")
        seen[0] = time.time()
        return state

    client.application = traced_application
    try:
        state = client.wait(created["application_id"], timeout=600, poll=poll)
    finally:
        client.application = original_get
    assert state["status"] == "scored", state
    execution = stack.scoring_execution(created["application_id"])
    recorder.mark("execution: started", execution["startDate"].timestamp())
    recorder.mark("execution: stopped", execution["stopDate"].timestamp())
    events = stack.client("stepfunctions").get_execution_history(
        executionArn=execution["executionArn"], maxResults=1000
    )["events"]
    for event in events:
        details = event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails") or {}
        label = f"{event['type']} {details.get('name', '')}".strip()
        recorder.mark(f"history: {label}", event["timestamp"].timestamp())
    if VERBOSE:
        print(f"\nTimeline (seconds after the last upload finished; {len(events)} history events)")
        previous = uploaded
        for at, what in sorted(recorder.marks):
            print(f"{at - uploaded:8.3f}  (+{at - previous:6.3f})  {what}")
            previous = at
    return breakdown(recorder, uploaded, execution, events, seen[0])


VERBOSE = False


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applicant", choices=["heavy", "typical"], default="heavy")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--poll", type=float, default=0.2, help="the client's poll interval")
    parser.add_argument("--timeline", action="store_true", help="also print every run's whole timeline")
    parser.add_argument(
        "--as-before",
        action="store_true",
        help="A/B: moto parses the definition at every execution and the pump starts executions one at a time",
    )
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.timeline
    import secrets

    import bench_pipeline

    from credscore_local import asl_cache, event_pump
    from credscore_local.client import PartnerClient
    from credscore_local.partners import register_partner
    from credscore_local.stack import LocalStack

    if args.applicant == "typical":
        bench_pipeline.HEAVY = TYPICAL
    assert HEAVY
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_exports(Path(tmp))
        if args.as_before:
            event_pump.DELIVERY_THREADS = 1
        with LocalStack() as stack:
            key = secrets.token_urlsafe(16)
            register_partner(stack, "bench", "Bench", key)
            client = PartnerClient(stack.api_url, key, timeout=600)
            if args.as_before:
                asl_cache.uninstall()
            recorder = Recorder()
            instrument(stack, recorder)
            runs = [run(stack, client, paths, args.poll, recorder) for _ in range(args.runs)]
    warm = runs[1:] or runs
    print(f"\n{args.applicant} applicant; {len(warm)} warm run(s); load average {os.getloadavg()[0]:.1f}")
    print("| segment | " + " | ".join(f"run {n}" for n in range(1, len(warm) + 1)) + " |")
    print("|---|" + "---|" * len(warm))
    for index, (segment, _) in enumerate(warm[0]):
        print(f"| {segment} | " + " | ".join(f"{r[index][1]:.2f}" for r in warm) + " |")


if __name__ == "__main__":
    main()
