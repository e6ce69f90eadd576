"""What every router shares: the documented error responses, the path parameter of an application id, and who
is calling (the authorizer's context)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import Router
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from credscore.application import APPLICATION_ID_PATTERN
from credscore_aws.models.api import ErrorBody, GatewayError

ApplicationId = Annotated[str, Path(pattern=APPLICATION_ID_PATTERN, description="application id")]
NOT_FOUND: dict[int, OpenAPIResponse] = {
    404: {
        "description": "no such application for this partner",
        "content": {"application/json": {"model": ErrorBody}},
    }
}
GONE: dict[int, OpenAPIResponse] = {
    410: {
        "description": "the application was erased: its result is gone for good",
        "content": {"application/json": {"model": ErrorBody}},
    }
}
# Answered by the HTTP API before the function runs: no or unknown key (authorizer), throttling.
GATEWAY_ERRORS: dict[int, OpenAPIResponse] = {
    401: {"description": "no API key", "content": {"application/json": {"model": GatewayError}}},
    403: {"description": "unknown API key", "content": {"application/json": {"model": GatewayError}}},
    429: {
        "description": "too many requests (the API allows 20 a second, bursts of 50, and each partner a number "
        "a minute): retry with backoff, after Retry-After seconds when given",
        "content": {"application/json": {"model": GatewayError}},
    },
}
# Operations with a JSON body.
UNSUPPORTED_BODY: dict[int, OpenAPIResponse] = {
    413: {
        "description": "the body is larger than 64 KiB (`payload_too_large`)",
        "content": {"application/json": {"model": ErrorBody}},
    },
    415: {
        "description": "the body is not application/json",
        "content": {"application/json": {"model": ErrorBody}},
    },
}
CONFLICT: dict[int, OpenAPIResponse] = {
    409: {
        "description": "not possible in the application's current status",
        "content": {"application/json": {"model": ErrorBody}},
    }
}

# A write that kept meeting concurrent writes of the same record (the pipeline's, an upload's) after a few tries.
BUSY_RETRY_AFTER_SECONDS = 1
BUSY: dict[int, OpenAPIResponse] = {
    503: {
        "description": "the application's record stayed busy with the pipeline's writes: nothing was lost, "
        "send the same request again after Retry-After seconds",
        "content": {"application/json": {"model": ErrorBody}},
    }
}


class Forbidden(Exception):
    pass


def ok(description: str, model: type[Any]) -> dict[int, OpenAPIResponse]:
    return {200: {"description": description, "content": {"application/json": {"model": model}}}}


def error(status: int, code: str, message: str) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"error": code, "message": message},
    )


def answers(
    router: Router, exception: type[Exception], status: int, code: str, message: str | None = None
) -> None:
    """`exception`, raised by any of the router's routes, is answered with the error body: `message`, or the
    exception's own text when none is given."""

    def answer(exc: Exception) -> Response[Any]:
        return error(status, code, str(exc) if message is None else message)

    router.exception_handler(exception)(answer)


def authorized(event: APIGatewayProxyEventV2) -> dict[str, Any]:
    """The authorizer's decision for this request (role, partner or application, token hash)."""
    context = event.request_context.authorizer
    return dict((context.get_lambda or {}) if context else {})


def partner_id(event: APIGatewayProxyEventV2) -> str:
    partner = authorized(event).get("partner_id")
    if not partner:
        # An applicant link (or a misconfigured route) never reaches a partner's operation.
        raise Forbidden("a partner key is needed for this operation")
    return str(partner)
