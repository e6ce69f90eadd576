"""Hourly: applications whose upload window has passed are scored with what arrived, or closed if nothing did."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.logic.applications import close_stale
from credscore_aws.runtime import logger, metrics, tracer
from credscore_aws.settings import settings


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcome = close_stale(settings().upload_window_hours)
    metrics.add_metric(name="StaleApplicationsSubmitted", unit=MetricUnit.Count, value=outcome.submitted)
    metrics.add_metric(name="ApplicationsAbandoned", unit=MetricUnit.Count, value=outcome.closed)
    logger.info("stale applications closed", extra=outcome.model_dump())
    return outcome.model_dump(mode="json")
