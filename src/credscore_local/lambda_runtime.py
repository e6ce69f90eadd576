"""A local Lambda runtime: each function's real handler in warm worker processes, with its template environment.

moto runs Lambda code only in Docker, which these machines do not have. We replace moto's invocation point with a
call into a pool of worker processes per function (spawned, so each has its own interpreter like a Lambda execution
environment): the first call pays the cold start, later calls reuse the warm worker, concurrent calls get another
worker up to the function's concurrency limit, and a call that outlives the function's Timeout kills its worker
and is reported the way Lambda reports a timeout. A worker whose resident memory passes the function's
MemorySize is killed and the call fails as Lambda reports it (`Runtime.OutOfMemory`, see `memory.py` for how
memory is read); every call's peak resident memory is kept in the pool's `stats` and written to the function's
log as Lambda's REPORT line, with the AWS calls the handler made (`aws_calls.py`), summed in the pool's `aws_calls`.
What runs inside a worker is `lambda_worker.py`.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from credscore_local import memory
from credscore_local.lambda_worker import worker_main
from credscore_local.template import FunctionSpec

TIMEOUT_ERROR = "Sandbox.Timedout"
OUT_OF_MEMORY_ERROR = "Runtime.OutOfMemory"
MEMORY_POLL_SECONDS = 0.02  # how often a running worker's resident memory is read once it is near its limit
# ... and while it holds under half of it: a worker cannot double its resident set in 0.1 s without touching
# hundreds of MiB, and a spike between two reads still counts (the high-water mark). Each read costs the emulator
# ~0.1 ms of CPU on the cores the functions use, 50 a second through each image batch (13 s on this machine).
MEMORY_POLL_FAR_SECONDS = 0.1
STATS_KEPT = 1000
_HIGH_WATER_MARK = memory.proc_available()  # /proc's VmHWM: a spike between two reads is still seen


@dataclass(frozen=True)
class InvocationStats:
    """One invocation as Lambda's REPORT log line describes it."""

    request_id: str
    outcome: str  # "ok", "error", "timeout", "out_of_memory" or "exit"
    duration_ms: float
    max_memory_used_mb: (
        float | None
    )  # peak resident memory of the worker during the call (None: not measured)
    memory_size_mb: int
    # AWS calls the handler made ("s3:GetObject": 3), counted in the worker; the cold start's in the first call.
    aws_calls: dict[str, int] = field(default_factory=dict)
    # CPU seconds (all threads) the worker spent in the handler: unlike the duration, not stretched by a busy host.
    cpu_ms: float | None = None


def memory_poll_seconds(resident: int, limit: int, high_water_mark: bool = True) -> float:
    """How long until a worker with `resident` bytes under a `limit` is read again. Without a high-water mark
    (no /proc: psutil's current RSS only) a spike between two reads is missed, so it is read often throughout."""
    if not high_water_mark or resident * 2 >= limit:
        return MEMORY_POLL_SECONDS
    return MEMORY_POLL_FAR_SECONDS


class _OutOfMemory(Exception):
    def __init__(self, peak: int) -> None:
        super().__init__(peak)
        self.peak = peak


class _Worker:
    def __init__(self, spec: FunctionSpec, base_env: dict[str, str], arn: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=worker_main, args=(child, spec, base_env, arn), daemon=True)
        self.process.start()
        child.close()
        self.started = False
        self.invocations = 0

    def invoke(
        self,
        event: Any,
        request_id: str,
        timeout: float,
        hang: tuple[float, float] = (0.0, 0.0),
        memory_limit: int | None = None,
    ) -> tuple[str, Any, int | None, dict[str, int], float]:
        """(status, payload, peak resident bytes during the call, AWS calls made, CPU ms). Raises TimeoutError
        past `timeout` and `_OutOfMemory` when the worker's resident memory passed `memory_limit` bytes."""
        if not self.started:
            self._await_init(max(timeout, 60), memory_limit)
        self.conn.send((event, request_id, timeout, hang))
        peak = self._await_answer(timeout, memory_limit)
        self.invocations += 1
        status, payload, worker_peak, calls, cpu_ms = self.conn.recv()
        measured = max(peak, worker_peak or 0) or None
        # A spike between two polls still counts: Lambda would have killed the sandbox at that moment.
        if memory_limit is not None and measured is not None and measured > memory_limit:
            raise _OutOfMemory(measured)
        return status, payload, measured, calls, cpu_ms

    def _await_init(self, timeout: float, memory_limit: int | None) -> None:
        """Wait for the worker's code to be imported, under the same memory limit as a call: Lambda's limit is
        the sandbox's, so an import that loads too much (a model, a big table) fails the first call."""
        self._await_answer(timeout, memory_limit, what="init timed out")
        self.conn.recv()
        if memory_limit is not None and self.process.pid is not None:
            # The high-water mark now is the import's own peak: a spike between two polls still counts.
            reading = memory.read(self.process.pid)
            if reading is not None and reading.peak > memory_limit:
                raise _OutOfMemory(reading.peak)
        self.started = True

    def _await_answer(self, timeout: float, memory_limit: int | None, what: str = "") -> int:
        """Poll until the worker has something to say; the peak resident bytes seen meanwhile. Raises
        TimeoutError past `timeout` and `_OutOfMemory` once the worker's resident memory passed the limit."""
        deadline = time.monotonic() + timeout
        peak = 0
        wait = MEMORY_POLL_SECONDS
        while not self.conn.poll(min(wait, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                raise TimeoutError(what)
            if memory_limit is None or self.process.pid is None:
                wait = timeout  # nothing to watch but the deadline
                continue
            reading = memory.read(self.process.pid)
            if reading is None:  # gone (its answer or EOF wakes the poll) or unreadable here
                wait = MEMORY_POLL_FAR_SECONDS
                continue
            # Before the worker's reset the mark is the previous call's (or the import's) peak, which was under
            # the limit.
            if (peak := max(peak, reading.peak)) > memory_limit:
                raise _OutOfMemory(peak)
            wait = memory_poll_seconds(reading.rss, memory_limit, _HIGH_WATER_MARK)
        return peak

    def stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.conn.send(None)
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=2)


class FunctionPool:
    """Warm workers for one function; grows on concurrent calls up to `max_concurrency`."""

    def __init__(
        self,
        spec: FunctionSpec,
        base_env: dict[str, str],
        arn: str,
        max_concurrency: int,
        enforce_memory: bool = True,
    ) -> None:
        self.spec = spec
        self.base_env = base_env
        self.arn = arn
        self.enforce_memory = enforce_memory
        self.stats: deque[InvocationStats] = deque(maxlen=STATS_KEPT)
        self.aws_calls: Counter[str] = Counter()  # every call's AWS calls, summed (not capped like `stats`)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self.cold_starts = 0
        self.invocations = 0
        self._faults: list[tuple[str, str]] = []
        self._hangs: list[tuple[float, float]] = []  # (seconds before, seconds after) the handler

    def inject_faults(self, error_type: str, message: str, times: int) -> None:
        """The next `times` invocations fail with this error before reaching the handler (fault-injection tests)."""
        with self._lock:
            self._faults.extend([(error_type, message)] * times)

    def inject_hangs(self, seconds: float, times: int, after_handler: bool = False) -> None:
        """The next `times` invocations stall in the worker for `seconds` first, so the real timeout path runs;
        `after_handler`: the handler runs (its writes land) and the stall comes before its answer, as when a slow
        or throttled return loses an attempt that did its work."""
        with self._lock:
            self._hangs.extend([(0.0, seconds) if after_handler else (seconds, 0.0)] * times)

    def invoke(self, event: Any) -> tuple[str, bool]:
        """Returns (payload JSON, errored) as Lambda's Invoke API would."""
        with self._lock:
            fault = self._faults.pop(0) if self._faults else None
            hang = self._hangs.pop(0) if self._hangs and fault is None else (0.0, 0.0)
        if fault is not None:
            self.invocations += 1
            return json.dumps({"errorType": fault[0], "errorMessage": fault[1]}), True
        with self._slots:
            with self._lock:
                worker = self._idle.pop() if self._idle else None
                if worker is None:
                    self.cold_starts += 1
                    worker = _Worker(self.spec, self.base_env, self.arn)
                self.invocations += 1
            request_id = str(uuid.uuid4())
            limit = self.spec.memory_mb * memory.MIB if self.enforce_memory else None
            started = time.monotonic()
            try:
                status, payload, peak, calls, cpu_ms = worker.invoke(
                    event, request_id, self.spec.timeout, hang, limit
                )
            except (TimeoutError, EOFError, OSError, _OutOfMemory) as exc:
                worker.process.kill()
                worker.stop()
                if isinstance(exc, TimeoutError):
                    self._report(request_id, "timeout", started, None)
                    message = f"Task timed out after {self.spec.timeout:.2f} seconds"
                    return json.dumps({"errorType": TIMEOUT_ERROR, "errorMessage": message}), True
                if isinstance(exc, _OutOfMemory):
                    self._report(request_id, "out_of_memory", started, exc.peak)
                    # Lambda's own words when the sandbox is killed for memory.
                    message = f"RequestId: {request_id} Error: Runtime exited with error: signal: killed"
                    return json.dumps({"errorType": OUT_OF_MEMORY_ERROR, "errorMessage": message}), True
                self._report(request_id, "exit", started, None)
                return json.dumps({"errorType": "Runtime.ExitError", "errorMessage": str(exc)}), True
            self._report(request_id, "ok" if status == "ok" else "error", started, peak, calls, cpu_ms)
            with self._lock:
                self._idle.append(worker)
        if status == "ok":
            return payload, False
        return json.dumps(payload), True

    def _report(
        self,
        request_id: str,
        outcome: str,
        started: float,
        peak: int | None,
        calls: dict[str, int] | None = None,
        cpu_ms: float | None = None,
    ) -> None:
        """Keep the call's stats and write Lambda's REPORT line (and its out-of-memory line) to the log."""
        stats = InvocationStats(
            request_id=request_id,
            outcome=outcome,
            duration_ms=round((time.monotonic() - started) * 1000, 2),
            max_memory_used_mb=None if peak is None else round(peak / memory.MIB, 1),
            memory_size_mb=self.spec.memory_mb,
            aws_calls=dict(calls or {}),
            cpu_ms=None if cpu_ms is None else round(cpu_ms, 2),
        )
        with self._lock:
            self.stats.append(stats)
            self.aws_calls.update(stats.aws_calls)
        log_dir = self.base_env.get("CREDSCORE_LOCAL_LOG_DIR")
        if not log_dir:
            return
        lines = []
        if outcome == "out_of_memory":
            lines.append(f"RequestId: {request_id} Error: Runtime exited with error: signal: killed")
            lines.append(OUT_OF_MEMORY_ERROR)
        used = "-" if stats.max_memory_used_mb is None else f"{stats.max_memory_used_mb:.0f} MB"
        lines.append(
            f"REPORT RequestId: {request_id}\tDuration: {stats.duration_ms:.2f} ms\t"
            f"Memory Size: {self.spec.memory_mb} MB\tMax Memory Used: {used}"
        )
        with (
            contextlib.suppress(OSError),
            open(os.path.join(log_dir, f"{self.spec.name}.log"), "a", encoding="utf-8") as log,
        ):
            log.write("\n".join(lines) + "\n")

    @property
    def peak_memory_mb(self) -> float | None:
        """The highest peak of the calls kept in `stats`."""
        peaks = [s.max_memory_used_mb for s in self.stats if s.max_memory_used_mb is not None]
        return max(peaks) if peaks else None

    def stop(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.stop()


class LocalLambdaRuntime:
    """All function pools of the stack, and the shim that routes moto's Lambda invocations to them."""

    def __init__(
        self, base_env: dict[str, str], max_concurrency: int = 2, enforce_memory: bool = True
    ) -> None:
        self.base_env = base_env
        self.max_concurrency = max_concurrency
        self.enforce_memory = enforce_memory
        self.pools: dict[str, FunctionPool] = {}
        self._original: Any = None

    def register(self, spec: FunctionSpec, arn: str) -> None:
        self.pools[spec.name] = FunctionPool(
            spec, self.base_env, arn, self.max_concurrency, self.enforce_memory
        )

    def invoke(self, function_name: str, event: Any) -> tuple[str, bool]:
        return self.pools[function_name].invoke(event)

    def install(self) -> None:
        """Route moto's Lambda invocations (from Step Functions and the Invoke API) to our pools."""
        from moto.awslambda.models import LambdaFunction

        runtime = self
        self._original = LambdaFunction._invoke_lambda

        def _invoke_lambda(fn: Any, event: Any = None) -> tuple[str, bool, str]:
            pool = runtime.pools.get(fn.function_name)
            if pool is None:
                return runtime._original(fn, event)
            payload, errored = pool.invoke(event if event is not None else {})
            return payload, errored, ""

        LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        if self._original is not None:
            from moto.awslambda.models import LambdaFunction

            LambdaFunction._invoke_lambda = self._original  # type: ignore[method-assign]
            self._original = None

    def stop(self) -> None:
        for pool in self.pools.values():
            pool.stop()
        self.uninstall()


def shim_engaged() -> bool:
    """True when moto still has the private method we replace (checked by a test, since moto is pinned)."""
    from moto.awslambda.models import LambdaFunction

    return callable(getattr(LambdaFunction, "_invoke_lambda", None))


def code_dirs(specs: dict[str, FunctionSpec]) -> list[Path]:
    return [s.code_dir for s in specs.values()]
