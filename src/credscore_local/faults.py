"""Fault injection into a running local stack's functions, by logical id (`FunctionFaults`): errors before the
handler, hangs inside it or after it did its work (so the real timeout path runs), and redeploys with another
environment, timeout or memory size.

Retry waits shortened (`shortened_retry_waits`): the state machine's long backoffs (Ingest waits minutes between
tries while X is rate limited) are slept for real by moto's interpreter; a test can cap them and still run every
try the ASL's Retry asks for.

And hooks at a function's invocation: run test code just before a function's handler runs or just after it
returned, in the stack's process, while the state machine waits on that state. With them a test can act at an
exact state boundary of a real execution (erase the application after Ingest, before Score, while the Map runs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from credscore_local.deployment import Deployed
from credscore_local.lambda_runtime import FunctionPool, LocalLambdaRuntime
from credscore_local.template import FunctionSpec

When = Literal["before", "after"]


class FunctionFaults:
    """The functions of a started stack, to break or reconfigure them."""

    def __init__(self, runtime: LocalLambdaRuntime, deployed: Deployed) -> None:
        self.runtime = runtime
        self.deployed = deployed

    def pool(self, logical_id: str) -> FunctionPool:
        return self.runtime.pools[self.deployed.functions[logical_id].name]

    def inject_faults(self, logical_id: str, error_type: str, message: str, times: int) -> None:
        """The next `times` invocations fail with this error before reaching the handler."""
        self.pool(logical_id).inject_faults(error_type, message, times)

    def inject_hangs(self, logical_id: str, seconds: float, times: int, after_handler: bool = False) -> None:
        """The next `times` invocations stall in the worker for `seconds` first (`after_handler`: once the handler
        returned, before its answer)."""
        self.pool(logical_id).inject_hangs(seconds, times, after_handler)

    def reconfigure(
        self,
        logical_id: str,
        *,
        env: dict[str, str] | None = None,
        timeout: int | None = None,
        memory_mb: int | None = None,
    ) -> FunctionSpec:
        """Change a function's environment, timeout or memory size as a redeploy would (its warm workers are
        retired); returns the previous configuration for `restore`."""
        previous = self.deployed.functions[logical_id]
        changed = dataclasses.replace(
            previous,
            environment={**previous.environment, **(env or {})},
            timeout=previous.timeout if timeout is None else timeout,
            memory_mb=previous.memory_mb if memory_mb is None else memory_mb,
        )
        self.restore(logical_id, changed)
        return previous

    def restore(self, logical_id: str, spec: FunctionSpec) -> None:
        pool = self.pool(logical_id)
        pool.stop()
        pool.spec = spec
        self.deployed.functions[logical_id] = spec


@dataclass
class Hook:
    """Calls `action(event, payload)` (payload: the function's answer as JSON, None before it ran) on the first
    `times` invocations whose event `matches`; an exception from `action` is kept in `errors` for the test to
    raise (the invocation itself goes on: the hook observes, it does not fail the function)."""

    when: When
    action: Callable[[Any, str | None], None]
    matches: Callable[[Any], bool] = lambda event: True
    times: int = 1
    fired: int = 0
    errors: list[BaseException] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _take(self, event: Any) -> bool:
        with self._lock:
            if self.fired >= self.times or not self.matches(event):
                return False
            self.fired += 1
            return True

    def run(self, event: Any, payload: str | None) -> None:
        if self._take(event):
            try:
                self.action(event, payload)
            except BaseException as exc:  # handed to the test, never to the state machine
                self.errors.append(exc)

    def check(self) -> None:
        """Raise what the action raised, and fail if it never ran."""
        if self.errors:
            raise self.errors[0]
        if self.fired == 0:
            raise AssertionError(f"the {self.when}-hook never fired")


def mentions(text: str) -> Callable[[Any], bool]:
    """An event matcher: the event mentions `text` (e.g. an application id) anywhere."""
    return lambda event: text in json.dumps(event, default=str)


@contextlib.contextmanager
def hooked(pool: Any, hook: Hook) -> Iterator[Hook]:
    """Run `hook` around `pool`'s invocations (a `FunctionPool`) for the duration of the block."""
    shadowed = pool.__dict__.get("invoke")  # another hook's, when hooks nest
    original = pool.invoke

    def invoke(event: Any) -> tuple[str, bool]:
        if hook.when == "before":
            hook.run(event, None)
        payload, errored = original(event)
        if hook.when == "after":
            hook.run(event, payload)
        return payload, errored

    pool.invoke = invoke  # the instance attribute shadows the method for this pool only
    try:
        yield hook
    finally:
        if shadowed is None:
            del pool.invoke
        else:
            pool.invoke = shadowed


@contextlib.contextmanager
def shortened_retry_waits(at_most: float) -> Iterator[list[float]]:
    """While the block runs, each wait between a state's retries (IntervalSeconds × BackoffRate^n, capped, with
    jitter, as the ASL says) is slept for at most `at_most` seconds. Yields the waits the ASL asked for, in
    order. Local only: the number of tries and the errors they match are the ASL's own, only the clock is short."""
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    asked: list[float] = []

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        time.sleep(min(seconds, at_most))

    real = retrier_decl.time
    retrier_decl.time = types.SimpleNamespace(sleep=sleep)  # type: ignore[assignment]
    try:
        yield asked
    finally:
        retrier_decl.time = real
