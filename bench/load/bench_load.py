"""Load: N applications in flight at once through the local partner API, with a mix of platforms and photos; all
must be scored, none lost or doubled. Records throughput, completion times and how many were in flight at
once in BENCHMARKS-load.md.

    python bench/load/bench_load.py [--applications 200] [--uploaders 32]

Every application is created first (creating starts no pipeline), then every export is uploaded by `--uploaders`
threads (in client processes apart from the local stack's), so the last upload of each starts its scoring while
the others are still arriving: the applications are in flight together, not one client's worth at a time. One
partner then follows the API's list (every page, every 2 s) until all are scored, as a partner polling many
applications would. The mix cycles through `MIX`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "BENCHMARKS-load.md"
sys.path.insert(0, str(REPO / "bench"))

from hostinfo import machine  # noqa: E402

# name → exports (platform → generator knobs; None = the repository's sample export of that platform).
MIX: dict[str, dict[str, dict[str, int] | None]] = {
    "LinkedIn only": {"linkedin": None},
    "LinkedIn + Facebook, 200 posts, 10 photos": {"linkedin": None, "facebook": {"posts": 200, "photos": 10}},
    "Facebook 100 posts, 5 photos + Instagram 50 posts, 5 photos": {
        "facebook": {"posts": 100, "photos": 5},
        "instagram": {"posts": 50, "photos": 5},
    },
    "X 300 tweets + LinkedIn": {"x": {"tweets": 300}, "linkedin": None},
}


def make_mix(folder: Path) -> dict[str, dict[str, bytes]]:
    from credscore.synth import make_export

    mix: dict[str, dict[str, bytes]] = {}
    for n, (name, exports) in enumerate(MIX.items()):
        mix[name] = {}
        for platform_name, knobs in exports.items():
            path = REPO / "samples" / f"{platform_name}.zip"
            if knobs is not None:
                path = folder / f"{n}-{platform_name}.zip"
                make_export(platform_name, path, seed=n, layout=None, **knobs)
            mix[name][platform_name] = path.read_bytes()
    return mix


CLIENT_PROCESSES = 4


def _chunks(items: Any, n: int) -> list[list[Any]]:
    items = list(items)
    return [items[k::n] for k in range(n) if items[k::n]]


def _create_chunk(
    job: tuple[str, str, list[tuple[int, str]], dict[str, dict[str, bytes]], int],
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """One client process: create its share of the applications, `uploaders` // processes at a time."""
    from credscore_local.client import PartnerClient

    api_url, key, wanted, mix, uploaders = job
    client = PartnerClient(api_url, key, timeout=300)

    def create(item: tuple[int, str]) -> tuple[str, str, list[dict[str, Any]]]:
        i, kind = item
        created = client.create_application({p: 1 for p in mix[kind]}, reference=f"load-{i}")
        return created["application_id"], kind, created["uploads"]

    with ThreadPoolExecutor(max_workers=max(1, uploaders // CLIENT_PROCESSES)) as pool:
        return list(pool.map(create, wanted))


def _send_chunk(job: tuple[list[tuple[dict[str, Any], bytes]], int]) -> None:
    """One client process: upload its share of the exports to their presigned forms."""
    from credscore_local.client import upload

    forms, uploaders = job
    with ThreadPoolExecutor(max_workers=max(1, uploaders // CLIENT_PROCESSES)) as pool:
        list(pool.map(lambda item: upload(item[0], item[1]), forms))


def run(applications: int, uploaders: int, workers: int) -> dict[str, Any]:
    from credscore_client.client import ApiError
    from credscore_local.client import PartnerClient
    from credscore_local.partners import register_partner
    from credscore_local.stack import LocalStack

    with tempfile.TemporaryDirectory() as tmp:
        mix = make_mix(Path(tmp))
    kinds = list(mix)
    # One load-test partner stands in for many partners here, so its per-partner limit is lifted.
    overrides = {"PartnerRequestsPerMinute": 1_000_000}
    with LocalStack(max_concurrency=workers, parameter_overrides=overrides) as stack:
        key = secrets.token_urlsafe(16)
        register_partner(stack, "load", "Load test", key)
        client = PartnerClient(stack.api_url, key, timeout=300)
        started = time.time()

        # The clients run in processes of their own, as partners and applicants are other machines: the local
        # stack (moto, the API adapter) runs in this process, and 32 client threads here would take its GIL.
        with ProcessPoolExecutor(max_workers=CLIENT_PROCESSES, mp_context=get_context("spawn")) as clients:
            jobs = [
                (stack.api_url, key, [(i, kinds[i % len(kinds)]) for i in chunk], mix, uploaders)
                for chunk in _chunks(range(applications), CLIENT_PROCESSES)
            ]
            created = [c for part in clients.map(_create_chunk, jobs) for c in part]
            ids = [c[0] for c in created]
            forms = [(form, mix[kind][form["platform"]]) for _, kind, uploads in created for form in uploads]
            sends = [(part, uploaders) for part in _chunks(forms, CLIENT_PROCESSES)]
            list(clients.map(_send_chunk, sends))
        uploads_done = time.time()
        mine = set(ids)
        done: dict[str, tuple[str, float]] = {}
        in_flight_samples: list[tuple[float, int]] = []
        api_errors: Counter[int] = Counter()
        deadline = time.time() + 3600
        sfn = stack.client("stepfunctions")
        progress = Progress()
        while (
            len(done) < applications
            and time.time() < deadline
            and not progress.stalled(sfn, stack, len(done))
        ):
            token = None
            while True:  # every page of the list, as a partner would follow next_token
                try:
                    page = client.list_applications(limit=100, next_token=token)
                except ApiError as exc:
                    if exc.status < 500:
                        raise
                    api_errors[exc.status] += 1  # a partner retries a 5xx at its next poll
                    break
                for a in page["applications"]:
                    if a["application_id"] in mine and a["status"] in ("scored", "failed"):
                        done.setdefault(a["application_id"], (a["status"], time.time() - started))
                if not (token := page.get("next_token")):
                    break
            in_flight_samples.append((time.time() - started, applications - len(done)))
            if len(done) < applications:
                time.sleep(2.0)
        elapsed = max((t for _, t in done.values()), default=time.time() - started)
        listed: set[str] = set()
        token = None
        while True:
            page = client.list_applications(limit=100, next_token=token)
            listed |= {a["application_id"] for a in page["applications"]}
            if not (token := page.get("next_token")):
                break
        executions = stack.wait_for_executions(expected=len(forms), timeout=600)
        scoring_runs = sum('"status": "scored"' in (e.get("output") or "") for e in executions)
        failed = Counter(str(e.get("error")) for e in executions if e.get("status") == "FAILED")
        cold = {name: pool.cold_starts for name, pool in stack.runtime.pools.items()} if stack.runtime else {}
        image_calls = sum(
            pool.invocations
            for name, pool in (stack.runtime.pools.items() if stack.runtime else [])
            if name.endswith("analyze-images")
        )
    statuses = [done.get(i, ("lost", 0.0))[0] for i in ids]
    times = [t for _, t in done.values()]
    return {
        "applications": applications,
        "uploaders": uploaders,
        "mix": {kind: sum(1 for _, k, _ in created if k == kind) for kind in kinds},
        "uploads": len(forms),
        "uploads_done_s": uploads_done - started,
        # In flight when the last upload finished: every application not yet scored (none had been by then
        # unless the list's first poll, taken just after, already shows it).
        "peak_in_flight": in_flight_samples[0][1] if in_flight_samples else 0,
        "elapsed_s": elapsed,
        "throughput_per_min": applications / elapsed * 60 if elapsed else 0.0,
        "slowest_s": max(times, default=0.0),
        "median_s": statistics.median(times) if times else 0.0,
        "scored": statuses.count("scored"),
        "other": len(statuses) - statuses.count("scored"),
        "unique_ids": len(set(ids)),
        "scoring_runs": scoring_runs,
        "listed": len(listed & set(ids)),
        "cold_starts": cold,
        "image_invocations": image_calls,
        "workers": workers,
        "failed_executions": dict(failed),
        "api_errors": dict(api_errors),
    }


@dataclass
class Progress:
    """How many applications had finished when that count last changed, and when: what tells a stalled run from a
    slow one. One per run, passed to the polling loop."""

    finished: int = -1
    since: float = 0.0

    def stalled(
        self, sfn: Any, stack: Any, finished: int, after_s: float = 60.0, now: float | None = None
    ) -> bool:
        """Nothing finished for `after_s` and no scoring execution is running: the rest are lost (their executions
        failed before recording it); stop waiting and report them instead of polling until the deadline."""
        now = time.time() if now is None else now
        if finished != self.finished:
            self.finished, self.since = finished, now
            return False
        if now - self.since < after_s:
            return False
        running = sfn.list_executions(
            stateMachineArn=stack.deployed.state_machine_arn, statusFilter="RUNNING", maxResults=1
        )["executions"]
        return not running


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=200, help="applications in flight at once")
    parser.add_argument("--uploaders", type=int, default=32, help="threads creating and uploading")
    parser.add_argument(
        "--workers",
        type=int,
        default=4,
        help="the local stack's warm workers per function (Lambda's scale-out, on this machine's cores)",
    )
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    r = run(args.applications, args.uploaders, args.workers)
    # Every application is scored exactly once and found by following the list's pages.
    ok = r["scored"] == r["applications"] == r["unique_ids"] == r["scoring_runs"]
    ok = ok and r["listed"] == r["applications"]
    cold = ", ".join(f"{k.removeprefix('credscore-dev-')} {v}" for k, v in sorted(r["cold_starts"].items()))
    polls_failed = ", ".join(f"{n} × HTTP {code}" for code, n in r["api_errors"].items()) or "none"
    failed = ", ".join(f"{n} {e}" for e, n in r["failed_executions"].items()) or "none"
    mix = "\n".join(f"| {kind} | {count} |" for kind, count in r["mix"].items())
    report = f"""# Load on the embedded local stack

{time.strftime("%Y-%m-%d")}, {machine()}; load average {load:.1f} at the start.
Command: `python bench/load/bench_load.py --applications {r["applications"]} --uploaders {r["uploaders"]} \
--workers {r["workers"]}`
(also `make bench`; these are the defaults).

{r["applications"]} applications are created through the local HTTP API, then their {r["uploads"]} exports are
uploaded by {r["uploaders"]} threads in {CLIENT_PROCESSES} client processes (done {r["uploads_done_s"]:.1f} s after the
start), so all of them are in flight together; one partner follows the API's list every 2 s until all are
scored. Every application runs the real state machine (ingest, the three analysis branches, score) with at most
{r["workers"]} warm workers per function.

| mix (cycled) | applications |
|---|---|
{mix}

| measure | value |
|---|---|
| all scored, none lost | {"yes" if ok else "NO"} ({r["scored"]} scored, {r["other"]} other) |
| in flight when the uploads were done (not yet scored) | {r["peak_in_flight"]} |
| distinct applications | {r["unique_ids"]} |
| scoring executions | {r["scoring_runs"]} |
| failed executions (by error) | {failed} |
| the partner's polls answered with a 5xx (retried at the next poll) | {polls_failed} |
| in the API's list (all pages followed) | {r["listed"]} |
| image function invocations | {r["image_invocations"]} |
| wall time (start → last scored, seen at a 2 s poll) | {r["elapsed_s"]:.1f} s |
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
