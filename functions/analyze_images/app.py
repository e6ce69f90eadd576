"""Map iteration: moderate one batch of photos, each read from its archive by ranged reads (see
`credscore_aws.logic.images`; the ONNX session is made once per warm execution environment)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.logic.analysis_results import store_analysis
from credscore_aws.logic.images import moderate_batch
from credscore_aws.models.states import ImageBatchInput
from credscore_aws.runtime import logger, metrics, tracer

ImageBatchRequest = ImageBatchInput  # the name the sample-event test reads


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ImageBatchInput.model_validate(event)
    logger.append_keys(application_id=request.application_id)
    result = moderate_batch(request, time_left=lambda: context.get_remaining_time_in_millis() / 1000)
    name = "images/" + request.batch.rsplit("/", 1)[-1].removesuffix(".json")
    return store_analysis(request.application_id, "images", name, result).model_dump(mode="json")
