"""First state: record an arrived upload (S3 → EventBridge event) or a partner's submit, and claim the application
for scoring exactly once, when every declared source is in (or when the partner says to go ahead). Also answers
DescribeParkedError: what of its own failure the parked event's message may keep."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.logic.uploads import describe_parked, receive
from credscore_aws.models.states import RECEIVE_UPLOAD_EVENT, DescribeParkedRequest
from credscore_aws.runtime import logger, metrics, tracer


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # {event: an S3 Object Created event or a submit action, execution: its ARN}, or {parked: this step's error
    # after its retries} from DescribeParkedError; anything else is refused.
    request = RECEIVE_UPLOAD_EVENT.validate_python(event)
    if isinstance(request, DescribeParkedRequest):
        return describe_parked(request.parked).dump()
    return receive(request).dump()
