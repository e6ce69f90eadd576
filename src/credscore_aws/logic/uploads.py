"""The ReceiveUpload step: record an arrived upload (or a partner's submit) and claim the application for
scoring exactly once, when every declared source is in (or when the partner says to go ahead).

The step is retried after a timeout, and an attempt may have written before it timed out: recording a part is
idempotent, and the claim names the execution that wrote it, so a retry of that execution finds its own claim and
goes on to score (any other execution still loses). When every attempt of an execution timed out after one of them
claimed, the execution parks its event and fails (statemachine.asl.json, UploadEventParked): the replay of that
event takes the claim over, since the execution that holds it will never score. A claim an older deploy wrote
without naming its execution is taken over only once no execution could still hold it (docs/architecture.md)."""

from __future__ import annotations

import time
from functools import cache
from typing import Any
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import ClientError

from credscore.application import Status, expected_parts, parse_upload_key
from credscore.errors import TransientError
from credscore_aws.dal.repository import ApplicationErased, Conflict, NotFound
from credscore_aws.dal.storage import delete_keys
from credscore_aws.models.records import ApplicationRecord
from credscore_aws.models.states import (
    CatchError,
    ParkedCause,
    ReceiveUploadOutput,
    ReceiveUploadRequest,
    SubmitRequested,
    UploadedObject,
)
from credscore_aws.runtime import logger, metrics, repository
from credscore_aws.settings import SettingsError, settings
from credscore_aws.step_errors import safe_cause

# An upload for these is late for good (a presigned form stays valid for its hour): deleted at once.
FINISHED = frozenset({Status.SCORED.value, Status.FAILED.value, Status.ERASED.value})
# The error of an execution that parked its event after ReceiveUpload's retries (its Fail state).
PARKED_ERROR = "UploadEventParked"
# A claim written before claims named their execution (an older deploy) cannot be asked about; but an execution
# ends within the state machine's TimeoutSeconds (statemachine.asl.json) and an invocation it started within
# Lambda's longest timeout after that. A claim no write has touched for longer than both has no live holder.
PIPELINE_TIMEOUT_SECONDS = 3600
LAMBDA_MAX_TIMEOUT_SECONDS = 900
UNNAMED_CLAIM_ENDED_AFTER = PIPELINE_TIMEOUT_SECONDS + LAMBDA_MAX_TIMEOUT_SECONDS
# What this step raises with messages we wrote (ids and counts, no applicant data): a parked message may quote them.
OWN_ERRORS = frozenset(
    e.__name__ for e in (TransientError, Conflict, ApplicationErased, NotFound, SettingsError)
)
# ERROR_MESSAGE of a parked message: a line to read in the queue, not the whole cause.
PARKED_CAUSE_LIMIT = 300


def receive(request: ReceiveUploadRequest) -> ReceiveUploadOutput:
    event = request.event
    if isinstance(event, SubmitRequested):
        return _claim(event.application_id, "submit", request.execution)
    return _upload_arrived(event.detail.object, request.execution)


def describe_parked(error: CatchError) -> ParkedCause:
    """Why this step failed after its retries, as the parked event's message may keep it (safe_cause)."""
    return ParkedCause(cause=safe_cause(error.Error, error.Cause, OWN_ERRORS, PARKED_CAUSE_LIMIT))


def _upload_arrived(uploaded: UploadedObject, execution: str) -> ReceiveUploadOutput:
    key = unquote_plus(uploaded.key)
    ref = parse_upload_key(key)
    if ref is None:
        logger.warning("ignoring an object outside the upload layout")
        return ReceiveUploadOutput(ready=False, reason="not_an_upload_key")
    logger.append_keys(application_id=ref.application_id)
    repo = repository()
    try:
        application = repo.record_upload(ref.application_id, ref.name, uploaded.write_id())
    except NotFound:
        logger.warning("upload for an unknown application: deleted")
        delete_keys(settings().bucket_name, [key])
        return ReceiveUploadOutput(ready=False, reason="unknown_application")
    status = application.status.value
    if application.status == Status.PROCESSING and application.claimed_by == execution:
        # This execution's earlier attempt recorded the last part and claimed, then timed out before answering.
        return _resumed(ref.application_id, "all_sources_received")
    if _took_over(application, "all_sources_received", execution):
        return ReceiveUploadOutput(
            application_id=ref.application_id, ready=True, reason="all_sources_received"
        )
    if application.status != Status.COLLECTING:
        # Late: the application record is left untouched. Once it is scored, failed or erased nothing will
        # read this file, so it goes now; while processing the pipeline may still be reading what is in the
        # bucket, and its last step purges once more after the final status is written (see Score).
        purged = status in FINISHED
        if purged:
            delete_keys(settings().bucket_name, [key])
        metrics.add_metric(name="LateUploads", unit=MetricUnit.Count, value=1)
        logger.info("late upload", extra={"status": status, "purged": purged})
        return ReceiveUploadOutput(application_id=ref.application_id, ready=False, reason="already_" + status)
    metrics.add_metric(name="UploadsReceived", unit=MetricUnit.Count, value=1)
    missing = expected_parts(application.declared) - set(application.received)
    if missing:
        return ReceiveUploadOutput(
            application_id=ref.application_id,
            ready=False,
            reason="waiting_for_sources",
            missing=sorted(missing),
        )
    return _claim(ref.application_id, "all_sources_received", execution)


def _claim(application_id: str, trigger: str, execution: str) -> ReceiveUploadOutput:
    repo = repository()
    if repo.claim_for_scoring(application_id, trigger, execution):
        metrics.add_metric(name="ApplicationsClaimed", unit=MetricUnit.Count, value=1)
        return ReceiveUploadOutput(application_id=application_id, ready=True, reason=trigger)
    try:
        application = repo.get(application_id)
    except NotFound:
        application = None
    if application is not None and _took_over(application, trigger, execution):
        return ReceiveUploadOutput(application_id=application_id, ready=True, reason=trigger)
    return ReceiveUploadOutput(application_id=application_id, ready=False, reason="already_claimed")


def _took_over(application: ApplicationRecord, trigger: str, execution: str) -> bool:
    """Take over a processing application's claim whose execution ended parked (see the module's docstring), or
    an unnamed claim (an older deploy's) whose execution has certainly ended."""
    holder = application.claimed_by
    if application.status != Status.PROCESSING or holder == execution:
        return False
    if holder is None:
        return _took_over_unnamed(application, trigger, execution)
    try:
        described = _stepfunctions().describe_execution(executionArn=holder)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ExecutionDoesNotExist":
            raise
        return False  # past Step Functions' 90 days of history: whether it parked cannot be told
    if described["status"] != "FAILED" or described.get("error") != PARKED_ERROR:
        return False  # still running (it will score), or ended some other way (its own alarm covers it)
    if not repository().take_over_claim(application.application_id, trigger, execution, holder):
        return False
    metrics.add_metric(name="ClaimsTakenOver", unit=MetricUnit.Count, value=1)
    logger.info("took over the claim of an execution that parked its event")
    return True


def _took_over_unnamed(application: ApplicationRecord, trigger: str, execution: str) -> bool:
    """An unnamed claim is taken over only once nothing has written the application for longer than any execution
    (and its last invocation) can live: its holder ended without a final status. Sooner it is left alone, even
    for the holder's own retry, which cannot prove the claim is its own (docs/architecture.md)."""
    untouched_since = int(time.time()) - UNNAMED_CLAIM_ENDED_AFTER
    if application.updated_at >= untouched_since:
        return False
    if not repository().take_over_unnamed_claim(
        application.application_id, trigger, execution, untouched_since
    ):
        return False
    metrics.add_metric(name="ClaimsTakenOver", unit=MetricUnit.Count, value=1)
    logger.info("took over a claim that named no execution, untouched for longer than an execution lives")
    return True


@cache
def _stepfunctions() -> Any:
    return boto3.client("stepfunctions")


def _resumed(application_id: str, trigger: str) -> ReceiveUploadOutput:
    metrics.add_metric(name="ClaimsResumed", unit=MetricUnit.Count, value=1)
    logger.info("a retry found this execution's own claim")
    return ReceiveUploadOutput(application_id=application_id, ready=True, reason=trigger)
