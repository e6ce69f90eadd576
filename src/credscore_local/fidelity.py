"""Patches that make moto behave like AWS where our correctness depends on it.

DynamoDB applies each conditional write atomically; moto evaluates the condition and writes without a lock, so two
threads can both pass the same condition. Our exactly-once claim relies on the AWS behaviour, so the local stack
serialises moto's DynamoDB writes (reads stay concurrent).

Step Functions names an execution started without a name with a fresh UUID; moto's interpreter leaves it None (the
context object's `$$.Execution.Name` is null and every such execution has the same ARN). ReceiveUpload's claim
stores the execution's name, and the runbook's replay starts one without a name, so the local stack names them as
AWS does.
"""

from __future__ import annotations

import functools
import threading
import uuid
from typing import Any

_LOCK = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_patched = False


def serialize_dynamodb_writes() -> None:
    global _patched
    if _patched:
        return
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        original = getattr(DynamoDBBackend, name, None)
        if original is None:
            continue

        def make(fn: Any) -> Any:
            @functools.wraps(fn)
            def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
                with _LOCK:
                    return fn(self, *args, **kwargs)

            return locked

        setattr(DynamoDBBackend, name, make(original))
    _patched = True


_named = False


def name_unnamed_executions() -> None:
    global _named
    if _named:
        return
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original = StepFunctionsParserBackend.start_execution

    @functools.wraps(original)
    def start_execution(
        self: Any, state_machine_arn: str, name: str | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        return original(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)

    StepFunctionsParserBackend.start_execution = start_execution  # type: ignore[method-assign]
    _named = True
