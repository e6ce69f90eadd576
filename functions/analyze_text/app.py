"""Parallel branch: language of each text, VADER sentiment of the English ones, likes on own posts and interaction
frequency over the applicant's texts (texts in other languages are counted as not analysed, by language)."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore.analysis.sentiment import analyze_text
from credscore_aws.dal.analysis_io import AnalysisRequest, text_input
from credscore_aws.logic.analysis_results import store_analysis
from credscore_aws.runtime import logger, metrics, tracer


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = AnalysisRequest.model_validate(event)
    logger.append_keys(application_id=request.application_id)
    # Streamed and capped: memory stays bounded whatever the profile's size (capped texts are reported).
    bounded = text_input(request)
    result = bounded.complete(analyze_text(bounded.profile, now=int(time.time())))
    if result.caps:
        logger.warning("texts capped", extra={"caps": [c.model_dump(mode="json") for c in result.caps]})
    return store_analysis(request.application_id, "text", "text", result).model_dump(mode="json")
