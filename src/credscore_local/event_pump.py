"""The event pump: what AWS delivers by itself and moto only stores, delivered by this process.

Uploads: S3 → EventBridge (the template's rule, created by `provisioning.route_uploads`) → a local-only queue →
`StartExecution` of the scoring state machine with the event as the rule's input transformer shaped it
(`UploadEventPump`).

Lambda event source mappings: DynamoDB Streams and SQS → a function's handler (`EventSourcePumps`).

moto keeps streams and queues but does not poll them for Lambda, so for each function `Events` entry of type
`DynamoDB` or `SQS` in template.yaml this module polls as the Lambda service would and invokes the same handler in
its worker with the same event shape: stream records filtered by the mapping's `FilterCriteria` (the subset of
filter-pattern syntax the template uses: nested objects and lists of exact values), in order, a failed batch retried
up to `MaximumRetryAttempts`; SQS messages in batches of `BatchSize`, those returned in `batchItemFailures` left on
the queue (their visibility is the handler's business, as in AWS), the rest deleted.
Local-only differences: the stream pollers wake every few hundred milliseconds while records come and once a
second when none do (Lambda polls four times a second); the queue pollers long-poll a second at a time.
Schedules (the `Schedule` events of close-stale and monitor) are not run: tests and `credscore invoke` call those
functions directly.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from credscore_local.deployment import REGION, RunningStack
from credscore_local.template import Resolver

log = logging.getLogger("credscore.local.event_sources")
upload_log = logging.getLogger("credscore.local")
POLL_SECONDS = 0.25
# SQS receives wait this long for a message (as the Lambda service's pollers long-poll): a message is delivered as
# it comes, and an idle queue costs a request a second instead of four (each ~6 ms of the emulator's and the
# poller's CPU, on the cores the functions use); stopping waits at most this long for a poller.
LONG_POLL_SECONDS = 1
# A stream has no long poll: its poller polls every POLL_SECONDS while records come and backs off to this when they
# stop (four polls a second cost ~35 ms of CPU a second, client and emulator, on the cores the functions use).
STREAM_IDLE_POLL_SECONDS = 1.0
LOCAL_START_ATTEMPTS = 3
DELIVERY_THREADS = 10  # one receive's worth of messages delivered at once


class UploadEventPump:
    """Starts the scoring state machine for each upload event the rule delivered to the local queue.

    Each event's StartExecution runs on its own thread, as EventBridge delivers each event to its target
    independently: an applicant's four uploads arrive within a fraction of a second, and the last one (the
    execution that scores) no longer queues behind the StartExecution and DeleteMessage calls of the others."""

    def __init__(self, stack: RunningStack) -> None:
        self.stack = stack
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="eventbridge-pump", daemon=True)
        self._deliveries = ThreadPoolExecutor(
            max_workers=DELIVERY_THREADS, thread_name_prefix="eventbridge-target"
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=25)
        self._deliveries.shutdown(wait=True)

    def _pump(self) -> None:
        sqs = self.stack.client("sqs")
        sfn = self.stack.client("stepfunctions")
        queue_url = self.stack.deployed.event_queue_url
        while not self._stopping.is_set():
            try:
                messages = sqs.receive_message(
                    QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=LONG_POLL_SECONDS
                ).get("Messages", [])
            except Exception:  # the server is going away
                if self._stopping.is_set():
                    return
                time.sleep(0.2)
                continue
            # A received message stays invisible until its delivery deletes it, so no other receive takes it.
            for message in messages:
                self._deliveries.submit(self._deliver, sfn, sqs, queue_url, message)

    def _deliver(self, sfn: Any, sqs: Any, queue_url: str, message: dict[str, Any]) -> None:
        try:
            self.start_from_event(sfn, message["Body"], message["MessageId"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        except Exception:
            # The server is going away; otherwise the message returns after its visibility timeout, as in AWS.
            if not self._stopping.is_set():
                upload_log.exception("delivering an upload event failed")

    def start_from_event(self, sfn: Any, body: str, message_id: str) -> None:
        """StartExecution with the event as input, named after the queue message that carried it: a redelivered
        message is a no-op. (moto gives every S3 event the same `id`, and two uploads of the same bytes to the
        same key within one second have the same body, since the event's time has whole seconds: naming by content
        merged them into one execution, and the second upload was never handled.) A start that keeps
        failing parks the event in the rule's dead-letter queue, with the error, as EventBridge does after its
        retry policy (which locally is a few quick attempts instead of a day's)."""
        name = "s3-" + message_id
        error = None
        for attempt in range(LOCAL_START_ATTEMPTS):
            try:
                sfn.start_execution(
                    stateMachineArn=self.stack.deployed.state_machine_arn, name=name, input=body
                )
                return
            except sfn.exceptions.ExecutionAlreadyExists:
                upload_log.info("event already started execution %s", name)
                return
            except ClientError as exc:
                error = exc
                time.sleep(0.1 * 2**attempt)
        assert error is not None
        self._park(body, error)

    def _park(self, body: str, error: ClientError) -> None:
        code = str(error.response.get("Error", {}).get("Code") or "ClientError")
        upload_log.warning("upload event parked in the dead-letter queue: %s", code)
        if self.stack.deployed.event_dead_letter_url:
            self.stack.client("sqs").send_message(
                QueueUrl=self.stack.deployed.event_dead_letter_url,
                MessageBody=body,
                MessageAttributes={
                    "ERROR_CODE": {"DataType": "String", "StringValue": code},
                    "ERROR_MESSAGE": {"DataType": "String", "StringValue": str(error)[:1000]},
                },
            )


@dataclass
class Mapping:
    function: str  # logical id
    kind: str  # DynamoDB | SQS
    source_arn: str
    properties: dict[str, Any]


def mappings(stack: RunningStack) -> list[Mapping]:
    """The template's stream and queue event sources, resolved against what the stack created."""
    resolver = Resolver(parameters=stack.parameters, pseudo={"AWS::Region": REGION})
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
    """One thread per stream or queue event source of the template."""

    def __init__(self, stack: RunningStack) -> None:
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
        idle_wait = POLL_SECONDS
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
            if page.get("Records"):
                idle_wait = POLL_SECONDS
            else:
                self._stopping.wait(idle_wait)
                idle_wait = min(STREAM_IDLE_POLL_SECONDS, idle_wait * 2)

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
                    WaitTimeSeconds=LONG_POLL_SECONDS,
                ).get("Messages", [])
            except Exception:  # the server is going away
                if self._stopping.is_set():
                    return
                time.sleep(POLL_SECONDS)
                continue
            if not messages:  # the long poll waited already
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
