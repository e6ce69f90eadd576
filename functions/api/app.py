"""Partner API: applications, presigned uploads, status, results, rescoring, outcomes, webhooks, applicant links.

Thin: this module builds the resolver (OpenAPI from the models in `credscore_aws.models.api`, the HTTP-wide
error answers) and includes the routers of `credscore_aws.api`; the work is in `credscore_aws.logic`.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore.errors import TransientError
from credscore_aws.api import applicant, applications, outcomes, webhooks
from credscore_aws.api.common import BUSY_RETRY_AFTER_SECONDS, Forbidden, error
from credscore_aws.api.guards import refusal
from credscore_aws.logic.applications import register_lambda_context
from credscore_aws.models.api import OPENAPI_INFO
from credscore_aws.runtime import logger, metrics, tracer

app = APIGatewayHttpResolver(enable_validation=True)
app.enable_swagger(path="/docs", **OPENAPI_INFO)
# In this order: the OpenAPI document lists the operations as they are registered.
for module in (applications, outcomes, webhooks, applicant):
    app.include_router(module.router)


@app.not_found
def _no_route(exc: NotFoundError) -> Response[Any]:
    """405 with `Allow` when the path exists under other methods (HTTP semantics); 404 otherwise."""
    event = app.current_event
    allowed = sorted({r.method for r in app._static_routes + app._dynamic_routes if r.rule.match(event.path)})
    if allowed:
        return Response(
            status_code=405,
            content_type=content_types.APPLICATION_JSON,
            headers={"Allow": ", ".join(allowed)},
            body={"error": "method_not_allowed", "message": f"use {', '.join(allowed)}"},
        )
    return error(404, "not_found", "no such resource")


@app.exception_handler(RequestValidationError)
def _invalid_request(exc: RequestValidationError) -> Response[Any]:
    # The documented HTTPValidationError shape, with a readable message for every problem.
    detail = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg") or e.get("type")), "type": str(e.get("type"))}
        for e in exc.errors()
    ]
    return Response(status_code=422, content_type=content_types.APPLICATION_JSON, body={"detail": detail})


@app.exception_handler(Forbidden)
def _forbidden(exc: Forbidden) -> Response[Any]:
    return error(403, "forbidden", str(exc))


@app.exception_handler(TransientError)
def _busy(exc: TransientError) -> Response[Any]:
    # A write that lost to concurrent ones after its retries (see ApplicationRepository._transact): the request
    # changed nothing and can be sent again, which a 500 would not say.
    logger.warning("record busy", extra={"error": str(exc)})
    answer = error(503, "busy", "the application is being updated; send the same request again shortly")
    answer.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return answer


@app.exception_handler(IdempotencyAlreadyInProgressError)
def _in_progress(exc: IdempotencyAlreadyInProgressError) -> Response[Any]:
    # The same Idempotency-Key while its first request is still running (a client that timed out and sent it
    # again): 409 as the Idempotency-Key draft says; sent again after Retry-After it gets the first one's answer.
    answer = error(
        409,
        "request_in_progress",
        "a request with this Idempotency-Key is still being processed; send it again after Retry-After seconds",
    )
    answer.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return answer


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    register_lambda_context(context)
    return refusal(event) or app.resolve(event, context)
