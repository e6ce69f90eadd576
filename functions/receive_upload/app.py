"""First state: record an arrived upload (S3 → EventBridge event) or a partner's submit, and claim the application
for scoring exactly once, when every declared source is in (or when the partner says to go ahead)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore.application import Status, expected_parts, parse_upload_key
from credscore_aws.repository import NotFound
from credscore_aws.runtime import logger, metrics, repository, tracer


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
        logger.warning("upload for an unknown or erased application")
        return {"ready": False, "reason": "unknown_application"}
    metrics.add_metric(name="UploadsReceived", unit=MetricUnit.Count, value=1)
    if application["status"] != Status.COLLECTING.value:
        # Arrived after scoring began: the earlier file was used; the lifecycle rule removes this one.
        return {
            "application_id": ref.application_id,
            "ready": False,
            "reason": "already_" + application["status"],
        }
    missing = expected_parts(application.get("declared", {})) - set(application.get("received", []))
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
