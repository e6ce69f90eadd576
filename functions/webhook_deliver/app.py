"""SQS → a signed POST of one webhook event to the partner's URL; failures back off (message visibility) for a
day, then the event is parked in the dead-letter queue. Partial batch responses: only failed messages return.

Thin: the work is in `credscore_aws.logic.webhooks.deliver`.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.dal import webhook_store
from credscore_aws.logic import webhooks
from credscore_aws.models.states import BatchItemFailure, RecordBatch, WebhookDeliverOutput
from credscore_aws.runtime import logger, metrics, tracer


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = RecordBatch.model_validate(event).Records
    retry = webhooks.deliver(
        records,
        webhook_store.store_from_env(),
        webhooks.sqs(),
        webhooks.DeliverySettings.from_env(),
        time_left=lambda: context.get_remaining_time_in_millis() / 1000,
    )
    logger.info("webhook deliveries attempted", extra={"messages": len(records), "to_retry": len(retry)})
    failures = [BatchItemFailure(itemIdentifier=message_id) for message_id in retry]
    return WebhookDeliverOutput(batchItemFailures=failures).model_dump(mode="json")
