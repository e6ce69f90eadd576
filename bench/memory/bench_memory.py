"""Memory per function chosen by measurement, as AWS Lambda Power Tuning does; writes BENCHMARKS-memory.md.

    python bench/memory/bench_memory.py [--camera-photos 40] [--io-ms 20] [--headroom 1.3] [--weight 0.5]

On the embedded local stack (which enforces each function's MemorySize and reports Lambda's REPORT line: peak
resident memory, duration, CPU time, AWS calls), each applicant runs once cold (not counted) and once warm: the
typical one (LinkedIn + Facebook, 200 posts, 30 camera-sized photos), the e2e benchmark's heavy one (thumbnails)
and the heavy one with `--camera-photos` phone-sized photos. Then the worst inputs the memory tests use are sent
to the functions that read them (tests/e2e/test_memory_limits.py: a 180 MB profile of 2 million items for the text,
profanity and score functions; 16-bit and palette 7000×7000 PNG bombs and a 12 MP photo for the image function).

For each function and each candidate size it models the duration as the cost model does (CPU time stretched to
the function's share of a vCPU — memory / 1,769 MB, no speed-up past one vCPU, as for single-threaded work — plus
`--io-ms` per AWS call) and the cost (GB-seconds and requests, summed over the three applicants). A size is
feasible when it holds the worst measured peak with `--headroom` (and, for the image function, when its decode
budget of MemorySize / 8 still admits the largest image the pixel cap lets through). Of the feasible sizes it
chooses the one power tuning's "balanced" strategy would: the least `weight × cost / cheapest + (1 − weight) ×
duration / fastest`.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import secrets
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
OUT = REPO / "BENCHMARKS-memory.md"
for folder in (REPO, REPO / "bench", REPO / "bench" / "cost", REPO / "bench" / "e2e"):
    sys.path.insert(0, str(folder))

import bench_pipeline  # noqa: E402  (the heavy applicant, with thumbnails or camera-sized photos)
import cost_model  # noqa: E402  (one applicant's run on the local stack, function by function)

from tests.stack_items import set_status  # noqa: E402

SIZES = [128, 256, 384, 512, 768, 1024, 1280, 1536, 1769, 2048, 2560, 3008, 4096, 6144, 10240]
MB_PER_VCPU = cost_model.MB_PER_VCPU
# The image function's decode budget is MemorySize / DECODE_MEMORY_SHARE; the largest image the pixel cap
# admits (DEFAULT_MAX_PIXELS at 4 bytes a pixel) must fit it.
IMAGE_FUNCTION = "analyze-images"
# Functions whose duration is mostly waiting on something this model does not see: measured, not resized.
KEPT = {
    "webhook-dispatch": "its duration is partners' endpoints answering (HTTP waits, not AWS calls), which the "
    "model does not count; kept at the Globals size",
}


@dataclass
class Measured:
    memory_mb: int  # the template's size when measured
    peak_mb: float = 0.0
    hostile_peak_mb: float = 0.0
    # per applicant: (invocations, CPU seconds, wall seconds, AWS calls)
    runs: dict[str, tuple[int, float, float, int]] = field(default_factory=dict)


def duration_s(cpu_s: float, calls: float, memory_mb: int, io_ms: float) -> float:
    return cpu_s * max(1.0, MB_PER_VCPU / memory_mb) + calls * io_ms / 1000


def cost_usd(invocations: int, cpu_s: float, calls: int, memory_mb: int, io_ms: float) -> float:
    seconds = duration_s(cpu_s, calls, memory_mb, io_ms)
    return (
        seconds * memory_mb / 1024 * cost_model.PRICES["lambda_gb_s"][0]
        + invocations * cost_model.PRICES["lambda_request"][0]
    )


def floor_mb(name: str, use: Measured, headroom: float) -> int:
    needed = math.ceil(max(use.peak_mb, use.hostile_peak_mb) * headroom)
    if name == IMAGE_FUNCTION:
        from credscore.analysis.images import DECODE_MEMORY_SHARE, DEFAULT_MAX_PIXELS

        needed = max(needed, math.ceil(DEFAULT_MAX_PIXELS * 4 * DECODE_MEMORY_SHARE / 2**20))
    return max(128, needed)


def choose(
    name: str, use: Measured, headroom: float, io_ms: float, weight: float
) -> tuple[int, list[dict[str, Any]]]:
    low = floor_mb(name, use, headroom)
    sizes = sorted({s for s in SIZES if s >= low} | {min(10240, 64 * math.ceil(low / 64))})
    table = []
    for size in sizes:
        cost = sum(cost_usd(n, cpu, calls, size, io_ms) for n, cpu, _, calls in use.runs.values())
        # The slowest invocation of the heaviest run: what an applicant waits for.
        longest = max(
            duration_s(cpu / max(1, n), calls / max(1, n), size, io_ms)
            for n, cpu, _, calls in use.runs.values()
        )
        table.append({"mb": size, "cost": cost, "duration": longest})
    cheapest = min(row["cost"] for row in table)
    fastest = min(row["duration"] for row in table)
    for row in table:
        row["score"] = weight * row["cost"] / cheapest + (1 - weight) * row["duration"] / fastest
    best = min(table, key=lambda row: (row["score"], row["mb"]))
    return int(best["mb"]), table


def collect(run: cost_model.Run, name: str, into: dict[str, Measured]) -> None:
    for fn, use in run.functions.items():
        measured = into.setdefault(fn, Measured(memory_mb=use.memory_mb))
        measured.peak_mb = max(measured.peak_mb, use.peak_mb)
        measured.runs[name] = (use.invocations, use.cpu_s, use.wall_s, use.io_calls())


def hostile(stack: Any, client: Any, into: dict[str, Measured]) -> None:
    """The memory tests' worst inputs, sent straight to the functions (their peaks, not their durations)."""
    from tests.analysis.conftest import encode, noise
    from tests.analysis.test_image_bombs import crafted_png
    from tests.e2e.test_memory_limits import _huge_profile

    created = client.create_application({"facebook": 1, "linkedin": 1})  # one never uploaded: nothing runs
    application_id = created["application_id"]
    s3 = stack.client("s3")
    bucket = stack.deployed.bucket
    profile = f"work/{application_id}/profile.json"
    s3.put_object(Bucket=bucket, Key=profile, Body=_huge_profile(application_id))
    event = {"application_id": application_id, "profile": profile}
    set_status(stack, application_id, "processing")
    analyses: list[Any] = [
        {"kind": "text", "status": "no_evidence"},
        {"kind": "profanity", "status": "ok"},
        [],
    ]
    archive = f"uploads/{application_id}/facebook/part-1.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("photos/grey16.png", crafted_png(7000, 7000, 16, 0, 1))
        zf.writestr("photos/rgba16.png", crafted_png(7000, 7000, 16, 6, 4))
        zf.writestr("photos/palette.png", crafted_png(7000, 7000, 8, 3, 1))
        zf.writestr("photos/camera.jpg", bench_pipeline.camera_photo(4000, 3000, seed=1))
        zf.writestr("photos/good.jpg", encode(noise(400, 300, seed=9), "JPEG"))
        members = zf.namelist()
    s3.put_object(Bucket=bucket, Key=archive, Body=buffer.getvalue())
    batch = f"work/{application_id}/images/batch-0000.json"
    refs = [{"platform": "facebook", "archive": archive, "member": m, "src": 0} for m in members]
    s3.put_object(Bucket=bucket, Key=batch, Body=json.dumps(refs).encode())
    # Score last: it purges the application's uploads and work files.
    for logical_id, payload in (
        ("AnalyzeImagesFunction", {"application_id": application_id, "batch": batch}),
        ("AnalyzeTextFunction", event),
        ("AnalyzeProfanityFunction", event),
        ("ScoreFunction", {**event, "analyses": analyses}),
    ):
        pool = stack.pool(logical_id)
        stack.invoke(logical_id, payload)
        fn = stack.deployed.functions[logical_id].name.removeprefix("credscore-dev-")
        peak = pool.stats[-1].max_memory_used_mb or 0.0
        measured = into.setdefault(fn, Measured(memory_mb=pool.spec.memory_mb))
        measured.hostile_peak_mb = max(measured.hostile_peak_mb, peak)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--camera-photos", type=int, default=40, help="photos of the camera-sized heavy applicant"
    )
    parser.add_argument("--io-ms", type=float, default=20.0, help="billed wait per AWS call in Lambda (ms)")
    parser.add_argument("--headroom", type=float, default=1.3, help="memory over the worst measured peak")
    parser.add_argument("--weight", type=float, default=0.5, help="balanced strategy: weight of cost (0–1)")
    parser.add_argument(
        "--worst-only", action="store_true", help="only the worst inputs (a check of this script)"
    )
    args = parser.parse_args(argv)
    from credscore_local.client import PartnerClient
    from credscore_local.partners import register_partner
    from credscore_local.stack import LocalStack

    functions: dict[str, Measured] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        exports = {
            "typical": cost_model.make_exports(
                cost_model.TYPICAL, bench_pipeline._mkdir(Path(tmp) / "typical")
            ),
            "heavy": bench_pipeline.make_exports(bench_pipeline._mkdir(Path(tmp) / "heavy")),
            "camera": bench_pipeline.make_exports(
                bench_pipeline._mkdir(Path(tmp) / "camera"), args.camera_photos
            ),
        }
        with LocalStack() as stack:
            key = secrets.token_urlsafe(16)
            register_partner(stack, "memory", "Memory benchmark", key)
            client = PartnerClient(stack.api_url, key, timeout=600)
            if not args.worst_only:
                cost_model.run_applicant(stack, client, "warm-up", exports["typical"], (0, [], []))
                for name, paths in exports.items():
                    collect(
                        cost_model.run_applicant(stack, client, name, paths, (0, [], [])), name, functions
                    )
            # Last: a worker that held a 180 MB profile stays big, which would inflate the applicants' peaks.
            hostile(stack, client, functions)
    report = render(functions, args, load_before)
    OUT.write_text(report, encoding="utf-8")
    print(report)
    return 0


def render(functions: dict[str, Measured], args: argparse.Namespace, load_before: float) -> str:
    summary = []
    details = []
    for fn in sorted(functions):
        use = functions[fn]
        if not use.runs:
            continue
        chosen, table = choose(fn, use, args.headroom, args.io_ms, args.weight)
        per_run = "; ".join(
            f"{name} {n}× {cpu:.2f} s CPU, {wall:.2f} s wall, {calls} calls"
            for name, (n, cpu, wall, calls) in use.runs.items()
        )
        hostile_peak = f"{use.hostile_peak_mb:.0f}" if use.hostile_peak_mb else "–"
        setting = f"{use.memory_mb} (kept: {KEPT[fn]})" if fn in KEPT else f"**{chosen}**"
        summary.append(
            f"| {fn} | {use.peak_mb:.0f} | {hostile_peak} | {floor_mb(fn, use, args.headroom)} | {use.memory_mb} | "
            f"{setting} |"
        )
        rows = "\n".join(
            f"| {row['mb']} | {row['duration']:.3f} | {row['cost'] * 1e6:.2f} | {row['score']:.3f} |"
            + (" ← chosen" if row["mb"] == chosen else "")
            for row in table
        )
        details.append(
            f"### {fn}\n\nMeasured (warm): {per_run}.\n\n| MB | longest invocation s (modelled) | "
            f"µUSD, three applicants | balanced score |\n|---:|---:|---:|---:|\n{rows}\n"
        )
    return f"""# Memory per function, chosen by measurement

{time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; {os.cpu_count()} cores (shared; 1-minute load average
{load_before:.1f} at the start). Command: `python bench/memory/bench_memory.py --camera-photos {args.camera_photos}
--io-ms {args.io_ms:g} --headroom {args.headroom:g} --weight {args.weight:g}` (also `make bench`; these are the
defaults).

Method (as AWS Lambda Power Tuning, from one measured run instead of one run per size): each function's peak
resident memory (VmHWM, Lambda's "Max Memory Used") and CPU time on the typical applicant, the heavy one
(thumbnails) and the heavy one with {args.camera_photos} camera-sized photos, warm, on the local stack; plus its peak
on the worst inputs of tests/e2e/test_memory_limits.py. Duration at a size = CPU time × max(1, 1,769 / MB)
(Lambda's CPU share: one vCPU at 1,769 MB; no gain past one vCPU, as for single-threaded work) + {args.io_ms:g} ms
per AWS call; cost = duration × MB / 1,024 × $0.0000166667 per GB-s + $0.20 per million requests, summed over
the three applicants. Feasible: at least the worst peak × {args.headroom:g} (the image function also keeps its
decode budget, MemorySize / 8, above a 50 MP RGBA image). Chosen: the least
{args.weight:g} × cost / cheapest + {1 - args.weight:g} × duration / fastest (power tuning's "balanced" strategy).
CPU time is the process's own, so other work on the shared host does not inflate it. Not credited: the image
function's prefetch thread could use a second vCPU above 1,769 MB (overlapping decoding with the model), so
larger sizes may run it faster than modelled.

| function | peak MB (applicants) | peak MB (worst inputs) | floor MB | was | MemorySize (template.yaml) |
|---|---:|---:|---:|---:|---:|
{chr(10).join(summary)}

{chr(10).join(details)}"""


if __name__ == "__main__":
    sys.exit(main())
