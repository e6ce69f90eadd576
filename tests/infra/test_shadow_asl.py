"""shadow.asl.json: linted by the real tools, wired to its functions, and shaped as the job it claims to be."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from credscore_local.template import load_template
from tests.infra.test_template import _tool

REPO = Path(__file__).resolve().parents[2]
RESOURCES: dict[str, Any] = load_template()["Resources"]
TEXT = (REPO / "shadow.asl.json").read_text()
ASL = json.loads(TEXT)
SUBS = RESOURCES["ShadowStateMachine"]["Properties"]["DefinitionSubstitutions"]


def _substituted(tmp_path: Path) -> Path:
    text = TEXT
    for var in SUBS:
        text = text.replace("${" + var + "}", f"arn:aws:lambda:us-east-1:123456789012:function:{var}")
    path = tmp_path / "shadow.json"
    path.write_text(text)
    return path


def test_placeholders_match_substitutions() -> None:
    assert set(re.findall(r"\$\{(\w+)\}", TEXT)) == set(SUBS)


def test_valid_for_asl_validator(tmp_path: Path) -> None:
    validator = REPO / "tools/asl/node_modules/.bin/asl-validator"
    if not validator.exists():
        pytest.fail("asl-validator is not installed: run `make setup`")
    result = subprocess.run(
        [str(validator), "--json-path", str(_substituted(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_valid_for_statelint(tmp_path: Path) -> None:
    result = subprocess.run(
        [_tool("statelint", ".venv"), str(_substituted(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_segments_fan_out_as_a_distributed_map_that_pages_until_done() -> None:
    states = ASL["States"]
    assert [ASL["StartAt"], states["Plan"]["Next"], states["ScoreSegments"]["Next"]] == [
        "Plan",
        "ScoreSegments",
        "Report",
    ]
    fan_out = states["ScoreSegments"]
    assert fan_out["Type"] == "Map"
    assert fan_out["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert fan_out["ResultPath"] is None, "page results stay in S3, not in the execution's state"
    inner = fan_out["ItemProcessor"]["States"]
    loop = inner["MorePages"]["Choices"][0]
    assert (loop["Variable"], loop["BooleanEquals"], loop["Next"]) == ("$.done", False, "ScorePage")


def test_every_task_retries_transient_lambda_errors_with_a_timeout() -> None:
    tasks = [s for s in ASL["States"].values() if s["Type"] == "Task"]
    tasks += [
        s for s in ASL["States"]["ScoreSegments"]["ItemProcessor"]["States"].values() if s["Type"] == "Task"
    ]
    assert len(tasks) == 3
    for task in tasks:
        retry = next(r for r in task["Retry"] if "Lambda.ServiceException" in r["ErrorEquals"])
        assert retry["BackoffRate"] > 1
        assert "TimeoutSeconds" in task
    for task in tasks:
        function = RESOURCES[SUBS[task["Resource"][2:-1]]["Fn::GetAtt"][0]]["Properties"]
        assert task["TimeoutSeconds"] > function["Timeout"], "the state outlives its function's own timeout"


def test_model_drift_alarm_fires_above_a_quarter_on_the_weekly_psi() -> None:
    alarm = RESOURCES["ModelDriftAlarm"]["Properties"]
    watched = {q["MetricStat"]["Metric"]["MetricName"] for q in alarm["Metrics"] if "MetricStat" in q}
    assert watched == {"ScorePsi", "MaxCharacteristicPsi"}
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0.25, "GreaterThanThreshold")
    emitted = (REPO / "functions/monitor/app.py").read_text()
    assert all(f'add_metric(name="{name}"' in emitted for name in watched)
    schedule = RESOURCES["MonitorFunction"]["Properties"]["Events"]["Weekly"]
    assert schedule["Type"] == "Schedule"
    assert schedule["Properties"]["Schedule"] == "cron(0 3 ? * MON *)"
