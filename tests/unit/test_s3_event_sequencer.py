"""credscore_local.fidelity.deliver_s3_events_as_aws_does: two writes of the same bytes to one key are two S3 events
with different, increasing sequencers (moto gives them all one), so ReceiveUpload tells a new upload from a retry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from credscore_local.fidelity import deliver_s3_events_as_aws_does
from tests.fake_aws import fake_aws


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with fake_aws(monkeypatch):
        yield


def _events_of_two_identical_writes() -> list[dict[str, Any]]:
    s3, sqs, events = boto3.client("s3"), boto3.client("sqs"), boto3.client("events")
    s3.create_bucket(Bucket="data")
    s3.put_bucket_notification_configuration(
        Bucket="data", NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    queue = sqs.create_queue(QueueName="uploads")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="uploads", EventPattern=json.dumps({"source": ["aws.s3"], "detail-type": ["Object Created"]})
    )
    events.put_targets(Rule="uploads", Targets=[{"Id": "q", "Arn": arn}])
    for _ in range(2):
        s3.put_object(Bucket="data", Key="uploads/a/linkedin/part-1.zip", Body=b"same bytes")
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    return [json.loads(m["Body"]) for m in messages]


def test_each_write_of_a_key_has_its_own_later_sequencer(aws: None) -> None:
    deliver_s3_events_as_aws_does()
    written = [e["detail"]["object"] for e in _events_of_two_identical_writes()]
    assert len(written) == 2
    assert written[0]["etag"] == written[1]["etag"], "the same bytes"
    first, second = (w["sequencer"] for w in written)  # moto alone: both "617f08299329d189"
    assert len(first) == len(second)
    assert first < second
