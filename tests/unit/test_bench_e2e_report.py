"""The end-to-end benchmark's report keeps its hand-written notes (profiles, local-stack measurements) when a run
rewrites the tables."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH / "e2e"))

import bench_pipeline  # noqa: E402


def test_a_rerun_replaces_the_tables_and_keeps_what_follows_the_marker() -> None:
    kept = f"{bench_pipeline.KEPT} copied -->\n\n## Notes\n\nhand-written\n"
    previous = "# Old tables\n\n| 1 |\n\n" + kept
    assert (
        bench_pipeline.with_kept_notes("# New tables\n\n| 2 |\n", previous)
        == "# New tables\n\n| 2 |\n\n" + kept
    )


def test_without_the_marker_the_report_is_the_run_alone() -> None:
    assert bench_pipeline.with_kept_notes("# New\n", "# Old\n\nno notes\n") == "# New\n"


def test_the_checked_in_report_has_the_marker() -> None:
    report = (BENCH.parent / "BENCHMARKS-e2e.md").read_text(encoding="utf-8")
    assert bench_pipeline.KEPT in report
