"""Executions of the scoring state machine as callers read them: waiting for them to finish, finding the one that
scored an application, and how long each state took (from the execution's history)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class Executions:
    """Queries over the executions of one state machine; `client` makes a Step Functions client."""

    def __init__(self, client: Callable[[], Any], state_machine_arn: Callable[[], str]) -> None:
        self._client = client
        # Read at each call: the ARN is known only once the stack is deployed.
        self._state_machine_arn = state_machine_arn

    def _all(self, sfn: Any) -> list[dict[str, Any]]:
        pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=self._state_machine_arn())
        return [e for page in pages for e in page["executions"]]

    def wait(self, timeout: float = 120.0, expected: int = 1) -> list[dict[str, Any]]:
        """Wait until at least `expected` executions exist and none is running; return their descriptions."""
        sfn = self._client()
        deadline = time.time() + timeout
        while time.time() < deadline:
            executions = self._all(sfn)
            if len(executions) >= expected and all(e["status"] != "RUNNING" for e in executions):
                return [sfn.describe_execution(executionArn=e["executionArn"]) for e in executions]
            time.sleep(0.1)
        raise TimeoutError("executions still running")

    def scoring(self, application_id: str, timeout: float = 60.0) -> dict[str, Any] | None:
        """The description (start and stop dates, input, output) of the execution that scored the application,
        or None once no execution is running and none scored it.

        The score is stored by the last state's function, so a caller that saw "scored" may ask while that
        execution is still finishing: a running execution is waited for (up to `timeout`), not passed over."""
        sfn = self._client()
        finished: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + timeout
        while True:
            running = False
            for execution in self._all(sfn):
                arn = execution["executionArn"]
                if execution["status"] == "RUNNING":
                    running = True
                    continue
                if arn not in finished:
                    finished[arn] = sfn.describe_execution(executionArn=arn)
                output = finished[arn].get("output", "")
                if application_id in output and '"status": "scored"' in output:
                    return finished[arn]
            if not running or time.monotonic() >= deadline:
                return None
            time.sleep(0.1)

    def state_times(self, execution: dict[str, Any]) -> list[tuple[str, float, int]]:
        """(state, seconds, times entered) for an execution already described; a state entered several times
        (Map iterations) reports its longest run."""
        events = self._client().get_execution_history(
            executionArn=execution["executionArn"], maxResults=1000
        )["events"]
        entered: dict[str, list[Any]] = {}
        runs: dict[str, list[float]] = {}
        for event in events:
            if "stateEnteredEventDetails" in event:
                entered.setdefault(event["stateEnteredEventDetails"]["name"], []).append(event["timestamp"])
            elif "stateExitedEventDetails" in event:
                name = event["stateExitedEventDetails"]["name"]
                if entered.get(name):
                    seconds = (event["timestamp"] - entered[name].pop(0)).total_seconds()
                    runs.setdefault(name, []).append(seconds)
        return [(name, max(seconds), len(seconds)) for name, seconds in runs.items()]
