"""Finding the execution that scored an application (credscore_local.executions): the partner API says "scored"
as soon as the last state's function stores the score, while that execution may still be finishing; the lookup
waits for it instead of reporting that nothing scored the application."""

from __future__ import annotations

import json
from typing import Any

from credscore_local.executions import Executions

ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:Scoring"


class _FakeStepFunctions:
    """list_executions / describe_execution over executions whose status changes after some listings."""

    def __init__(self, executions: list[dict[str, Any]], finish_after: int) -> None:
        self._executions = executions
        self._finish_after = finish_after
        self.listings = 0
        self.described: list[str] = []

    def get_paginator(self, name: str) -> Any:
        assert name == "list_executions"
        fake = self

        class _Pages:
            def paginate(self, stateMachineArn: str) -> list[dict[str, Any]]:
                assert stateMachineArn == ARN
                fake.listings += 1
                done = fake.listings > fake._finish_after
                return [
                    {
                        "executions": [
                            {"executionArn": e["arn"], "status": e["final"] if done else e["first"]}
                            for e in fake._executions
                        ]
                    }
                ]

        return _Pages()

    def describe_execution(self, executionArn: str) -> dict[str, Any]:
        self.described.append(executionArn)
        (execution,) = (e for e in self._executions if e["arn"] == executionArn)
        done = self.listings > self._finish_after
        return {"executionArn": executionArn, "output": execution["output"] if done else ""}


def _scored(application_id: str) -> str:
    return json.dumps({"application_id": application_id, "status": "scored"})


def _executions(fake: _FakeStepFunctions) -> Executions:
    return Executions(lambda: fake, lambda: ARN)


def test_a_scoring_execution_still_running_is_waited_for() -> None:
    fake = _FakeStepFunctions(
        [
            {
                "arn": "upload-1",
                "first": "SUCCEEDED",
                "final": "SUCCEEDED",
                "output": '{"status": "waiting"}',
            },
            {"arn": "upload-2", "first": "RUNNING", "final": "SUCCEEDED", "output": _scored("app-1")},
        ],
        finish_after=3,
    )
    found = _executions(fake).scoring("app-1", timeout=10)
    assert found is not None
    assert found["executionArn"] == "upload-2"
    assert fake.listings == 4
    # A finished execution is described once, however many times the list is read.
    assert fake.described.count("upload-1") == 1


def test_with_nothing_running_and_nothing_scored_the_answer_is_none_at_once() -> None:
    fake = _FakeStepFunctions(
        [{"arn": "upload-1", "first": "FAILED", "final": "FAILED", "output": _scored("another-app")}],
        finish_after=0,
    )
    assert _executions(fake).scoring("app-1", timeout=10) is None
    assert fake.listings == 1


def test_an_execution_that_never_finishes_gives_up_at_the_timeout() -> None:
    fake = _FakeStepFunctions(
        [{"arn": "upload-1", "first": "RUNNING", "final": "RUNNING", "output": _scored("app-1")}],
        finish_after=10**6,
    )
    assert _executions(fake).scoring("app-1", timeout=0.3) is None
    assert fake.described == []
