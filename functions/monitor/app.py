"""Weekly (EventBridge schedule): the stability record of the week just ended, and its PSI as CloudWatch metrics
(the model-drift alarm fires above 0.25)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.logic.monitoring import event_time, monitor_week
from credscore_aws.models.states import ScheduledEvent
from credscore_aws.runtime import logger, metrics, tracer


def _event_time(event: dict[str, Any]) -> dt.datetime:
    return event_time(ScheduledEvent.model_validate(event))


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    summary = monitor_week(ScheduledEvent.model_validate(event))
    if summary.score_psi is not None:
        metrics.add_metric(name="ScorePsi", unit=MetricUnit.NoUnit, value=summary.score_psi)
    worst = summary.max_characteristic_psi
    if worst is not None:
        metrics.add_metric(name="MaxCharacteristicPsi", unit=MetricUnit.NoUnit, value=worst)
    metrics.add_metric(name="ApplicationsMonitored", unit=MetricUnit.Count, value=summary.applications)
    logger.info("week monitored", extra=summary.model_dump(mode="json"))
    return summary.model_dump(mode="json")
