"""First state: record an arrived upload (S3 → EventBridge event) or a partner's submit, and claim the application
for scoring exactly once, when every declared source is in (or when the partner says to go ahead)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore.application import Status, expected_parts, parse_upload_key
from credscore_aws.dal.repository import NotFound
from credscore_aws.dal.storage import delete_keys
from credscore_aws.runtime import logger, metrics, repository, tracer
from credscore_aws.settings import settings

# An upload for these is late for good (a presigned form stays valid for its hour): deleted at once.
FINISHED = frozenset({Status.SCORED.value, Status.FAILED.value, Status.ERASED.value})


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("source") == "aws.s3":
        return _upload_arrived(unquote_plus(event["detail"]["object"]["key"]))
    if event.get("action") == "submit":
        return _claim(str(event["application_id"]), trigger="submit")
    raise ValueError("unrecognised event: expected an S3 Object Created event or a submit action")


def _upload_arrived(key: str) -> dict[str, Any]:
    ref = parse_upload_key(key)
    if ref is None:
        logger.warning("ignoring an object outside the upload layout")
        return {"ready": False, "reason": "not_an_upload_key"}
    logger.append_keys(application_id=ref.application_id)
    repo = repository()
    try:
        application = repo.record_upload(ref.application_id, ref.name)
    except NotFound:
        logger.warning("upload for an unknown application: deleted")
        delete_keys(settings().bucket_name, [key])
        return {"ready": False, "reason": "unknown_application"}
    status = application.status.value
    if application.status != Status.COLLECTING:
        # Late: the application record is left untouched. Once it is scored, failed or erased nothing will
        # read this file, so it goes now; while processing the pipeline may still be reading what is in the
        # bucket, and its last step purges once more after the final status is written (see Score).
        purged = status in FINISHED
        if purged:
            delete_keys(settings().bucket_name, [key])
        metrics.add_metric(name="LateUploads", unit=MetricUnit.Count, value=1)
        logger.info("late upload", extra={"status": status, "purged": purged})
        return {"application_id": ref.application_id, "ready": False, "reason": "already_" + status}
    metrics.add_metric(name="UploadsReceived", unit=MetricUnit.Count, value=1)
    missing = expected_parts(application.declared) - set(application.received)
    if missing:
        return {
            "application_id": ref.application_id,
            "ready": False,
            "reason": "waiting_for_sources",
            "missing": sorted(missing),
        }
    return _claim(ref.application_id, trigger="all_sources_received")


def _claim(application_id: str, trigger: str) -> dict[str, Any]:
    won = repository().claim_for_scoring(application_id, trigger)
    if won:
        metrics.add_metric(name="ApplicationsClaimed", unit=MetricUnit.Count, value=1)
    return {"application_id": application_id, "ready": won, "reason": trigger if won else "already_claimed"}
