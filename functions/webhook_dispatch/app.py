"""DynamoDB Stream of the applications table → one webhook delivery per move into scored, failed or erased.

Thin: the work is in `credscore_aws.logic.webhooks.dispatch`. The stream's filter (template.yaml) passes only
applications' META items in those statuses; the handler checks the transition itself as well.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.dal import webhook_store
from credscore_aws.logic import webhooks
from credscore_aws.models.states import RecordBatch, WebhookDispatchOutput
from credscore_aws.runtime import logger, metrics, tracer
from credscore_aws.settings import settings


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = RecordBatch.model_validate(event).Records
    queued = webhooks.dispatch(
        records, webhook_store.store_from_env(), webhooks.sqs(), settings().webhook_queue_url
    )
    logger.info("webhook deliveries queued", extra={"records": len(records), "queued": queued})
    if queued:
        metrics.add_metric(name="WebhookDeliveriesQueued", unit="Count", value=queued)
    return WebhookDispatchOutput(records=len(records), queued=queued).model_dump(mode="json")
