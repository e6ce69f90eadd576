"""`credscore invoke FUNCTION --event FILE`: one real handler with one event on the embedded local stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from credscore_cli.invoke import EVENTS_DIR
from credscore_cli.main import main


def test_an_unknown_function_is_named_with_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invoke", "nosuch", "--event", str(EVENTS_DIR / "ingest.json")]) == 2
    err = capsys.readouterr().err
    assert "no function 'nosuch'" in err
    assert "ingest" in err
    assert "authorizer" in err


def test_an_unreadable_event_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "event.json"
    bad.write_text("{not json")
    assert main(["invoke", "ingest", "--event", str(bad)]) == 2
    assert "cannot read the event" in capsys.readouterr().err


@pytest.mark.e2e
def test_invoke_runs_the_api_handler_with_its_sample_event(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invoke", "api", "--event", str(EVENTS_DIR / "api.json")]) == 0
    captured = capsys.readouterr()
    response = json.loads(captured.out)
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["applications"] == [], "a fresh stack: the partner has none yet"
    assert "ApiFunction (credscore-dev-api)" in captured.err


@pytest.mark.e2e
def test_a_function_error_is_printed_as_lambda_reports_it_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The default event is events/ingest.json, naming an application this fresh stack does not have.
    assert main(["invoke", "IngestFunction"]) == 1
    error = json.loads(capsys.readouterr().out)
    assert set(error) >= {"errorType", "errorMessage"}
