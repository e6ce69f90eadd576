"""`make bench`: every benchmark in one run; each writes its BENCHMARKS-*.md with the machine it ran on.

python bench/run_all.py [--with-load]
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
    (
        "ingest (bytes read from S3, memory, MB/s)",
        ["ingest/bench_ingest.py", "--write", str(ROOT / "BENCHMARKS-ingest.md")],
    ),
    (
        "ingest scaling to 200,000 members (appends its section to BENCHMARKS-ingest.md)",
        ["ingest/bench_scaling.py", "--write", str(ROOT / "BENCHMARKS-ingest.md")],
    ),
    ("end to end, standard heavy applicant", ["e2e/bench_pipeline.py"]),
    ("scoring, old scorer against new on the same inputs", ["scoring/bench_score.py"]),
    ("modelling: fit vs a known model, 1M-row fit", ["modelling/bench_modelling.py"]),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--with-load", action="store_true", help="also run the 200-application load benchmark"
    )
    args = parser.parse_args(argv)
    suites = list(SUITES)
    if args.with_load:
        suites.append(("load, 200 concurrent applications", ["load/bench_load.py"]))
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
