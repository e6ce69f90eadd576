"""End-to-end benchmark on the embedded local stack for the standard heavy applicant.

Facebook 10 000 posts, 10 000 comments, 500 photos, 150 groups + 150 pages; LinkedIn 500 connections, 30 skills;
X 3 200 tweets; Instagram 200 posts. Reports wall time (upload done → scored), the time of each state, and how
close the wall time comes to the bare model compute divided over the machine's cores: the work the pipeline must
do and nothing else — one ONNX session run per photo, VADER on each distinct readable text of a platform's posts
and of its comments (the text analysis scores each distinct text once), and the profanity matcher the pipeline
runs (`credscore.analysis.profanity.matcher()`, the trie proven equal to better-profanity, not the stock library
it replaced) on each group/page name, measured in this process. Writes BENCHMARKS-e2e.md.

    python bench/e2e/bench_pipeline.py [--runs 5]

Defaults: one cold run, then 5 warm runs; the run with the median ratio is reported, with every ratio listed.
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


class BareCompute:
    """Pure model work on the same inputs, one core: what no pipeline can go below. Inputs are prepared once;
    `measure` times them again, so each pipeline run is compared with a floor taken moments before it."""

    def __init__(self, paths: dict[str, Path]) -> None:
        import numpy as np
        import onnxruntime as ort
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        from credscore.analysis.profanity import matcher, name_key
        from credscore.analysis.sentiment import COMMENT_KINDS, POST_KINDS, readable_text
        from credscore.ingest.ingest_archive import ingest_archive
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
        self.session = ort.InferenceSession(
            str(Path(spec.origin).parent / "320n.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.tensor = np.random.default_rng(0).random((1, 3, 320, 320), dtype=np.float32)
        self.input_name = self.session.get_inputs()[0].name
        self.analyzer = SentimentIntensityAnalyzer()
        # The matcher analyze_names uses (built once, as in a warm function), not stock better-profanity.
        self.profanity = matcher()
        self.photos = len(profile.media)
        # count_sentiment scores each distinct text of a platform's posts (and of its comments) once, and only
        # texts VADER can read; the synthetic generator repeats texts, so this is far fewer than the items.
        self.text_items = sum(1 for t in profile.texts if t.kind in POST_KINDS | COMMENT_KINDS)
        distinct_texts: dict[tuple[str, bool, str], None] = {}
        for t in profile.texts:
            if t.kind in POST_KINDS | COMMENT_KINDS:
                distinct_texts.setdefault((str(t.platform), t.kind in POST_KINDS, t.text), None)
        self.texts = [r for _, _, text in distinct_texts if (r := readable_text(text)) is not None]
        # analyze_names checks each distinct name of a kind once (count_names de-duplicates by name_key).
        distinct: dict[tuple[str, str], str] = {}
        for entity in profile.names:
            distinct.setdefault((entity.kind, name_key(entity.name)), entity.name)
        self.names = list(distinct.values())

    def measure(self) -> dict[str, float]:
        started = time.perf_counter()
        for _ in range(self.photos):
            self.session.run(None, {self.input_name: self.tensor})
        images = time.perf_counter() - started
        started = time.perf_counter()
        for text in self.texts:
            self.analyzer.polarity_scores(text)
        texts = time.perf_counter() - started
        started = time.perf_counter()
        for name in self.names:
            self.profanity.contains_profanity(name)
        names = time.perf_counter() - started
        return {"images": images, "texts": texts, "names": names}


def run_once(stack: Any, client: Any, paths: dict[str, Path]) -> tuple[float, list[tuple[str, float, int]]]:
    from credscore_local.client import upload

    created = client.create_application({name: 1 for name in paths})
    for form in created["uploads"]:
        upload(form, paths[form["platform"]])
    uploaded = time.time()
    # Poll slowly (the observer shares the cores) and take the end from the execution's own stop time.
    state = client.wait(created["application_id"], timeout=1800, poll=2.0)
    if state["status"] != "scored":
        raise SystemExit(f"the heavy applicant was not scored: {state}")
    execution = stack.scoring_execution(created["application_id"])
    wall = execution["stopDate"].timestamp() - uploaded
    return wall, stack.execution_state_times(execution)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="warm runs after the first (cold) one")
    args = parser.parse_args(argv)
    from credscore_local.client import PartnerClient
    from credscore_local.partners import register_partner
    from credscore_local.stack import LocalStack

    cores = os.cpu_count() or 1
    runs: list[tuple[float, dict[str, float], list[tuple[str, float, int]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_exports(Path(tmp))
        sizes = {name: path.stat().st_size for name, path in paths.items()}
        bare = BareCompute(paths)
        with LocalStack() as stack:
            key = secrets.token_urlsafe(16)
            register_partner(stack, "bench", "Bench", key)
            client = PartnerClient(stack.api_url, key, timeout=120)
            workers = stack.max_concurrency
            cold_wall, _ = run_once(stack, client, paths)
            # Floor and pipeline alternate, so a slower spell of a shared host weighs on both alike.
            for _ in range(max(1, args.runs)):
                floor = bare.measure()
                wall, timeline = run_once(stack, client, paths)
                runs.append((wall, floor, timeline))
    ratios = sorted((wall / (sum(floor.values()) / cores), i) for i, (wall, floor, _) in enumerate(runs))
    median_ratio, median_run = ratios[len(ratios) // 2]
    wall, floor, timeline = runs[median_run]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    rows = "\n".join(f"| {name} | {seconds:.2f} | {count} |" for name, seconds, count in timeline)
    each = ", ".join(f"{r:.2f}" for r, _ in sorted(ratios, key=lambda r: r[1]))
    report = f"""# End-to-end benchmark: the standard heavy applicant on the local stack

{time.strftime("%Y-%m-%d")}; {cores} cores, {cpu}; Python {platform.python_version()}.
Command: `python bench/e2e/bench_pipeline.py --runs {args.runs}` (also `make bench`).

Inputs: Facebook {HEAVY["facebook"][1]["posts"]} posts, {HEAVY["facebook"][1]["comments"]} comments,
{bare.photos} photos, {len(bare.names)} distinct group/page names; LinkedIn 500 connections, 30 skills;
X 3 200 tweets; Instagram 200 posts. Archives: {", ".join(f"{k} {v / 2**20:.1f} MiB" for k, v in sizes.items())}.
The synthetic photos are small (64×48 JPEGs), so decoding is nearly free here; full-size photos add their
decode time (see BENCHMARKS-analysis.md), which a model-only floor does not count.

The floor is the work the pipeline must do, on one core: an ONNX run per photo, VADER per distinct readable text
(as the text analysis scores them), and the profanity matcher the pipeline runs (the trie proven equal to
better-profanity) per distinct name.

Method: one cold run, then {len(runs)} warm runs, each just after timing the bare model work again (the floor),
so both see the host in the same state. Wall time runs from the last upload's completion to the stop of the
execution that scored the application (the partner polls every 2 s; that delay is not counted). The run with
the median ratio is shown; ratios of all warm runs, in order: {each}.

| measure (median run) | seconds |
|---|---|
| wall time, upload done → scored | {wall:.1f} |
| wall time, first run (includes every function's cold start) | {cold_wall:.1f} |
| bare model compute, one core: images ({bare.photos} ONNX runs) | {floor["images"]:.1f} |
| bare model compute, one core: VADER ({len(bare.texts)} distinct of {bare.text_items} texts) | {floor["texts"]:.3f} |
| bare model compute, one core: profanity matcher ({len(bare.names)} names) | {floor["names"]:.3f} |
| bare compute divided over {cores} cores (the floor) | {sum(floor.values()) / cores:.1f} |
| **wall time / floor** (goal ≤ 1.3) | **{median_ratio:.2f}** |

Time in each state (Map iterations: the longest of them, including any wait for one of the local stack's
{workers} workers per function; the count says how many ran):

| state | seconds | entered |
|---|---|---|
{rows}
"""
    OUT.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
