"""The local stack's Step Functions parse cache (credscore_local.asl_cache): a definition is parsed once, and
executions run exactly as they do when moto parses it every time."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from credscore_local import asl_cache
from credscore_local.deployment import aws_client
from tests.moto_server import moto_server

DEFINITION = json.dumps(
    {
        "StartAt": "Shape",
        "States": {
            "Shape": {"Type": "Pass", "Parameters": {"items.$": "$.items", "n.$": "$.n"}, "Next": "Many"},
            "Many": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Each"}],
                "Default": "Few",
            },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 2,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Double",
                    "States": {
                        "Double": {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($, $)"}, "End": True}
                    },
                },
                "ResultPath": "$.doubled",
                "Next": "Both",
            },
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": True}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": True}}},
                ],
                "ResultPath": "$.branches",
                "End": True,
            },
            "Few": {"Type": "Fail", "Error": "TooFew", "Cause": "n is 1 or less"},
        },
    }
)
INPUTS = [{"items": [1, 2, 3], "n": 3}, {"items": [], "n": 0}]


@pytest.fixture(scope="module")
def sfn() -> Iterator[Any]:
    """A moto server that runs state machines, as the local stack configures it."""
    with moto_server(asl_cache) as endpoint:
        requests.post(
            f"{endpoint}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}}, timeout=10
        ).raise_for_status()
        yield aws_client(endpoint, "stepfunctions")


def _run(sfn: Any, machine: str, payload: dict[str, Any]) -> tuple[Any, ...]:
    """Status, output, error and the history's (type, state) pairs of one execution, sorted (the Map's
    iterations interleave)."""
    name = f"run-{uuid.uuid4().hex}"
    arn = sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps(payload))["executionArn"]
    deadline = time.monotonic() + 30
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not finish"
        time.sleep(0.05)
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    steps = sorted(
        (
            e["type"],
            (e.get("stateEnteredEventDetails") or e.get("stateExitedEventDetails") or {}).get("name", ""),
        )
        for e in events
    )
    return described["status"], described.get("output"), described.get("error"), steps


def test_executions_run_as_with_a_parse_each_and_the_definition_is_parsed_once(sfn: Any) -> None:
    role = "arn:aws:iam::123456789012:role/sfn"
    asl_cache.uninstall()
    machine = sfn.create_state_machine(name="plain", definition=DEFINITION, roleArn=role)["stateMachineArn"]
    moto_runs = [_run(sfn, machine, payload) for payload in INPUTS]
    assert [run[0] for run in moto_runs] == ["SUCCEEDED", "FAILED"]
    assert json.loads(moto_runs[0][1])["doubled"] == [{"v": 2}, {"v": 4}, {"v": 6}]

    asl_cache.install()
    parses = asl_cache.parses
    machine = sfn.create_state_machine(name="cached", definition=DEFINITION, roleArn=role)["stateMachineArn"]
    for _ in range(2):
        assert [_run(sfn, machine, payload) for payload in INPUTS] == moto_runs
    assert asl_cache.parses == parses + 1  # creating the machine parsed it; four executions did not


def test_each_call_gets_its_own_program_from_the_kept_tree() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    asl_cache.install()
    definition = DEFINITION.replace('"a"', '"own program"')
    first, tree = AmazonStateLanguageParser.parse(definition)
    second, same_tree = AmazonStateLanguageParser.parse(definition)
    assert same_tree is tree
    assert second is not first
    assert type(second) is type(first)


def test_a_definition_that_does_not_parse_fails_every_time() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException

    asl_cache.install()
    broken = '{"StartAt": "X", "States": {"X": {"Type": "Nonsense"}}}'
    for _ in range(2):
        with pytest.raises(ASLParserException):
            AmazonStateLanguageParser.parse(broken)


def test_only_the_latest_definitions_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    asl_cache.uninstall()
    asl_cache.install()
    monkeypatch.setattr(asl_cache, "KEPT_DEFINITIONS", 2)
    definitions = [DEFINITION.replace('"b"', f'"{n}"') for n in range(3)]
    for definition in definitions:
        AmazonStateLanguageParser.parse(definition)
    parses = asl_cache.parses
    AmazonStateLanguageParser.parse(definitions[2])
    assert asl_cache.parses == parses
    AmazonStateLanguageParser.parse(definitions[0])  # the oldest was dropped
    assert asl_cache.parses == parses + 1
