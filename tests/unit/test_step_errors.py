from __future__ import annotations

import json

from credscore_aws.step_errors import cause_message


def test_lambda_error_json_gives_its_message() -> None:
    cause = json.dumps(
        {"errorType": "NoUsableSource", "errorMessage": "no source could be read", "trace": []}
    )
    assert cause_message(cause, limit=100) == "no source could be read"


def test_plain_and_nested_causes_and_the_limit() -> None:
    assert cause_message("States.Timeout after 30 s", limit=100) == "States.Timeout after 30 s"
    assert cause_message(json.dumps({"Cause": "inner"}), limit=100) == "inner"
    assert cause_message(None, limit=10) == ""
    assert cause_message("x" * 50, limit=10) == "x" * 10
    assert cause_message("[1, 2]", limit=10) == "[1, 2]"
