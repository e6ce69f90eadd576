"""Score: features from the profile and the analyses, the configuration from Parameter Store, the result (with
its breakdown, reasons and audit fields) to DynamoDB; then the raw uploads and work files are purged."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.logic.scoring import score_from_pipeline
from credscore_aws.models.states import ScoreInput
from credscore_aws.runtime import logger, metrics, tracer

ScoreRequest = ScoreInput  # the name the sample-event test reads


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ScoreInput.model_validate(event)
    logger.append_keys(application_id=request.application_id)
    out = score_from_pipeline(request)
    metrics.add_metric(name="ApplicationsScored", unit=MetricUnit.Count, value=1)
    if out.analysis_failures:
        metrics.add_metric(name="AnalysisFailures", unit=MetricUnit.Count, value=out.analysis_failures)
    return out.model_dump(mode="json")
