"""Catch-all state: record on the application why it could not be scored, and purge its raw data."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore.application import upload_prefix, work_prefix
from credscore_aws.runtime import bucket_name, logger, metrics, repository, tracer
from credscore_aws.step_errors import cause_message
from credscore_aws.storage import delete_prefix

MAX_MESSAGE = 500


def describe_error(error: dict[str, Any]) -> tuple[str, str]:
    """(code, message) from a Step Functions Catch result {"Error": ..., "Cause": ...}."""
    code = str(error.get("Error") or "UnknownError")
    return code, cause_message(error.get("Cause"), limit=MAX_MESSAGE) or code


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    application_id = str(event["application_id"])
    logger.append_keys(application_id=application_id)
    code, message = describe_error(event.get("error") or {})
    purged = delete_prefix(bucket_name(), upload_prefix(application_id))
    purged += delete_prefix(bucket_name(), work_prefix(application_id))
    repository().record_failure(application_id, code, message)
    metrics.add_metric(name="ApplicationsFailed", unit=MetricUnit.Count, value=1)
    logger.info("application failed", extra={"error_code": code, "objects_purged": purged})
    return {"application_id": application_id, "status": "failed", "error": code}
