"""Patches that make moto behave like AWS where our correctness depends on it.

DynamoDB applies each conditional write atomically; moto evaluates the condition and writes without a lock, so two
threads can both pass the same condition. Our exactly-once claim relies on the AWS behaviour, so the local stack
serialises moto's DynamoDB writes (reads stay concurrent).

Step Functions names an execution started without a name with a fresh UUID; moto's interpreter leaves it None (the
context object's `$$.Execution.Name` is null and every such execution has the same ARN). ReceiveUpload's claim
stores the execution's name, and the runbook's replay starts one without a name, so the local stack names them as
AWS does.

S3 gives each write of a key a later `sequencer` in its event; moto gives every event the same one, so two uploads
of the same bytes to the same key were one write to ReceiveUpload (which tells a retry from a new upload by it). moto
also spells the ETag `eTag` and skips a rule target's input transformer for S3's events, which the upload rule uses
to keep the uploader's IP address out of the execution's input. The local stack delivers S3's events as AWS does.

S3 refuses a browser upload (presigned POST) that its policy does not allow: expired, over the size limit, another
key or content type; moto stores it without reading the policy. The local stack checks it as S3 does
(`credscore_local.post_policy`).
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
from typing import Any

_LOCK = threading.RLock()
# Held by each moto DynamoDB write here; ddb_transactions holds it across a transaction and its rollback.
DYNAMODB_WRITES = _LOCK
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_patched = False


def serialize_dynamodb_writes() -> None:
    global _patched
    if _patched:
        return
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        original = getattr(DynamoDBBackend, name, None)
        if original is None:
            continue

        def make(fn: Any) -> Any:
            @functools.wraps(fn)
            def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
                with _LOCK:
                    return fn(self, *args, **kwargs)

            return locked

        setattr(DynamoDBBackend, name, make(original))
    _patched = True


_named = False


def name_unnamed_executions() -> None:
    global _named
    if _named:
        return
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original = StepFunctionsParserBackend.start_execution

    @functools.wraps(original)
    def start_execution(
        self: Any, state_machine_arn: str, name: str | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        return original(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)

    StepFunctionsParserBackend.start_execution = start_execution  # type: ignore[method-assign]
    _named = True


# The sequencer moto writes into every S3 event (moto/s3/notifications.py); any other value is left as it is.
MOTO_S3_SEQUENCER = "617f08299329d189"
_sequenced = False
_last_sequencer = 0


def _next_sequencer() -> str:
    """Later than every earlier one in this process (S3 compares them as hex strings of one length)."""
    global _last_sequencer
    with _LOCK:
        _last_sequencer = max(_last_sequencer + 1, time.time_ns())
        return f"{_last_sequencer:020X}"


def deliver_s3_events_as_aws_does() -> None:
    """S3's events through EventBridge as AWS delivers them: each write of a key with its own, later sequencer
    (moto gives every event the same one), the ETag spelt `etag`, and a target's input transformer applied
    (moto skips it for S3's events)."""
    global _sequenced
    if _sequenced:
        return
    from moto.events.models import Rule

    original: Any = Rule.send_to_targets

    @functools.wraps(original)
    def send_to_targets(self: Any, original_event: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        written = original_event["detail"].get("object") if original_event.get("source") == "aws.s3" else None
        if not isinstance(written, dict):
            return original(self, original_event, *args, **kwargs)
        # The event is one dict for every rule it goes to: numbered once.
        if written.get("sequencer") == MOTO_S3_SEQUENCER:
            written["sequencer"] = _next_sequencer()
        if "eTag" in written:
            written.setdefault("etag", written.pop("eTag"))  # S3's spelling, which a rule's input paths name
        if any("InputTransformer" in target for target in self.targets):
            # EventBridge applies a target's input transformer to S3's events too; moto skips it for them (and
            # its transformer reads the ingestion time, which moto stamps only on events sent with PutEvents).
            original_event.setdefault("ingestion-time", original_event.get("time"))
            kwargs["transform_input"] = True
        return original(self, original_event, *args, **kwargs)

    setattr(Rule, "send_to_targets", send_to_targets)  # noqa: B010 (moto's signature is narrower than the wrapper's)
    _sequenced = True


_policed = False


def enforce_post_policies() -> None:
    """Form uploads to the local S3 are refused as S3 refuses them when their policy does not allow them."""
    global _policed
    if _policed:
        return
    from moto.s3.responses import S3Response

    from credscore_local import post_policy

    original: Any = S3Response._bucket_response_post

    @functools.wraps(original)
    def bucket_response_post(self: Any, request: Any, bucket_name: str) -> Any:
        form = getattr(self, "form_data", None)
        if form:  # `refusal` passes a form without a policy (not a browser upload)
            body = self.raw_body if isinstance(self.raw_body, bytes) else str(self.raw_body or "").encode()
            refused = post_policy.refusal(dict(form.items()), bucket_name, len(body))
            if refused is not None:
                return refused.status, {"Content-Type": "application/xml"}, post_policy.error_body(refused)
        return original(self, request, bucket_name)

    setattr(S3Response, "_bucket_response_post", bucket_response_post)  # noqa: B010 (moto's private method)
    _policed = True
