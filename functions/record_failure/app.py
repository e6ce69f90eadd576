"""Catch-all state: record on the application why it could not be scored, and purge its raw data."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.dal.repository import ApplicationErased, Conflict
from credscore_aws.erasure import purge_objects
from credscore_aws.runtime import logger, metrics, repository, tracer
from credscore_aws.step_errors import cause_message

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
    purged = purge_objects(application_id)
    try:
        repository().record_failure(application_id, code, message)
    except ApplicationErased:
        # The partner erased it meanwhile (the failure may even come from that): nothing to record, no alarm;
        # the state machine ends quietly on this status.
        purged += purge_objects(application_id)
        logger.info(
            "application erased while processing", extra={"error_code": code, "objects_purged": purged}
        )
        return {"application_id": application_id, "status": "erased", "error": code}
    except Conflict:
        # Already finished (a step retried after the end): the recorded outcome stands.
        status = repository().get(application_id).status.value
        logger.warning("failure not recorded: the application already finished", extra={"status": status})
        return {"application_id": application_id, "status": status, "error": code}
    # Once more, for an upload that landed while the status still said processing (see Score).
    purged += purge_objects(application_id)
    metrics.add_metric(name="ApplicationsFailed", unit=MetricUnit.Count, value=1)
    logger.info("application failed", extra={"error_code": code, "objects_purged": purged})
    return {"application_id": application_id, "status": "failed", "error": code}
