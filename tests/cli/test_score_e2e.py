"""`credscore score` end to end: one embedded local stack, the real pipeline, JSON out and the HTML report."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from credscore import synth
from credscore.result import Result
from credscore_cli.main import main

pytestmark = pytest.mark.e2e


def test_score_prints_json_and_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    linkedin, facebook = tmp_path / "linkedin.zip", tmp_path / "facebook-export.zip"
    synth.make_export("linkedin", linkedin, seed=1, connections=420, skills=12)
    synth.make_export("facebook", facebook, seed=2, posts=20, friends=300, birth_year=1991)
    not_a_zip = tmp_path / "instagram.zip"
    not_a_zip.write_text("this is not an archive")
    report = tmp_path / "report.html"

    code = main(
        [
            "score",
            str(linkedin),
            str(facebook),
            str(not_a_zip),
            "--json",
            "--report",
            str(report),
            "--timeout",
            "240",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "instagram: instagram.zip is not a zip archive" in captured.err
    # The result is out before the stack's slow shutdown starts (a Ctrl-C there no longer loses it).
    assert captured.err.index("Printable report written") < captured.err.index("Stopping the embedded local")
    payload = json.loads(captured.out)
    assert payload["application"]["status"] == "scored"
    assert {s["platform"] for s in payload["application"]["sources"]} == {"linkedin", "facebook"}
    result = payload["result"]
    assert result["breakdown"]
    assert 0 <= result["total_points"] <= result["max_possible"]
    document = report.read_text(encoding="utf-8")
    assert "credscore report" in document
    assert payload["application"]["application_id"] in document
    for item in result["breakdown"]:
        assert item["feature"] in document
    # The pipeline's own result reads losslessly into the one result model, and the report shows its numbers.
    typed = Result.read(result)
    assert typed.model_dump(mode="json", exclude_unset=True) == result
    assert f"{typed.total_points:.1f}" in document
    for reason in typed.reasons:
        assert html.escape(reason.code) in document


def test_samples_writes_one_zip_per_platform(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["samples", "--out", str(tmp_path), "--platform", "linkedin", "--platform", "x"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["linkedin.zip", "x.zip"]
    assert "linkedin.zip" in capsys.readouterr().out
