"""Shadow job, first step: validate the candidate, pin the active configuration version, plan the scan segments."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.logic import shadow
from credscore_aws.models.states import ShadowPlanInput
from credscore_aws.runtime import logger, tracer

# Counts and positions only: no application data in logs.
_LOGGED = ("segment", "page", "rows", "done", "applications", "psi", "approval_change")


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    out = shadow.plan(ShadowPlanInput.model_validate(event)).model_dump(mode="json")
    logger.info("shadow plan", extra={k: v for k, v in out.items() if k in _LOGGED})
    return out
