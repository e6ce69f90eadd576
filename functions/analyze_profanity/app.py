"""Parallel branch: profanity of the names of groups joined, pages liked and accounts followed (better-profanity
plus Hinglish and Devanagari lists; names in other scripts are counted as not analysed)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore.analysis.profanity import analyze_names
from credscore_aws.analysis_io import AnalysisRequest, load_profile
from credscore_aws.runtime import logger, metrics, tracer


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = AnalysisRequest.model_validate(event)
    logger.append_keys(application_id=request.application_id)
    return analyze_names(load_profile(request)).model_dump(mode="json")
