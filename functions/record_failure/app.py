"""Catch-all state: record on the application why it could not be scored, and purge its raw data."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.logic.failures import describe_error, record_failure
from credscore_aws.models.states import RecordFailureInput
from credscore_aws.runtime import logger, metrics, tracer

__all__ = ["describe_error", "lambda_handler"]


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = RecordFailureInput.model_validate(event)
    logger.append_keys(application_id=request.application_id)
    out, recorded = record_failure(request)
    if recorded:
        metrics.add_metric(name="ApplicationsFailed", unit=MetricUnit.Count, value=1)
    return out.model_dump(mode="json")
