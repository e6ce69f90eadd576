"""`credscore model …`: parsing and the printed comparison (the AWS side runs in tests/e2e/test_outcomes.py)."""

from __future__ import annotations

from typing import Any

import pytest

from credscore.model_compare import compare
from credscore_cli.main import build_parser
from credscore_cli.model_ops import render_report


def test_model_actions_share_one_group_and_take_an_endpoint() -> None:
    parser = build_parser()
    args = parser.parse_args(
        ["model", "compare", "2027-01-a", "--cutoff", "620", "--endpoint-url", "http://x"]
    )
    assert (args.version, args.cutoff, args.endpoint_url, args.stage) == (
        "2027-01-a",
        620.0,
        "http://x",
        "dev",
    )
    args = parser.parse_args(["model", "export", "--out", "t.csv", "--stage", "prod"])
    assert (str(args.out), args.stage, args.with_unlabelled) == ("t.csv", "prod", False)
    with pytest.raises(SystemExit):
        parser.parse_args(["model", "export"])  # --out is required


def _rows() -> list[dict[str, Any]]:
    def side(score: float, reasons: list[str]) -> dict[str, Any]:
        return {"status": "scored", "score": score, "reasons": reasons}

    return [
        {"active": side(500.0, ["few_connections"]), "candidate": side(560.0, ["few_skills"])},
        {"active": side(650.0, ["few_connections"]), "candidate": side(640.0, ["few_connections"])},
    ]


def test_the_printed_report_names_shift_psi_approval_and_changed_reasons() -> None:
    job = {
        "candidate": "c1",
        "candidate_parameter_version": 3,
        "active_version": "default-1",
        "active_parameter_version": 4,
    }
    text = render_report({"job": job, **compare(_rows(), cutoff=550.0)})
    assert (
        "candidate 'c1' (parameter version 3) against the active configuration 'default-1' (parameter version 4),"
        " 2 applications" in text
    )
    older = render_report(
        {"job": {**job, "candidate_parameter_version": None}, **compare(_rows(), cutoff=550.0)}
    )
    assert "candidate 'c1' against the active configuration 'default-1'" in older, "a job planned before"
    assert "score shift (candidate - active): mean +25.0" in text
    assert "approval at 550 (given): active 50.0%, candidate 100.0%" in text
    assert "1 newly approved, 0 newly declined" in text
    assert "few_connections" in text
    assert "few_skills               given to 0 -> 1; first reason for 0 -> 1" in text
