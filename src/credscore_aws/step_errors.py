"""Reading the errors Step Functions hands to a Catch: {"Error": name, "Cause": text, often Lambda's JSON}."""

from __future__ import annotations

import json
from typing import Any


def cause_message(cause: Any, limit: int) -> str:
    """The readable part of a Catch `Cause`: Lambda's errorMessage when the cause is its JSON error."""
    text = str(cause or "")
    try:
        parsed = json.loads(text)
    except ValueError:
        return text[:limit]
    if isinstance(parsed, dict):
        text = str(parsed.get("errorMessage") or parsed.get("Cause") or text)
    return text[:limit]


# Errors Lambda and Step Functions name themselves whose causes are AWS's own words about the invocation (a
# timeout, a throttle, a crashed runtime), never the event's data. Not every States.* error: a path or result
# error quotes the state's input.
AWS_WORDED_PREFIXES = ("Lambda.", "Sandbox.", "Runtime.")
AWS_WORDED_ERRORS = frozenset({"States.Timeout", "States.HeartbeatTimeout", "States.Permissions"})


def safe_cause(error: str | None, cause: Any, own_errors: frozenset[str], limit: int) -> str:
    """A Catch's error as a line that is safe to keep where the event waits (a dead-letter queue): AWS's words
    for AWS's errors, "Class: message" for the `own_errors` our code raises with messages we wrote, and only the
    class name for any other exception (a library's message may quote its input: a key, a record, a file name).
    Never the stack trace, never empty, at most `limit` characters; the full cause stays in the execution's
    history."""
    name = str(error or "UnknownError")
    try:
        parsed = json.loads(str(cause or ""))
    except ValueError:
        parsed = None
    lambda_error = parsed if isinstance(parsed, dict) else {}
    raised = str(lambda_error.get("errorType") or name)
    message = str(lambda_error.get("errorMessage") or "")
    if name.startswith(AWS_WORDED_PREFIXES) or name in AWS_WORDED_ERRORS:
        line = message if lambda_error else str(cause or "")
    elif raised in own_errors:
        line = f"{raised}: {message}" if message else raised
    else:
        line = f"{raised} (its message is not kept here: see the execution's history)"
    return (line.strip() or f"{name} (no cause given)")[:limit]
