"""Load: N applications submitted concurrently through the local partner API; all must complete, none lost or
doubled. Records throughput and the slowest completion in BENCHMARKS-load.md.

    python bench/load/bench_load.py [--applications 200] [--clients 16]
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "linkedin.zip"
OUT = REPO / "BENCHMARKS-load.md"


def run(applications: int, clients: int) -> dict[str, Any]:
    from credscore_client import CredscoreClient, upload
    from credscore_local.partners import register_partner
    from credscore_local.stack import LocalStack

    data = SAMPLE.read_bytes()
    # One load-test partner stands in for many partners here, so its per-partner limit is lifted.
    with LocalStack(max_concurrency=2, parameter_overrides={"PartnerRequestsPerMinute": 1_000_000}) as stack:
        key = secrets.token_urlsafe(16)
        register_partner(stack, "load", "Load test", key)
        client = CredscoreClient(stack.api_url, key, timeout=120)
        started = time.time()

        def one(i: int) -> tuple[str, float, str]:
            created = client.create({"linkedin": 1}, reference=f"load-{i}")
            upload(created.uploads[0], data)
            state = client.wait(created.application_id, timeout=1800, poll=1.0)
            return created.application_id, time.time() - started, state.status

        with ThreadPoolExecutor(max_workers=clients) as pool:
            outcomes = list(pool.map(one, range(applications)))
        elapsed = time.time() - started
        ids = [o[0] for o in outcomes]
        statuses = [o[2] for o in outcomes]
        # every page of the list, as a partner would follow next_token
        listed = {a.application_id for a in client.iter_applications(page_size=100)}
        executions = stack.wait_for_executions(expected=applications)
        scoring_runs = sum('"status": "scored"' in (e.get("output") or "") for e in executions)
        cold = {name: pool.cold_starts for name, pool in stack.runtime.pools.items()} if stack.runtime else {}
    return {
        "applications": applications,
        "clients": clients,
        "elapsed_s": elapsed,
        "throughput_per_min": applications / elapsed * 60,
        "slowest_s": max(o[1] for o in outcomes),
        "median_s": statistics.median(o[1] for o in outcomes),
        "scored": statuses.count("scored"),
        "other": len(statuses) - statuses.count("scored"),
        "unique_ids": len(set(ids)),
        "scoring_runs": scoring_runs,
        "listed": len(listed & set(ids)),
        "cold_starts": cold,
    }


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args(argv)
    r = run(args.applications, args.clients)
    # Every application is scored exactly once and found by following the list's pages.
    ok = r["scored"] == r["applications"] == r["unique_ids"] == r["scoring_runs"]
    ok = ok and r["listed"] == r["applications"]
    cold = ", ".join(f"{k.removeprefix('credscore-dev-')} {v}" for k, v in sorted(r["cold_starts"].items()))
    report = f"""# Load on the embedded local stack

{time.strftime("%Y-%m-%d")}, {machine()}.
Command: `python bench/load/bench_load.py --applications {r["applications"]} --clients {r["clients"]}`

{r["applications"]} applications (one LinkedIn export each) created, uploaded and polled by {r["clients"]} concurrent
partner clients through the local HTTP API; every one runs the real state machine (ingest, the three analysis
branches, score) with at most 2 warm workers per function.

| measure | value |
|---|---|
| all scored, none lost | {"yes" if ok else "NO"} ({r["scored"]} scored, {r["other"]} other) |
| distinct applications | {r["unique_ids"]} |
| scoring executions | {r["scoring_runs"]} |
| in the API's list (all pages followed) | {r["listed"]} |
| wall time | {r["elapsed_s"]:.1f} s |
| throughput | {r["throughput_per_min"]:.1f} applications/min |
| median completion (from the start) | {r["median_s"]:.1f} s |
| slowest completion (from the start) | {r["slowest_s"]:.1f} s |

Cold starts per function: {cold}.
On this 2-core machine the local stack (moto, the Step Functions interpreter, the workers) shares the cores with
the clients, so these numbers describe the local stack, not AWS.
"""
    OUT.write_text(report, encoding="utf-8")
    print(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
