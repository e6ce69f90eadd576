"""Parallel branch: profanity of the names of groups joined, pages liked and accounts followed (better-profanity
plus Hinglish and Devanagari lists; names in other scripts are counted as not analysed)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore.analysis.profanity import analyze_names
from credscore_aws.dal.analysis_io import AnalysisRequest, names_input
from credscore_aws.logic.analysis_results import store_analysis
from credscore_aws.runtime import logger, metrics, tracer


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = AnalysisRequest.model_validate(event)
    logger.append_keys(application_id=request.application_id)
    # Streamed and capped: memory stays bounded whatever the profile's size (capped names are reported).
    profile, caps = names_input(request)
    result = analyze_names(profile)
    result.caps = caps
    if caps:
        logger.warning("names capped", extra={"caps": [c.model_dump(mode="json") for c in caps]})
    return store_analysis(request.application_id, "profanity", "profanity", result).model_dump(mode="json")
