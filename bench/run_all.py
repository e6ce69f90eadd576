"""`make bench`: every benchmark BENCHMARKS.md lists, in one run; each rewrites its BENCHMARKS-*.md with the
machine it ran on and the command (its defaults) that produced it.

python bench/run_all.py [--only NAME ...] [--skip NAME ...]     (names: the first word of each suite's title)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

SUITES: list[tuple[str, list[str]]] = [
    ("analysis (images/s, texts/s, names/s, cold starts)", ["analysis/bench_analysis.py"]),
    ("photo-reads: the image read path against S3 first-byte latency", ["analysis/bench_photo_reads.py"]),
    (
        "hostile-photos: decode cost and outcome of photos built to be costly",
        ["analysis/bench_hostile_photos.py"],
    ),
    (
        "ingest (bytes read from S3, memory, MB/s)",
        ["ingest/bench_ingest.py", "--write", str(ROOT / "BENCHMARKS-ingest.md")],
    ),
    (
        "ingest scaling to 200,000 members (appends its section to BENCHMARKS-ingest.md)",
        ["ingest/bench_scaling.py", "--write", str(ROOT / "BENCHMARKS-ingest.md")],
    ),
    (
        "directory: hostile archive directories against the entry count (appends its section to BENCHMARKS-ingest.md)",
        ["ingest/bench_directory.py", "--write", str(ROOT / "BENCHMARKS-ingest.md")],
    ),
    (
        "e2e: end to end, the heavy applicant with thumbnails and with camera-sized photos",
        ["e2e/bench_pipeline.py"],
    ),
    ("scoring, old scorer against new on the same inputs", ["scoring/bench_score.py"]),
    ("modelling: fit vs a known model, 1M-row fit", ["modelling/bench_modelling.py"]),
    ("load: 200 applications in flight at once, mixed platforms and photos", ["load/bench_load.py"]),
    ("memory per function by measurement (power tuning)", ["memory/bench_memory.py"]),
    ("cost per application (heavy and typical) against the 2021 design", ["cost/cost_model.py"]),
    ("capacity: queueing at 10k, 100k and 1M applications a day", ["cost/capacity_sim.py"]),
    ("coldstart: each function's init with its layers as built", ["coldstart/bench_coldstart.py"]),
]


def suite_name(title: str) -> str:
    return title.split()[0].rstrip(",:")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    names = sorted({suite_name(title) for title, _ in SUITES})
    parser.add_argument("--only", nargs="*", choices=names, default=[], help="run only these suites")
    parser.add_argument("--skip", nargs="*", choices=names, default=[], help="leave these suites out")
    # Kept so older instructions still work: the load benchmark now runs by default.
    parser.add_argument("--with-load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    suites = [
        (title, command)
        for title, command in SUITES
        if (not args.only or suite_name(title) in args.only) and suite_name(title) not in args.skip
    ]
    failed = []
    for title, command in suites:
        print(f"\n=== {title}", flush=True)
        if subprocess.run([sys.executable, str(BENCH / command[0]), *command[1:]], check=False).returncode:
            failed.append(title)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
