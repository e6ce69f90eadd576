from __future__ import annotations

import json

from credscore_aws.step_errors import cause_message, safe_cause


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


OWN = frozenset({"TransientError"})


def _lambda_error(error_type: str, message: str) -> str:
    trace = ['  File "/var/task/app.py", line 9, in lambda_handler\n    raise ...\n']
    return json.dumps({"errorType": error_type, "errorMessage": message, "stackTrace": trace})


def test_a_safe_cause_keeps_our_own_message_and_never_the_stack_trace() -> None:
    cause = _lambda_error("TransientError", "the table stayed busy")
    assert safe_cause("TransientError", cause, OWN, limit=300) == "TransientError: the table stayed busy"
    assert safe_cause("TransientError", _lambda_error("TransientError", ""), OWN, 300) == "TransientError"


def test_a_safe_cause_withholds_the_message_of_an_exception_that_is_not_ours() -> None:
    # A library's message may quote its input: an object key, a record, the name of a file in an export.
    cause = _lambda_error("KeyError", "'Alice Example holiday.jpg'")
    described = safe_cause("KeyError", cause, OWN, limit=300)
    assert described.startswith("KeyError (")
    assert "Alice" not in described
    assert "app.py" not in safe_cause("ValueError", _lambda_error("ValueError", "x"), OWN, 300)
    assert safe_cause("Boom", "not json, maybe personal", OWN, 300).startswith("Boom (")
    quoting = (
        'Unable to apply ResultPath "$.error" to input {"detail": {"source-ip-address": "203.0.113.15"}}'
    )
    assert "203.0.113.15" not in safe_cause("States.ResultPathMatchFailure", quoting, OWN, 300)


def test_a_safe_cause_keeps_aws_words_for_aws_errors_and_is_never_empty_nor_long() -> None:
    timed_out = json.dumps(
        {"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out after 2.00 seconds"}
    )
    assert safe_cause("Sandbox.Timedout", timed_out, OWN, 300) == "Task timed out after 2.00 seconds"
    assert safe_cause("Lambda.TooManyRequestsException", "Rate Exceeded.", OWN, 300) == "Rate Exceeded."
    assert safe_cause("States.Timeout", "", OWN, 300) == "States.Timeout (no cause given)"
    assert safe_cause(None, None, OWN, 300).startswith("UnknownError (")
    long = _lambda_error("TransientError", "busy " * 200)
    assert len(safe_cause("TransientError", long, OWN, limit=300)) == 300
