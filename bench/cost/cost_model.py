"""The AWS bill per application, from a real run of each applicant on the embedded local stack.

For each applicant (the e2e benchmark's standard heavy applicant, and a typical one: LinkedIn + Facebook with 200
posts and 30 camera-sized photos) this runs the whole product once warm (after one cold run that is not billed
here) and collects, from the run itself:

- every function invocation's duration, CPU time, memory size and peak memory (`FunctionPool.stats`, the REPORT
  lines), and the AWS calls each invocation made (`InvocationStats.aws_calls`, counted in the worker beside the
  IAM guard);
- the Step Functions state transitions (states entered in the history of every execution the application
  started: one per upload);
- the bytes its functions wrote to their logs, the bytes it kept in S3 and for how long, its DynamoDB item sizes.

It prices them with the us-east-1 list prices in `PRICES` and writes BENCHMARKS-cost.md, beside the bill the 2021
design would have run up for the same applicant (one Rekognition DetectModerationLabels call per photo, two
Comprehend calls per text with Comprehend's 3-unit minimum), and `bench/cost/measured.json`, the modelled AWS
durations that `capacity_sim.py` queues.

    python bench/cost/cost_model.py [--io-ms 20]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
OUT = REPO / "BENCHMARKS-cost.md"
MEASURED = BENCH / "measured.json"
sys.path[:0] = [str(REPO / "bench" / "e2e"), str(REPO / "bench")]

from bench_pipeline import HEAVY  # noqa: E402  (the e2e benchmark's standard heavy applicant)
from hostinfo import REFERENCE_MODEL_MS, machine, model_run_ms  # noqa: E402

TYPICAL: dict[str, tuple[str | None, dict[str, int]]] = {
    "facebook": (None, {"posts": 200, "photos": 30, "large_photos": 30}),
    "linkedin": (None, {}),
}
APPLICANTS = {"heavy": HEAVY, "typical": TYPICAL}

# Lambda gives a function CPU in proportion to its memory: 1,769 MB is one full vCPU.
MB_PER_VCPU = 1769

# us-east-1 list prices, from each service's pricing page on aws.amazon.com as the author knew them in 2025
# (this machine has no network to re-read them): first tier, no free tier, no Savings Plans.
PRICES_AS_OF = "2025 (first price tier; Lambda x86_64; DynamoDB on-demand after the 2024-11-01 cut)"
PRICES: dict[str, tuple[float, str, str]] = {
    # key: (USD per unit, unit, source page)
    "lambda_gb_s": (0.0000166667, "GB-second", "aws.amazon.com/lambda/pricing"),
    "lambda_request": (0.20 / 1e6, "request", "aws.amazon.com/lambda/pricing"),
    "sfn_transition": (0.025 / 1000, "state transition (Standard)", "aws.amazon.com/step-functions/pricing"),
    "s3_put": (0.005 / 1000, "PUT, COPY, POST, LIST request", "aws.amazon.com/s3/pricing"),
    "s3_get": (0.0004 / 1000, "GET, HEAD and other request", "aws.amazon.com/s3/pricing"),
    "s3_gb_hour": (0.023 / 730, "GB-hour of S3 Standard (0.023 per GB-month)", "aws.amazon.com/s3/pricing"),
    "ddb_wru": (0.625 / 1e6, "write request unit (on-demand)", "aws.amazon.com/dynamodb/pricing/on-demand"),
    "ddb_rru": (0.125 / 1e6, "read request unit (on-demand)", "aws.amazon.com/dynamodb/pricing/on-demand"),
    "kms_request": (0.03 / 10000, "KMS request", "aws.amazon.com/kms/pricing"),
    "ssm_standard": (0.0, "GetParameter, standard parameter and throughput", "aws.amazon.com/systems-manager/pricing"),
    "ssm_higher": (
        0.05 / 10000,
        "GetParameter, higher throughput or an Advanced parameter",
        "aws.amazon.com/systems-manager/pricing",
    ),
    "eventbridge_s3_event": (0.0, "S3 event on the default bus (free)", "aws.amazon.com/eventbridge/pricing"),
    "logs_gb": (0.50, "GB of CloudWatch Logs ingested (Standard class)", "aws.amazon.com/cloudwatch/pricing"),
    "xray_trace": (5.00 / 1e6, "X-Ray trace recorded (Tracing: Active)", "aws.amazon.com/xray/pricing"),
    "http_api_request": (1.00 / 1e6, "API Gateway HTTP API request", "aws.amazon.com/api-gateway/pricing"),
    "rekognition_image": (0.001, "Rekognition DetectModerationLabels image", "aws.amazon.com/rekognition/pricing"),
    "comprehend_unit": (0.0001, "Comprehend unit (100 chars, 3 a request min.)", "aws.amazon.com/comprehend/pricing"),
}  # fmt: skip

# Lambda writes START, END and REPORT lines for every invocation; the local runtime writes only REPORT.
PLATFORM_LOG_BYTES = 160


@dataclass
class FunctionUse:
    memory_mb: int
    invocations: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_mb: float = 0.0
    calls: Counter[str] = field(default_factory=Counter)
    log_bytes: int = 0

    def io_calls(self) -> int:
        return sum(self.calls.values())

    def aws_cpu_seconds(self) -> float:
        """CPU time stretched to the function's share of a vCPU (a function under 1,769 MB gets memory/1,769 of
        one). Above 1,769 MB no speed-up is assumed (as if the work were single-threaded), so it errs high."""
        return self.cpu_s * max(1.0, MB_PER_VCPU / self.memory_mb)

    def aws_seconds(self, io_ms: float) -> float:
        """The duration AWS would bill: the CPU part, plus a round trip per AWS call."""
        return self.aws_cpu_seconds() + self.io_calls() * io_ms / 1000

    def gb_seconds(self, io_ms: float) -> float:
        return self.aws_seconds(io_ms) * self.memory_mb / 1024


@dataclass
class Run:
    name: str
    sources: int
    archive_bytes: int
    photos: int
    texts: list[int]  # characters of each text item the text analysis reads
    distinct_texts: list[int]  # characters of each distinct text it scores (count_sentiment scores each once)
    functions: dict[str, FunctionUse]
    executions: int
    transitions: int
    transitions_by_state: Counter[str]
    wall_s: float
    peak_stored_bytes: int
    kept_bytes: int
    item_bytes: int
    api_requests: int
    uploads: int


def make_exports(spec: dict[str, tuple[str | None, dict[str, int]]], folder: Path) -> dict[str, Path]:
    from credscore.synth import make_export

    paths = {}
    for seed, (name, (layout, knobs)) in enumerate(spec.items(), start=7):
        paths[name] = folder / f"{name}.zip"
        make_export(name, paths[name], seed=seed, layout=layout, **knobs)
    return paths


def profile_of(paths: dict[str, Path]) -> tuple[int, list[int], list[int]]:
    """Photos, text lengths as the pipeline's ingest sees them (posts and comments, which the text analysis
    reads), and the lengths of the distinct ones (per platform, posts and comments apart, as it scores them)."""
    from credscore.analysis.sentiment import COMMENT_KINDS, POST_KINDS
    from credscore.ingest.ingest_archive import ingest_archive
    from credscore.profile import Platform, Profile

    profile = Profile(application_id="cost")
    for name, path in paths.items():
        with path.open("rb") as fh:
            ingest_archive(profile, Platform(name), fh, str(path))
    items = [t for t in profile.texts if t.kind in POST_KINDS | COMMENT_KINDS]
    distinct = {(str(t.platform), t.kind in POST_KINDS, t.text) for t in items}
    return len(profile.media), [len(t.text) for t in items], [len(text) for _, _, text in distinct]


def _objects(stack: Any, application_id: str) -> list[dict[str, Any]]:
    s3 = stack.client("s3")
    found: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stack.deployed.bucket):
        found.extend(o for o in page.get("Contents", []) if application_id in o["Key"])
    return found


def _executions(stack: Any, application_id: str) -> list[dict[str, Any]]:
    sfn = stack.client("stepfunctions")
    pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=stack.deployed.state_machine_arn)
    described = (
        sfn.describe_execution(executionArn=e["executionArn"]) for p in pages for e in p["executions"]
    )
    return [d for d in described if application_id in d.get("input", "") + d.get("output", "")]


def _states_entered(stack: Any, execution_arn: str) -> Counter[str]:
    sfn = stack.client("stepfunctions")
    entered: Counter[str] = Counter()
    token = None
    while True:
        kwargs: dict[str, Any] = {"nextToken": token} if token else {}
        page = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000, **kwargs)
        for event in page["events"]:
            if "stateEnteredEventDetails" in event:
                entered[event["stateEnteredEventDetails"]["name"]] += 1
        if not (token := page.get("nextToken")):
            return entered


def _item_bytes(stack: Any, application_id: str) -> int:
    """The largest DynamoDB item of the application (attribute names and values, as DynamoDB sizes them)."""
    table = stack.client("dynamodb")
    largest = 0
    for page in table.get_paginator("scan").paginate(TableName=stack.deployed.table):
        for item in page["Items"]:
            text = json.dumps(item)
            if application_id in text:
                largest = max(largest, len(text.encode()))
    return largest


def run_applicant(
    stack: Any, client: Any, name: str, paths: dict[str, Path], profile: tuple[int, list[int], list[int]]
) -> Run:
    from credscore_local.client import upload

    assert stack.runtime is not None
    pools = stack.runtime.pools
    seen = {fn: len(pool.stats) for fn, pool in pools.items()}
    log_sizes = {fn: _log_size(stack, fn) for fn in pools}
    created = client.create_application({platform: 1 for platform in paths})
    application_id = created["application_id"]
    started = time.time()
    for form in created["uploads"]:
        upload(form, paths[form["platform"]])
    peak = 0
    deadline = time.time() + 3600
    while (execution := stack.scoring_execution(application_id)) is None:
        if time.time() > deadline:
            raise SystemExit(f"{name}: not scored within an hour")
        peak = max(peak, sum(o["Size"] for o in _objects(stack, application_id)))
        time.sleep(1.0)
    wall = execution["stopDate"].timestamp() - started
    client.result(application_id)  # the partner reads the result once
    kept = sum(o["Size"] for o in _objects(stack, application_id))
    functions: dict[str, FunctionUse] = {}
    for fn, pool in pools.items():
        new = list(pool.stats)[seen[fn] :]
        if not new:
            continue
        use = functions[fn.removeprefix("credscore-dev-")] = FunctionUse(memory_mb=pool.spec.memory_mb)
        for stats in new:
            use.invocations += 1
            use.wall_s += stats.duration_ms / 1000
            use.cpu_s += (stats.cpu_ms or 0.0) / 1000
            use.peak_mb = max(use.peak_mb, stats.max_memory_used_mb or 0.0)
            use.calls.update(stats.aws_calls)
        use.log_bytes = _log_size(stack, fn) - log_sizes[fn] + PLATFORM_LOG_BYTES * use.invocations
    executions = _executions(stack, application_id)
    entered: Counter[str] = Counter()
    for described in executions:
        entered.update(_states_entered(stack, described["executionArn"]))
    api = functions.get("api")
    return Run(
        name=name,
        sources=len(paths),
        archive_bytes=sum(p.stat().st_size for p in paths.values()),
        photos=profile[0],
        texts=profile[1],
        distinct_texts=profile[2],
        functions=functions,
        executions=len(executions),
        transitions=sum(entered.values()),
        transitions_by_state=entered,
        wall_s=wall,
        peak_stored_bytes=max(peak, sum(p.stat().st_size for p in paths.values())),
        kept_bytes=kept,
        item_bytes=_item_bytes(stack, application_id),
        api_requests=api.invocations if api else 0,
        uploads=len(created["uploads"]),
    )


def _log_size(stack: Any, function_name: str) -> int:
    path = Path(stack.log_dir) / f"{function_name}.log"
    return path.stat().st_size if path.exists() else 0


# S3 operations by price class; DELETE is free, a multi-object delete (a POST) is priced as a PUT here.
S3_PUT_CLASS = {"PutObject", "CopyObject", "PostObject", "ListObjectsV2", "ListObjects", "DeleteObjects",
                "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}  # fmt: skip
S3_FREE = {"DeleteObject", "AbortMultipartUpload"}
DDB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}
DDB_TRANSACT = {"TransactWriteItems"}
DDB_READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}


@dataclass
class Bill:
    lines: list[tuple[str, float, str, float]]  # (item, quantity, unit price key, USD)

    @property
    def total(self) -> float:
        return sum(line[3] for line in self.lines)


def bill(run: Run, io_ms: float, bucket_key: bool = True, ssm_key: str = "ssm_standard") -> Bill:
    calls: Counter[str] = Counter()
    for use in run.functions.values():
        calls.update(use.calls)
    s3 = {op.split(":", 1)[1]: n for op, n in calls.items() if op.startswith("s3:")}
    # The applicant's browser uploads each export with a presigned POST: an S3 PUT-class request.
    s3_put = sum(n for op, n in s3.items() if op in S3_PUT_CLASS) + run.uploads
    s3_get = sum(n for op, n in s3.items() if op not in S3_PUT_CLASS | S3_FREE)
    writes_to_objects = sum(
        n for op, n in s3.items() if op in {"PutObject", "CopyObject", "CompleteMultipartUpload"}
    )
    gets = s3.get("GetObject", 0)
    # SSE-KMS without a Bucket Key: a GenerateDataKey per object written, a Decrypt per object read. With the
    # template's Bucket Key, S3 asks KMS for a bucket-level key it reuses for a while for every object: KMS
    # requests no longer grow with objects (AWS: up to 99 % fewer); 1 % of the count is kept as an upper bound.
    kms_plain = writes_to_objects + run.uploads + gets
    kms = kms_plain * 0.01 if bucket_key else kms_plain
    ddb = {op.split(":", 1)[1]: n for op, n in calls.items() if op.startswith("dynamodb:")}
    unit_kb = max(1, math.ceil(run.item_bytes / 1024))
    # A write to the applications table also writes the partner and collecting indexes (+2, an upper bound);
    # a transaction costs twice its items. Reads: strongly consistent, ceil(size / 4 KB) units.
    wru = sum(n for op, n in ddb.items() if op in DDB_WRITES) * (unit_kb + 2)
    wru += sum(n for op, n in ddb.items() if op in DDB_TRANSACT) * 2 * (unit_kb + 2)
    rru = sum(n for op, n in ddb.items() if op in DDB_READS) * max(1, math.ceil(run.item_bytes / 4096))
    ssm = sum(n for op, n in calls.items() if op.startswith("ssm:"))
    gb_s = sum(use.gb_seconds(io_ms) for use in run.functions.values())
    requests = sum(use.invocations for use in run.functions.values())
    log_gb = sum(use.log_bytes for use in run.functions.values()) / 1e9
    stored_gb_h = run.peak_stored_bytes / 1e9 * run.wall_s / 3600
    quantities = [
        ("Lambda compute (GB-s)", gb_s, "lambda_gb_s"),
        ("Lambda requests", requests, "lambda_request"),
        ("Step Functions state transitions", run.transitions, "sfn_transition"),
        ("S3 PUT/POST/LIST requests", s3_put, "s3_put"),
        ("S3 GET/HEAD requests", s3_get, "s3_get"),
        ("S3 storage while processing (GB-h)", stored_gb_h, "s3_gb_hour"),
        ("DynamoDB write units", wru, "ddb_wru"),
        ("DynamoDB read units", rru, "ddb_rru"),
        ("KMS requests" + (" (Bucket Key)" if bucket_key else " (no Bucket Key)"), kms, "kms_request"),
        ("SSM GetParameter", ssm, ssm_key),
        ("EventBridge S3 events", run.uploads, "eventbridge_s3_event"),
        ("CloudWatch Logs ingested (GB)", log_gb, "logs_gb"),
        ("X-Ray traces", run.executions, "xray_trace"),
        ("API Gateway HTTP API requests", run.api_requests, "http_api_request"),
    ]
    return Bill([(item, q, key, q * PRICES[key][0]) for item, q, key in quantities])


def bill_2021(run: Run, distinct: bool = False) -> Bill:
    """One Rekognition moderation call per photo; two Comprehend calls per text, each max(3, ⌈chars/100⌉) units
    (`distinct`: per distinct text only, as if that design had de-duplicated like this one)."""
    texts = run.distinct_texts if distinct else run.texts
    units = sum(2 * max(3, math.ceil(chars / 100)) for chars in texts)
    image, unit = PRICES["rekognition_image"][0], PRICES["comprehend_unit"][0]
    return Bill(
        [
            ("Rekognition DetectModerationLabels", run.photos, "rekognition_image", run.photos * image),
            (f"Comprehend units ({2 * len(texts)} requests)", units, "comprehend_unit", units * unit),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--io-ms", type=float, default=20.0, help="billed wait per AWS call in Lambda (ms)")
    args = parser.parse_args(argv)
    from credscore_local.client import PartnerClient
    from credscore_local.partners import register_partner
    from credscore_local.stack import LocalStack

    runs: dict[str, Run] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        exports = {}
        for name, spec in APPLICANTS.items():
            (Path(tmp) / name).mkdir()
            exports[name] = make_exports(spec, Path(tmp) / name)
        with LocalStack() as stack:
            key = secrets.token_urlsafe(16)
            register_partner(stack, "cost", "Cost model", key)
            client = PartnerClient(stack.api_url, key, timeout=120)
            # One cold run of the typical applicant warms every function; it is not billed here.
            run_applicant(stack, client, "warm-up", exports["typical"], profile_of(exports["typical"]))
            for name, paths in exports.items():
                runs[name] = run_applicant(stack, client, name, paths, profile_of(paths))
    load_after = os.getloadavg()
    report = render(runs, args.io_ms, load_before[0], load_after[0])
    OUT.write_text(report, encoding="utf-8")
    MEASURED.write_text(json.dumps(measured(runs, args.io_ms), indent=1) + "\n", encoding="utf-8")
    print(report)
    return 0


def measured(runs: dict[str, Run], io_ms: float) -> dict[str, Any]:
    """What capacity_sim.py needs: per applicant, each function's invocations and modelled AWS seconds (and
    their CPU part, which follows the measuring host's speed, `host_model_ms`)."""
    return {
        "io_ms": io_ms,
        "host_model_ms": round(model_run_ms(), 2),
        "applicants": {
            name: {
                "transitions": run.transitions,
                "executions": run.executions,
                "uploads": run.uploads,
                "s3_requests": sum(
                    n for use in run.functions.values() for op, n in use.calls.items() if op.startswith("s3:")
                )
                + run.uploads,
                "kms_requests_without_bucket_key": sum(
                    n
                    for use in run.functions.values()
                    for op, n in use.calls.items()
                    if op in ("s3:PutObject", "s3:GetObject", "s3:CopyObject")
                )
                + run.uploads,
                "ddb_requests": sum(
                    n
                    for use in run.functions.values()
                    for op, n in use.calls.items()
                    if op.startswith("dynamodb:")
                ),
                "functions": {
                    fn: {
                        "invocations": use.invocations,
                        "memory_mb": use.memory_mb,
                        "aws_seconds": round(use.aws_seconds(io_ms), 3),
                        "aws_cpu_seconds": round(use.aws_cpu_seconds(), 3),
                        "cpu_seconds": round(use.cpu_s, 3),
                    }
                    for fn, use in sorted(run.functions.items())
                },
            }
            for name, run in runs.items()
        },
    }


def reference_extra_usd(run: Run, host_model_ms: float) -> float:
    """What the run's Lambda CPU time would add (or save) at the reference host speed: the CPU part of each
    function's GB-s scaled by reference / measured model-run time; the AWS round trips do not scale."""
    cpu_gb_s = sum(use.aws_cpu_seconds() * use.memory_mb / 1024 for use in run.functions.values())
    return (REFERENCE_MODEL_MS / host_model_ms - 1) * cpu_gb_s * PRICES["lambda_gb_s"][0]


def _usd(value: float) -> str:
    return f"${value:.6f}" if value < 0.01 else f"${value:,.4f}"


def render(runs: dict[str, Run], io_ms: float, load_before: float, load_after: float) -> str:
    heavy, typical = runs["heavy"], runs["typical"]
    bills = {name: bill(run, io_ms) for name, run in runs.items()}
    worst = {name: bill(run, io_ms, bucket_key=False, ssm_key="ssm_higher") for name, run in runs.items()}
    old = {name: bill_2021(run) for name, run in runs.items()}
    old_distinct = {name: bill_2021(run, distinct=True) for name, run in runs.items()}
    # A heavy applicant whose 502 photos were camera-sized: the image function's cost per photo as measured on
    # the typical applicant's camera-sized photos, instead of the thumbnails'.
    per_photo = {
        name: run.functions["analyze-images"].gb_seconds(io_ms) / max(1, run.photos)
        for name, run in runs.items()
        if "analyze-images" in run.functions
    }
    camera_extra = heavy.photos * max(0.0, per_photo.get("typical", 0.0) - per_photo.get("heavy", 0.0))
    heavy_camera = bills["heavy"].total + camera_extra * PRICES["lambda_gb_s"][0]
    host_ms = model_run_ms()
    at_reference = {name: bills[name].total + reference_extra_usd(run, host_ms) for name, run in runs.items()}

    def function_rows(run: Run) -> str:
        rows = []
        for fn, use in sorted(run.functions.items()):
            calls = ", ".join(f"{op} {n}" for op, n in sorted(use.calls.items())) or "none"
            rows.append(
                f"| {fn} | {use.invocations} | {use.memory_mb} | {use.peak_mb:.0f} | {use.wall_s:.2f} | "
                f"{use.cpu_s:.2f} | {use.aws_seconds(io_ms):.2f} | {use.gb_seconds(io_ms):.2f} | {calls} |"
            )
        return "\n".join(rows)

    def bill_rows() -> str:
        rows = []
        for i, (item, *_) in enumerate(bills["heavy"].lines):
            h, t = bills["heavy"].lines[i], bills["typical"].lines[i]
            hw, tw = worst["heavy"].lines[i], worst["typical"].lines[i]
            rows.append(
                f"| {item} | {h[1]:,.4g} | {_usd(h[3])} | {t[1]:,.4g} | {_usd(t[3])} | {_usd(hw[3])} | {_usd(tw[3])} |"
            )
        return "\n".join(rows)

    price_rows = "\n".join(
        f"| {key} | {price:.10g} | {unit} | {source} |" for key, (price, unit, source) in PRICES.items()
    )
    old_rows = "\n".join(
        f"| {item} | {q:,} | {_usd(usd)} |"
        for name in ("heavy", "typical")
        for item, q, _, usd in old[name].lines
    )
    states = ", ".join(f"{s} {n}" for s, n in sorted(heavy.transitions_by_state.items()))
    ratio_h = bills["heavy"].total / old["heavy"].total
    ratio_t = bills["typical"].total / old["typical"].total
    ratio_hd = bills["heavy"].total / old_distinct["heavy"].total
    ratio_td = bills["typical"].total / old_distinct["typical"].total
    # The goal as issue 16 sets it: against one Comprehend pair per text. The de-duplicated variant is reported too.
    met = bills["heavy"].total <= 0.01 and max(ratio_h, ratio_t) <= 0.01
    distinct_note = (
        "Against a 2021 design that had also sent each distinct text only once (a stricter comparison than the "
        f"issue's): heavy 1/{1 / ratio_hd:,.0f} ({'met' if ratio_hd <= 0.01 else 'missed'}), "
        f"typical 1/{1 / ratio_td:,.0f} ({'met' if ratio_td <= 0.01 else 'missed'}) against the 1/100 goal."
    )
    total_h, total_t = _usd(bills["heavy"].total), _usd(bills["typical"].total)
    worst_h, worst_t = _usd(worst["heavy"].total), _usd(worst["typical"].total)
    old_dh, old_dt = _usd(old_distinct["heavy"].total), _usd(old_distinct["typical"].total)
    return f"""# Cost per application

{time.strftime("%Y-%m-%d")}, {machine()}; load average {load_before:.1f} before, {load_after:.1f} after.
Command: `python bench/cost/cost_model.py --io-ms {io_ms:g}` (also `make bench`). Defaults: one unbilled cold run
(a typical applicant), then one warm run of each applicant; billed AWS wait per call {io_ms:g} ms.

**Goal: ≤ $0.01 per heavy applicant and ≤ 1/100 of the 2021 design's bill: {"met" if met else "NOT met"}.**

| per application | heavy | typical |
|---|---|---|
| **this design (Bucket Key, standard SSM throughput)** | **{total_h}** | **{total_t}** |
| this design, no Bucket Key and SSM at the paid rate | {_usd(worst["heavy"].total)} | {_usd(worst["typical"].total)} |
| 2021 design (Rekognition + Comprehend) | {_usd(old["heavy"].total)} | {_usd(old["typical"].total)} |
| this design / 2021 design | {ratio_h:.5f} (1/{1 / ratio_h:,.0f}) | {ratio_t:.5f} (1/{1 / ratio_t:,.0f}) |
| 2021 design, had it sent each distinct text once | {old_dh} | {old_dt} |
| this design / that | 1/{1 / ratio_hd:,.0f} | 1/{1 / ratio_td:,.0f} |

{distinct_note}

Heavy applicant: the e2e benchmark's (bench/e2e/bench_pipeline.py `HEAVY`): {heavy.sources} exports,
{heavy.archive_bytes / 2**20:.1f} MiB, {heavy.photos} photos (64×48 thumbnails), {len(heavy.texts):,} texts, of which
{len(heavy.distinct_texts):,} distinct (the generator repeats its sentences; real people repeat fewer).
Typical applicant: LinkedIn + Facebook with 200 posts and 30 camera-sized photos (`large_photos`, about 1 MB each):
{typical.archive_bytes / 2**20:.1f} MiB, {typical.photos} photos, {len(typical.texts):,} texts
({len(typical.distinct_texts):,} distinct).
Had the heavy applicant's {heavy.photos} photos been camera-sized, the image function's cost per photo measured on the
typical applicant ({per_photo.get("typical", 0):.3f} GB-s against {per_photo.get("heavy", 0):.3f} for a thumbnail)
brings its bill to **{_usd(heavy_camera)}**.
Lambda's CPU time follows the host's speed (one model run took {host_ms:.1f} ms here): at the speed the capacity
plan assumes ({REFERENCE_MODEL_MS:g} ms, the slowest host these benchmarks ran on) the bills are
{_usd(at_reference["heavy"])} heavy and {_usd(at_reference["typical"])} typical.

## What one application uses, and what it costs

| item | heavy: quantity | heavy: USD | typical: quantity | typical: USD | heavy, worst case | typical, worst case |
|---|---|---|---|---|---|---|
{bill_rows()}
| **total** | | **{total_h}** | | **{total_t}** | **{worst_h}** | **{worst_t}** |

How each quantity is counted, all from the run itself:
- **Lambda**: every invocation's CPU time (the worker's process time, all threads, so a busy host does not inflate
  it as it does the wall-clock duration) converted to AWS time: a function with M MB gets M/1,769 of a vCPU, so
  CPU-bound work takes CPU × 1,769/M seconds below 1,769 MB; above it, no speed-up is assumed (errs high, as if
  single-threaded); assumed: a Lambda vCPU as fast as one core of this machine. Plus {io_ms:g} ms of billed wait per AWS
  call (moto answers in-process, faster than S3 would). GB-s = that × M/1,024. Requests: every invocation, the
  API's and the authorizer's included. Cold starts are excluded (one run warmed every function first): Lambda bills
  the init phase since 2025-08-01, so a cold start adds its init time to the first call of each new environment.
- **Step Functions**: states entered in the history of each of the application's {heavy.executions} executions (one
  per upload event; all but the last stop at ReadyToScore). Heavy: {states}.
- **S3**: the functions' calls by operation (below) plus one presigned POST per export from the applicant's browser;
  storage: the most the application held at once × the time from the first upload to scored (S3 Standard has no
  minimum duration); what is kept after scoring ({heavy.kept_bytes:,} bytes heavy) is the result, priced per month
  in the capacity doc, not per application.
- **DynamoDB**: every write priced as the application's largest item, ⌈{heavy.item_bytes:,} bytes / 1 KB⌉ units, + 2
  for the two indexes, transactions ×2; reads ⌈size / 4 KB⌉, strongly consistent: an upper bound (most writes are
  small receipts and status updates). The table's
  KMS key is cached by DynamoDB (a KMS call per table key every few minutes, not per request): 0 per application.
- **KMS**: the bucket is SSE-KMS with `BucketKeyEnabled: true`: S3 gets a bucket-level key from KMS and derives
  each object's data key from it for a while, so KMS requests do not grow with objects (AWS: up to 99 % fewer);
  priced here as 1 % of the count without it, an upper bound. Without it, every object written costs a
  GenerateDataKey and every GetObject a Decrypt (the worst-case columns).
- **SSM**: GetParameter calls; free for a standard parameter at standard throughput, $0.05 per 10,000 with higher
  throughput or an Advanced parameter (a fitted scorecard past 4 KB is stored as Advanced): the worst-case column.
  A warm function reads the scoring configuration once and keeps it 60 s (`SCORER_CACHE_SECONDS`), so the calls
  follow warm environments, not applications: a run shorter than that, after the warm-up, makes none.
- **EventBridge**: S3's Object Created events on the default bus are AWS service events: free; the rule's target
  (StartExecution) is not billed by EventBridge.
- **CloudWatch Logs**: bytes each function wrote to its log during the run + {PLATFORM_LOG_BYTES} bytes of
  START/END/REPORT lines per invocation. **X-Ray**: one trace per execution (Tracing: Active).
  **API Gateway**: the partner's create and one result read (its polling is the partner's choice, at $1 per
  million calls).

### Per function (heavy applicant)

| function | calls | memory MB | peak MB | local wall s | CPU s | AWS s (model) | GB-s | AWS calls |
|---|---|---|---|---|---|---|---|---|
{function_rows(heavy)}

### Per function (typical applicant)

| function | calls | memory MB | peak MB | local wall s | CPU s | AWS s (model) | GB-s | AWS calls |
|---|---|---|---|---|---|---|---|---|
{function_rows(typical)}

## The 2021 design's bill for the same applicants

One Rekognition DetectModerationLabels call per photo; two Comprehend calls (sentiment, and entities or key
phrases) per text of the same texts the text analysis reads, each request billed ⌈characters / 100⌉ units with a
minimum of 3. Lambda, Step Functions and storage, which that design also paid, are left out: the comparison
favours it.

| item (heavy, then typical) | quantity | USD |
|---|---|---|
{old_rows}

## Prices (us-east-1)

As of {PRICES_AS_OF}; read from the pages named, not re-checked from this machine (it has no network).

| key | USD per unit | unit | source |
|---|---|---|---|
{price_rows}

Fixed monthly costs not per application: the KMS key ($1/month), an Advanced parameter ($0.05/month), the
CloudFront distribution and alarms. Results kept for ResultRetentionDays are priced in docs/capacity.md.
"""


if __name__ == "__main__":
    sys.exit(main())
