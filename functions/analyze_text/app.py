"""Parallel branch: language of each text, VADER sentiment of the English ones, likes on own posts and interaction
frequency over the applicant's texts (texts in other languages are counted as not analysed, by language)."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore.analysis.sentiment import analyze_text
from credscore_aws.analysis_io import AnalysisRequest, load_profile
from credscore_aws.runtime import logger, metrics, tracer


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = AnalysisRequest.model_validate(event)
    logger.append_keys(application_id=request.application_id)
    result = analyze_text(load_profile(request), now=int(time.time()))
    return result.model_dump(mode="json")
