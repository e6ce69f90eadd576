"""Inside a local Lambda worker process (see `lambda_runtime.py`, which spawns it): the function's environment and
log, the IAM guard and the AWS-call counter, the handler imported once (the cold start), then one invocation per
message from the pool until it says stop.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from credscore_local import aws_calls, memory, network_guard
from credscore_local.template import REPO_ROOT, FunctionSpec

SRC_DIR = REPO_ROOT / "src"


@dataclass
class LambdaContext:
    """The parts of the Lambda context object that handlers and powertools read."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def worker_main(conn: Connection, spec: FunctionSpec, base_env: dict[str, str], arn: str) -> None:
    """Runs inside the worker process: import the handler once (cold start), then serve invocations."""
    _prepare(spec, base_env, arn)
    handler: Callable[[Any, Any], Any] | None = None
    init_error: dict[str, Any] | None = None
    module_name, func_name = spec.handler.rsplit(".", 1)
    try:
        handler = getattr(importlib.import_module(module_name), func_name)
    except (
        Exception
    ) as exc:  # an import error is reported on every call, as Lambda's Runtime.ImportModuleError
        init_error = _error_payload(exc, "Runtime.ImportModuleError")
    conn.send(("ready", None))
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        event, request_id, timeout, (hang_before, hang_after) = message
        memory.reset_peak()  # the high-water mark becomes this invocation's peak
        if hang_before:  # fault injection: the handler "hangs" (e.g. on a stuck network call)
            time.sleep(hang_before)
        if handler is None:
            conn.send(("error", init_error, memory.own_peak(), aws_calls.take(), 0.0))
            continue
        context = LambdaContext(
            function_name=spec.name,
            memory_limit_in_mb=spec.memory_mb,
            invoked_function_arn=arn,
            aws_request_id=request_id,
            log_group_name=f"/aws/lambda/{spec.name}",
            _deadline=time.time() + timeout,
        )
        status, payload, cpu_ms = _call(handler, event, context)
        if hang_after:  # fault injection: the handler did its work, its answer comes too late
            time.sleep(hang_after)
        conn.send((status, payload, memory.own_peak(), aws_calls.take(), cpu_ms))


def _prepare(spec: FunctionSpec, base_env: dict[str, str], arn: str) -> None:
    """The execution environment Lambda gives the function, before its code is imported."""
    log_dir = base_env.get("CREDSCORE_LOCAL_LOG_DIR")
    if log_dir:
        # Like CloudWatch Logs: what the function prints goes to its own log, not the caller's terminal.
        log_fd = os.open(
            os.path.join(log_dir, f"{spec.name}.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600
        )
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
    network_guard.install_if_asked()  # the test run's workers reach loopback only, as the test process does
    os.environ.update(base_env)
    os.environ.update(spec.environment)
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = spec.name
    os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = str(spec.memory_mb)
    os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"] = str(spec.timeout)
    os.environ["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{spec.runtime}"
    os.environ["_HANDLER"] = spec.handler
    if spec.policy_statements is not None:
        from credscore_local.iam_guard import install

        account = arn.split(":")[4]
        install(
            spec.policy_statements,
            f"arn:aws:sts::{account}:assumed-role/{spec.name}-role/{spec.name}",
            account,
        )
    aws_calls.install()  # outside the guard: a refused call is counted too
    # Lambda puts the function code first on the path, then the layers (/opt/python).
    sys.path[:0] = [str(spec.code_dir), str(SRC_DIR)]


def _call(handler: Callable[[Any, Any], Any], event: Any, context: LambdaContext) -> tuple[str, Any, float]:
    """(status, payload, CPU ms) of one invocation; the CPU time counts all threads, unstretched by a busy host."""
    cpu_started = time.process_time()
    try:
        result = handler(event, context)
        reply: tuple[str, Any] = ("ok", json.dumps(result, default=str))
    except Exception as exc:
        payload = _error_payload(exc)
        # As Lambda's runtime does: an unhandled error is written to the function's log too.
        print(json.dumps(payload), file=sys.stderr, flush=True)
        reply = ("error", payload)
    return (*reply, (time.process_time() - cpu_started) * 1000)


def _error_payload(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorType": error_type or type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }
