"""First state: record an arrived upload (S3 → EventBridge event) or a partner's submit, and claim the application
for scoring exactly once, when every declared source is in (or when the partner says to go ahead)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.logic.uploads import receive
from credscore_aws.models.states import ReceiveUploadRequest
from credscore_aws.runtime import logger, metrics, tracer


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # {event: an S3 Object Created event or a submit action, execution: its ARN}; anything else is refused.
    return receive(ReceiveUploadRequest.model_validate(event)).dump()
