"""Weekly (EventBridge schedule): the stability record of the week just ended, and its PSI as CloudWatch metrics
(the model-drift alarm fires above 0.25)."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore.scoring.config import canonical_json
from credscore_aws.dal.config_store import ConfigStore
from credscore_aws.monitoring import record_week
from credscore_aws.runtime import logger, metrics, repository, tracer
from credscore_aws.settings import settings


@cache
def _config_store() -> ConfigStore:
    return ConfigStore(boto3.client("ssm"), settings().config_param)


def _event_time(event: dict[str, Any]) -> dt.datetime:
    # A scheduled event carries its time ("2026-11-30T03:00:00Z"); a manual run may pass one to redo a week.
    text = str(event.get("time") or "")
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else dt.datetime.now(dt.UTC)


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    loaded = _config_store().load_fresh()
    config = json.loads(canonical_json(loaded.config))
    document = record_week(repository().table, config, loaded.parameter_version, _event_time(event))
    score_psi = document["score"].get("psi")
    if score_psi is not None:
        metrics.add_metric(name="ScorePsi", unit=MetricUnit.NoUnit, value=score_psi)
    worst = document["max_characteristic_psi"]
    if worst is not None:
        metrics.add_metric(name="MaxCharacteristicPsi", unit=MetricUnit.NoUnit, value=worst)
    metrics.add_metric(name="ApplicationsMonitored", unit=MetricUnit.Count, value=document["applications"])
    summary = {
        "week": document["week"],
        "applications": document["applications"],
        "baseline": document["baseline"]["kind"],
        "score_psi": score_psi,
        "max_characteristic_psi": document["max_characteristic_psi"],
        "max_characteristic": document["max_characteristic"],
    }
    logger.info("week monitored", extra=summary)
    return summary
