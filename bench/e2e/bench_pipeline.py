"""End-to-end benchmark on the embedded local stack for the standard heavy applicant.

Facebook 10 000 posts, 10 000 comments, 500 photos, 150 groups + 150 pages; LinkedIn 500 connections, 30 skills;
X 3 200 tweets; Instagram 200 posts. Reports wall time (upload done → scored), the time of each state, and how
close the wall time comes to the bare model compute (ONNX session runs, VADER, better-profanity on the same
inputs, measured in this process) divided over the machine's cores. Writes BENCHMARKS-e2e.md.

    python bench/e2e/bench_pipeline.py [--runs 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "BENCHMARKS-e2e.md"

HEAVY: dict[str, tuple[str | None, dict[str, int]]] = {
    "facebook": (
        "B",
        {
            "posts": 10_000,
            "comments": 10_000,
            "photos": 500,
            "groups": 150,
            "pages": 150,
            "friends": 900,
            "birth_year": 1989,
        },
    ),
    "linkedin": (None, {"connections": 500, "skills": 30}),
    "x": (None, {"tweets": 3200, "followers": 1200}),
    "instagram": (None, {"posts": 200, "photos": 0}),
}


def make_exports(folder: Path) -> dict[str, Path]:
    from credscore.synth import make_export

    paths = {}
    for seed, (name, (layout, knobs)) in enumerate(HEAVY.items(), start=7):
        paths[name] = folder / f"{name}.zip"
        make_export(name, paths[name], seed=seed, layout=layout, **knobs)
    return paths


def bare_compute(paths: dict[str, Path]) -> dict[str, float]:
    """Seconds of pure model work on the same inputs, one core: what no pipeline can go below."""
    import numpy as np
    import onnxruntime as ort
    from better_profanity import profanity
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from credscore.ingest import ingest_archive
    from credscore.profile import Platform, Profile

    profile = Profile(application_id="bench")
    for name, path in paths.items():
        with path.open("rb") as fh:
            ingest_archive(profile, Platform(name), fh, str(path))

    spec = importlib.util.find_spec("nudenet")
    if spec is None or spec.origin is None:
        raise SystemExit("nudenet (for its shipped model file) is not installed: run `make setup`")
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(
        str(Path(spec.origin).parent / "320n.onnx"), options, providers=["CPUExecutionProvider"]
    )
    tensor = np.random.default_rng(0).random((1, 3, 320, 320), dtype=np.float32)
    input_name = session.get_inputs()[0].name
    started = time.perf_counter()
    for _ in range(len(profile.media)):
        session.run(None, {input_name: tensor})
    images = time.perf_counter() - started

    analyzer = SentimentIntensityAnalyzer()
    own = [t.text for t in profile.texts if t.kind != "retweet"]
    started = time.perf_counter()
    for text in own:
        analyzer.polarity_scores(text)
    texts = time.perf_counter() - started

    profanity.load_censor_words()
    started = time.perf_counter()
    for entity in profile.names:
        profanity.contains_profanity(entity.name)
    names = time.perf_counter() - started
    return {
        "images": images,
        "texts": texts,
        "names": names,
        "photos": len(profile.media),
        "text_items": len(own),
        "name_items": len(profile.names),
    }


def run_once(stack: Any, client: Any, paths: dict[str, Path]) -> tuple[float, list[tuple[str, float, int]]]:
    from credscore_local.client import upload

    created = client.create_application({name: 1 for name in paths})
    for form in created["uploads"]:
        upload(form, paths[form["platform"]])
    started = time.time()
    state = client.wait(created["application_id"], timeout=1800, poll=0.5)
    wall = time.time() - started
    if state["status"] != "scored":
        raise SystemExit(f"the heavy applicant was not scored: {state}")
    return wall, stack.state_times(created["application_id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2, help="the first run includes cold starts")
    args = parser.parse_args(argv)
    from credscore_local.client import PartnerClient
    from credscore_local.partners import register_partner
    from credscore_local.stack import LocalStack

    with tempfile.TemporaryDirectory() as tmp:
        paths = make_exports(Path(tmp))
        sizes = {name: path.stat().st_size for name, path in paths.items()}
        bare = bare_compute(paths)
        cores = os.cpu_count() or 1
        ideal = (bare["images"] + bare["texts"] + bare["names"]) / cores
        runs = []
        with LocalStack() as stack:
            key = secrets.token_urlsafe(16)
            register_partner(stack, "bench", "Bench", key)
            client = PartnerClient(stack.api_url, key, timeout=120)
            for _ in range(args.runs):
                runs.append(run_once(stack, client, paths))
    warm_wall, warm_timeline = runs[-1]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    rows = "\n".join(f"| {name} | {seconds:.2f} | {count} |" for name, seconds, count in warm_timeline)
    report = f"""# End-to-end benchmark: the standard heavy applicant on the local stack

{time.strftime("%Y-%m-%d")}; {cores} cores, {cpu}; Python {platform.python_version()}.
Command: `python bench/e2e/bench_pipeline.py --runs {args.runs}` (also `make bench`).

Inputs: Facebook {HEAVY["facebook"][1]["posts"]} posts, {HEAVY["facebook"][1]["comments"]} comments,
{bare["photos"]:.0f} photos, {bare["name_items"]:.0f} group/page names; LinkedIn 500 connections, 30 skills;
X 3 200 tweets; Instagram 200 posts. Archives: {", ".join(f"{k} {v / 2**20:.1f} MiB" for k, v in sizes.items())}.

| measure | seconds |
|---|---|
| wall time, warm run (upload done → scored) | {warm_wall:.1f} |
| wall time, first run (includes every function's cold start) | {runs[0][0]:.1f} |
| bare model compute, one core: images ({bare["photos"]:.0f} ONNX runs) | {bare["images"]:.1f} |
| bare model compute, one core: VADER ({bare["text_items"]:.0f} texts) | {bare["texts"]:.1f} |
| bare model compute, one core: better-profanity ({bare["name_items"]:.0f} names) | {bare["names"]:.2f} |
| bare compute divided over {cores} cores (the floor) | {ideal:.1f} |
| **wall time / floor** (goal ≤ 1.3) | **{warm_wall / ideal:.2f}** |

Warm run, time in each state (Map iterations: the longest of them; the count says how many ran):

| state | seconds | entered |
|---|---|---|
{rows}
"""
    OUT.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
