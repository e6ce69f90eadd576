"""Partner routes: the webhook registration, its secret and its delivery log."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from credscore_aws.api.common import GATEWAY_ERRORS, UNSUPPORTED_BODY, answers, partner_id
from credscore_aws.dal import webhook_store
from credscore_aws.logic import webhooks
from credscore_aws.models.api import (
    ErrorBody,
    RegisterWebhook,
    WebhookDeleted,
    WebhookDeliveries,
    WebhookDelivery,
    WebhookView,
    WebhookWithSecret,
)
from credscore_aws.models.records import WebhookRegistration

router = APIGatewayHttpRouter()

NO_WEBHOOK: dict[int, OpenAPIResponse] = {
    404: {"description": "no webhook registered", "content": {"application/json": {"model": ErrorBody}}}
}


answers(router, webhook_store.WebhookNotFound, 404, "not_found", "no webhook is registered for this partner")
answers(
    router,
    webhook_store.SecretRotatedConcurrently,
    409,
    "rotated_concurrently",
    "another request rotated the secret at the same moment: its answer holds the new secret",
)


@router.exception_handler(webhooks.UnsafeUrl)
def _unsafe_url(exc: webhooks.UnsafeUrl) -> Response[Any]:
    # The documented validation-error shape, naming the field.
    detail = [{"loc": ["body", "url"], "msg": str(exc), "type": "unsafe_url"}]
    return Response(status_code=422, content_type=content_types.APPLICATION_JSON, body={"detail": detail})


def _webhook_view(registration: WebhookRegistration, secret: str | None = None) -> WebhookWithSecret:
    return WebhookWithSecret(**WebhookView(**dataclasses.asdict(registration)).model_dump(), secret=secret)


@router.put(
    "/webhook",
    summary="Register (or change) the URL that receives signed events; a new registration shows its secret once",
    responses={
        **GATEWAY_ERRORS,
        **UNSUPPORTED_BODY,
        200: {
            "description": "the URL was changed; the secret is kept (`secret` is null)",
            "content": {"application/json": {"model": WebhookWithSecret}},
        },
        201: {
            "description": "registered; `secret` is shown only now",
            "content": {"application/json": {"model": WebhookWithSecret}},
        },
    },
)
def register_webhook(body: RegisterWebhook) -> Response[WebhookWithSecret]:
    webhooks.check_url(body.url)
    registration, secret = webhook_store.store_from_env().put(partner_id(router.current_event), body.url)
    return Response(
        status_code=201 if secret else 200,
        content_type=content_types.APPLICATION_JSON,
        body=_webhook_view(registration, secret),
    )


@router.get(
    "/webhook",
    summary="The registered URL and its state (never the secret)",
    responses={
        **GATEWAY_ERRORS,
        **NO_WEBHOOK,
        200: {"description": "the registration", "content": {"application/json": {"model": WebhookView}}},
    },
)
def get_webhook() -> WebhookView:
    return WebhookView(
        **dataclasses.asdict(webhook_store.store_from_env().get(partner_id(router.current_event)))
    )


@router.post(
    "/webhook/rotate-secret",
    summary="A new signing secret; the previous one keeps signing too for 24 hours",
    responses={
        **GATEWAY_ERRORS,
        **NO_WEBHOOK,
        200: {
            "description": "the new secret, shown only now",
            "content": {"application/json": {"model": WebhookWithSecret}},
        },
        409: {
            "description": "another request rotated the secret at the same moment (`rotated_concurrently`): "
            "its answer holds the new secret; this one changed nothing",
            "content": {"application/json": {"model": ErrorBody}},
        },
    },
)
def rotate_webhook_secret() -> WebhookWithSecret:
    registration, secret = webhook_store.store_from_env().rotate(
        partner_id(router.current_event), webhooks.SECRET_OVERLAP_SECONDS
    )
    return _webhook_view(registration, secret)


@router.delete(
    "/webhook",
    summary="Stop sending events (deliveries under way are dropped)",
    responses={
        **GATEWAY_ERRORS,
        **NO_WEBHOOK,
        200: {"description": "removed", "content": {"application/json": {"model": WebhookDeleted}}},
    },
)
def delete_webhook() -> WebhookDeleted:
    webhook_store.store_from_env().delete(partner_id(router.current_event))
    return WebhookDeleted(deleted=True)


@router.get(
    "/webhook/deliveries",
    summary="The delivery log, newest first (kept 30 days; no bodies)",
    responses={
        **GATEWAY_ERRORS,
        200: {"description": "deliveries", "content": {"application/json": {"model": WebhookDeliveries}}},
    },
)
def webhook_deliveries(
    limit: Annotated[int, Query(ge=1, le=100, description="deliveries to return")] = 50,
) -> WebhookDeliveries:
    items = webhook_store.store_from_env().deliveries(partner_id(router.current_event), limit)
    return WebhookDeliveries(
        deliveries=[WebhookDelivery.model_validate(i, from_attributes=True) for i in items]
    )
