"""Patches that make moto behave like AWS where our correctness depends on it.

DynamoDB applies each conditional write atomically; moto evaluates the condition and writes without a lock, so two
threads can both pass the same condition. Our exactly-once claim relies on the AWS behaviour, so the local stack
serialises moto's DynamoDB writes (reads stay concurrent).
"""

from __future__ import annotations

import functools
import threading
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
