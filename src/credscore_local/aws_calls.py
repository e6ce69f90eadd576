"""Count the AWS API calls a function's handler makes, per invocation, as "service:Operation".

Installed in each local worker beside the IAM guard (iam_guard.py), at the same botocore entry point
(`BaseClient._make_api_call`) and outside it, so a call the guard refuses is still counted: it reached AWS and
AWS would have billed or refused it. botocore's own retries happen below this point and are not counted (the local
stack never throttles). Calls made while the handler module is imported (the cold start) are kept and counted in
the first invocation that follows, as Lambda's init phase precedes it. The worker sends `take()` back with each
reply; the pool keeps it in `InvocationStats.aws_calls` and sums it in `FunctionPool.aws_calls`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

_counts: Counter[str] = Counter()
_installed = False


def install() -> None:
    """Count every botocore call of this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    from botocore.client import BaseClient

    inner = BaseClient._make_api_call

    def _make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        _counts[f"{client.meta.service_model.service_name}:{operation_name}"] += 1
        return inner(client, operation_name, api_params)

    BaseClient._make_api_call = _make_api_call
    _installed = True


def take() -> dict[str, int]:
    """The calls counted since the last `take()`, and a fresh count."""
    calls = dict(_counts)
    _counts.clear()
    return calls
