"""The local stack's event source mappings: read from template.yaml, with Lambda's filter semantics for the
patterns the template uses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from credscore_local.event_pump import matches, passes_filters
from credscore_local.template import load_template

EVENTS = load_template()["Resources"]["WebhookDispatchFunction"]["Properties"]["Events"]
STREAM = EVENTS["ApplicationChanges"]["Properties"]


def _record(event_name: str, sk: str, status: str) -> dict[str, Any]:
    ser = TypeSerializer()
    image = {"pk": "APP#" + "a" * 32, "sk": sk, "status": status}
    return {
        "eventName": event_name,
        "dynamodb": {
            "Keys": {"pk": ser.serialize(image["pk"]), "sk": ser.serialize(sk)},
            "NewImage": {k: ser.serialize(v) for k, v in image.items()},
        },
    }


@pytest.mark.parametrize(
    ("record", "passes"),
    [
        (_record("MODIFY", "META", "scored"), True),
        (_record("MODIFY", "META", "failed"), True),
        (_record("INSERT", "META", "erased"), True),
        (_record("MODIFY", "META", "processing"), False),
        (_record("MODIFY", "RESULT", "scored"), False),
        (_record("REMOVE", "META", "scored"), False),
    ],
)
def test_the_templates_stream_filter_passes_only_final_statuses_of_applications(
    record: dict[str, Any], passes: bool
) -> None:
    assert passes_filters(STREAM, record) is passes


def test_patterns_need_every_key_and_lists_mean_one_of() -> None:
    pattern = json.loads('{"a": {"b": ["x", "y"]}, "c": ["z"]}')
    assert matches(pattern, {"a": {"b": "y", "extra": 1}, "c": "z"})
    assert not matches(pattern, {"a": {"b": "w"}, "c": "z"})
    assert not matches(pattern, {"a": {"b": "x"}})
    assert passes_filters({}, {"anything": 1})


def test_the_deliverer_reads_its_queue_with_partial_batch_responses() -> None:
    deliver = load_template()["Resources"]["WebhookDeliverFunction"]["Properties"]["Events"]["Deliveries"]
    assert deliver["Type"] == "SQS"
    assert deliver["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
