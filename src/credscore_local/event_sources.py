"""Lambda event source mappings the local stack runs itself: DynamoDB Streams and SQS → a function's handler.

moto keeps streams and queues but does not poll them for Lambda, so for each function `Events` entry of type
`DynamoDB` or `SQS` in template.yaml this module polls as the Lambda service would and invokes the same handler in
its worker with the same event shape: stream records filtered by the mapping's `FilterCriteria` (the subset of
filter-pattern syntax the template uses: nested objects and lists of exact values), in order, a failed batch retried
up to `MaximumRetryAttempts`; SQS messages in batches of `BatchSize`, those returned in `batchItemFailures` left on
the queue (their visibility is the handler's business, as in AWS), the rest deleted.
Local-only difference: the pollers wake every few hundred milliseconds instead of long-polling continuously.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from credscore_local.template import Resolver

if TYPE_CHECKING:
    from credscore_local.stack import LocalStack

log = logging.getLogger("credscore.local.event_sources")
POLL_SECONDS = 0.25


@dataclass
class Mapping:
    function: str  # logical id
    kind: str  # DynamoDB | SQS
    source_arn: str
    properties: dict[str, Any]


def mappings(stack: LocalStack) -> list[Mapping]:
    """The template's stream and queue event sources, resolved against what the stack created."""
    resolver = Resolver(parameters=stack.parameters, pseudo={"AWS::Region": "us-east-1"})
    resolver.refs.update(stack.deployed.refs)
    resolver.attributes.update(stack.deployed.attributes)
    found = []
    for logical, body in stack.template["Resources"].items():
        if body.get("Type") != "AWS::Serverless::Function":
            continue
        for event in body.get("Properties", {}).get("Events", {}).values():
            if event.get("Type") == "DynamoDB":
                props = resolver.resolve(event["Properties"])
                found.append(Mapping(logical, "DynamoDB", props["Stream"], props))
            elif event.get("Type") == "SQS":
                props = resolver.resolve(event["Properties"])
                found.append(Mapping(logical, "SQS", props["Queue"], props))
    return found


def matches(pattern: Any, value: Any) -> bool:
    """Lambda event filtering for exact-value patterns: every key of the pattern must match; a list means
    'one of these values'."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            k in value and matches(p, value[k]) for k, p in pattern.items()
        )
    if isinstance(pattern, list):
        return value in pattern
    return bool(pattern == value)


def passes_filters(properties: dict[str, Any], record: dict[str, Any]) -> bool:
    filters = (properties.get("FilterCriteria") or {}).get("Filters") or []
    if not filters:
        return True
    return any(matches(json.loads(f["Pattern"]), record) for f in filters)


class EventSourcePumps:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.invocations: dict[str, int] = {}

    def start(self) -> None:
        for mapping in mappings(self.stack):
            target = self._pump_stream if mapping.kind == "DynamoDB" else self._pump_queue
            thread = threading.Thread(
                target=target, args=(mapping,), name=f"{mapping.kind}-{mapping.function}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=15)

    def _invoke(self, mapping: Mapping, event: dict[str, Any]) -> Any:
        self.invocations[mapping.function] = self.invocations.get(mapping.function, 0) + 1
        return self.stack.invoke(mapping.function, event)

    # ------------------------------------------------------------------ DynamoDB Streams
    def _pump_stream(self, mapping: Mapping) -> None:
        streams = self.stack.client("dynamodbstreams")
        shard = streams.describe_stream(StreamArn=mapping.source_arn)["StreamDescription"]["Shards"][0]
        # The stack is fresh: reading from the start misses nothing written before this thread began.
        iterator = streams.get_shard_iterator(
            StreamArn=mapping.source_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        batch_size = int(mapping.properties.get("BatchSize", 100))
        retries = int(mapping.properties.get("MaximumRetryAttempts", 3))
        while not self._stopping.is_set():
            try:
                page = streams.get_records(ShardIterator=iterator, Limit=batch_size)
            except Exception:  # the server is going away
                if self._stopping.is_set():
                    return
                time.sleep(POLL_SECONDS)
                continue
            iterator = page.get("NextShardIterator") or iterator
            records = [
                json.loads(json.dumps({**record, "eventSourceARN": mapping.source_arn}, default=_epoch))
                for record in page.get("Records", [])
                if passes_filters(mapping.properties, record)
            ]
            if records:
                self._invoke_with_retries(mapping, {"Records": records}, retries)
            elif not page.get("Records"):
                self._stopping.wait(POLL_SECONDS)

    def _invoke_with_retries(self, mapping: Mapping, event: dict[str, Any], retries: int) -> None:
        for attempt in range(retries + 1):
            try:
                self._invoke(mapping, event)
                return
            except RuntimeError as exc:
                log.warning(
                    "%s failed on a stream batch (attempt %d): %s", mapping.function, attempt + 1, exc
                )
                if self._stopping.wait(min(2.0, 0.1 * 2**attempt)):
                    return
        log.error("%s: a stream batch was skipped after %d retries", mapping.function, retries)

    # ------------------------------------------------------------------ SQS
    def _pump_queue(self, mapping: Mapping) -> None:
        sqs = self.stack.client("sqs")
        queue_url = sqs.get_queue_url(QueueName=mapping.source_arn.rsplit(":", 1)[-1])["QueueUrl"]
        batch_size = min(10, int(mapping.properties.get("BatchSize", 10)))
        report_failures = "ReportBatchItemFailures" in mapping.properties.get("FunctionResponseTypes", [])
        while not self._stopping.is_set():
            try:
                messages = sqs.receive_message(
                    QueueUrl=queue_url,
                    MaxNumberOfMessages=batch_size,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
            except Exception:  # the server is going away
                if self._stopping.is_set():
                    return
                time.sleep(POLL_SECONDS)
                continue
            if not messages:
                self._stopping.wait(POLL_SECONDS)
                continue
            event = {"Records": [_sqs_record(m, mapping.source_arn) for m in messages]}
            try:
                response = self._invoke(mapping, event)
            except RuntimeError as exc:
                # The whole batch returns after the queue's visibility timeout, as in AWS.
                log.warning("%s failed on an SQS batch: %s", mapping.function, exc)
                continue
            failed: set[str] = set()
            if report_failures and isinstance(response, dict):
                failed = {str(f["itemIdentifier"]) for f in response.get("batchItemFailures") or []}
            for message in messages:
                if message["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def _epoch(value: Any) -> Any:
    """boto3 parses stream timestamps into datetimes; Lambda's event carries epoch seconds."""
    if hasattr(value, "timestamp"):
        return int(value.timestamp())
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _sqs_record(message: dict[str, Any], source_arn: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "dataType": value.get("DataType"),
            }
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": source_arn,
        "awsRegion": source_arn.split(":")[3],
    }
