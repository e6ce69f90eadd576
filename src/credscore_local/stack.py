"""The embedded local stack: moto as a server, resources created from `template.yaml`, real handlers in workers.

What runs here is what runs in AWS: the same `statemachine.asl.json` (executed by moto's Step Functions
interpreter), the same handlers with the environment the template gives them, S3 → EventBridge delivery of uploads,
and the partner API behind an adapter that produces API Gateway HTTP API (v2) events. What is local-only is said
where it happens (the EventBridge → Step Functions hop, which moto does not deliver, is pumped through SQS).

`LocalStack` is a facade over its parts: `provisioning` (and `resources`) create the template's resources,
`lambda_runtime` runs the functions, `event_pump` delivers uploads, streams and queues, `api_adapter` serves the
API, `executions` reads the state machine's executions and `faults` breaks functions on purpose.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import requests

from credscore_local import asl_cache, ddb_transactions, moto_hosts, network_guard, s3_disposal, s3_ranges
from credscore_local.api_adapter import serve_api
from credscore_local.deployment import FAKE_CREDENTIALS, Deployed, aws_client, free_port
from credscore_local.event_pump import EventSourcePumps, UploadEventPump
from credscore_local.executions import Executions
from credscore_local.faults import FunctionFaults
from credscore_local.fidelity import (
    deliver_s3_events_as_aws_does,
    enforce_post_policies,
    name_unnamed_executions,
    serialize_dynamodb_writes,
)
from credscore_local.lambda_runtime import FunctionPool, LocalLambdaRuntime
from credscore_local.provisioning import Provisioner
from credscore_local.template import load_template, parameter_defaults


class LocalStack:
    """Start with `with LocalStack() as stack:`; `stack.client("s3")` talks to it; `stack.api_url` is the API."""

    _active: LocalStack | None = None  # moto keeps its state per process, so one stack at a time

    def __init__(
        self,
        parameter_overrides: dict[str, Any] | None = None,
        serve_api: bool = True,
        max_concurrency: int = 2,
        extra_function_env: dict[str, str] | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="credscore-local-logs-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.template = load_template()
        # Local-only: webhooks may go to http:// receivers on loopback (in AWS: https, public addresses only).
        self.parameters = parameter_defaults(
            self.template, {"WebhookAllowLoopback": "true", **(parameter_overrides or {})}
        )
        self.serve_api = serve_api
        self.extra_function_env = extra_function_env or {}
        self.max_concurrency = max_concurrency
        self.deployed = Deployed()
        self.runtime: LocalLambdaRuntime | None = None
        self.api_url = ""
        self.executions = Executions(
            lambda: self.client("stepfunctions"), lambda: self.deployed.state_machine_arn
        )
        self._server: Any = None
        self._api_server: Any = None
        self._upload_pump: UploadEventPump | None = None
        self._event_sources: EventSourcePumps | None = None
        self._faults: FunctionFaults | None = None
        self._saved_env: dict[str, str | None] = {}

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> LocalStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if LocalStack._active is not None:
            raise RuntimeError("an embedded local stack is already running in this process; stop it first")
        LocalStack._active = self
        network_guard.install_if_asked()  # a stack a test started in a child process (`credscore serve`)
        serialize_dynamodb_writes()
        name_unnamed_executions()  # a start without a name gets a UUID, as in AWS
        deliver_s3_events_as_aws_does()  # sequencers, spelling and input transformers as in AWS
        enforce_post_policies()  # a browser upload its policy does not allow is refused, as S3 does
        s3_ranges.install()  # a ranged GET costs its range, as in S3
        s3_disposal.install()  # a delete answers before the disk has freed the key's bytes, as in S3
        asl_cache.install()  # the definition is parsed once, not at every execution
        moto_hosts.install()  # moto's server lists its package once, not at every request
        ddb_transactions.install()  # a transaction copies the items it names, not their tables
        self._start_moto()
        self.runtime = LocalLambdaRuntime(self._function_env(), max_concurrency=self.max_concurrency)
        self.runtime.install()
        Provisioner(self.endpoint, self.template, self.parameters, self.runtime, self.deployed).deploy()
        self._faults = FunctionFaults(self.runtime, self.deployed)
        self._upload_pump = UploadEventPump(self)
        self._upload_pump.start()
        self._event_sources = EventSourcePumps(self)
        self._event_sources.start()
        if self.serve_api:
            self._api_server, self.api_url = serve_api(self)

    def _start_moto(self) -> None:
        from moto.server import ThreadedMotoServer

        # Step Functions' interpreter calls Lambda through this port; boto3 in this process uses fake credentials.
        self._set_env({"MOTO_PORT": str(self.port), **FAKE_CREDENTIALS})
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per AWS call is noise here
        # The interpreter logs every failed task with its whole state tree; executions keep the error anyway.
        logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        # A stack started earlier in this process left its resources in moto's (process-wide) state.
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=10).raise_for_status()
        requests.post(
            f"{self.endpoint}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}},
            timeout=10,
        ).raise_for_status()

    def _function_env(self) -> dict[str, str]:
        """What every function's worker gets besides its template environment."""
        return {
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.endpoint,
            "CREDSCORE_LOCAL": "1",
            "CREDSCORE_LOCAL_LOG_DIR": str(self.log_dir),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "false",
            **self.extra_function_env,
        }

    def stop(self) -> None:
        if self._api_server is not None:
            self._api_server.shutdown()
            self._api_server.server_close()
        if self._upload_pump is not None:
            self._upload_pump.stop()
        if self._event_sources is not None:
            self._event_sources.stop()
        if self.runtime is not None:
            self.runtime.stop()
        if self._server is not None:
            self._server.stop()
        s3_disposal.drain()  # the files of keys deleted while it ran are closed before it counts as stopped
        if LocalStack._active is self:
            LocalStack._active = None
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def _set_env(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    # ------------------------------------------------------------------ what callers use
    def client(self, service: str) -> Any:
        return aws_client(self.endpoint, service)

    @property
    def event_queue_url(self) -> str:
        return self.deployed.event_queue_url

    @property
    def event_dead_letter_url(self) -> str | None:
        return self.deployed.event_dead_letter_url

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Invoke one function's real handler directly (the API adapter, the event pumps, tests)."""
        assert self.runtime is not None
        payload, errored = self.runtime.invoke(self.deployed.functions[logical_id].name, event)
        result = json.loads(payload)
        if errored:
            raise RuntimeError(
                f"{logical_id} failed: {result.get('errorType')}: {result.get('errorMessage')}"
            )
        return result

    def wait_for_executions(self, timeout: float = 120.0, expected: int = 1) -> list[dict[str, Any]]:
        """Wait until at least `expected` executions exist and none is running; return their descriptions."""
        return self.executions.wait(timeout, expected)

    def scoring_execution(self, application_id: str) -> dict[str, Any] | None:
        """The description (start and stop dates, input, output) of the execution that scored the application."""
        return self.executions.scoring(application_id)

    def state_times(self, application_id: str) -> list[tuple[str, float, int]]:
        """(state, seconds, times entered) for the execution that scored the application, from its history;
        a state entered several times (Map iterations) reports its longest run."""
        execution = self.executions.scoring(application_id)
        return [] if execution is None else self.executions.state_times(execution)

    def execution_state_times(self, execution: dict[str, Any]) -> list[tuple[str, float, int]]:
        """`state_times` for an execution already described (see `scoring_execution`)."""
        return self.executions.state_times(execution)

    @property
    def faults(self) -> FunctionFaults:
        """The functions to break or redeploy with another configuration (`reconfigure`, then `restore`)."""
        assert self._faults is not None, "the stack is not started"
        return self._faults

    def inject_faults(
        self, logical_id: str, error_type: str, message: str = "injected fault", times: int = 1
    ) -> None:
        self.faults.inject_faults(logical_id, error_type, message, times)

    def inject_hangs(
        self, logical_id: str, seconds: float, times: int = 1, after_handler: bool = False
    ) -> None:
        self.faults.inject_hangs(logical_id, seconds, times, after_handler)

    def pool(self, logical_id: str) -> FunctionPool:
        return self.faults.pool(logical_id)
