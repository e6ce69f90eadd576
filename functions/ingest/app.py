"""Ingest: read every received export of one application into a single normalized profile (see
`credscore_aws.logic.ingest`); the state's output holds pointers and counts only."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.logic.ingest import ingest
from credscore_aws.models.states import IngestInput
from credscore_aws.runtime import logger, metrics, tracer

IngestRequest = IngestInput  # the name the sample-event test reads


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = IngestInput.model_validate(event)
    logger.append_keys(application_id=request.application_id)
    # Each source gets its share of this invocation's time; one that cannot finish fails alone.
    out = ingest(request, time_left=lambda: context.get_remaining_time_in_millis() / 1000)
    return out.model_dump(mode="json")
