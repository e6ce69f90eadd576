"""The partner routers answer the domain's refusals with the documented error bodies (status, `error`, `message`):
each exception is raised by the operation a route calls, and the real routers answer it in process."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from credscore_aws.api import applicant, applications, outcomes, webhooks
from credscore_aws.api.common import answers
from credscore_aws.dal import webhook_store
from credscore_aws.logic import applications as logic
from credscore_aws.logic import outcomes as outcome_logic

APPLICATION_ID = "0" * 32


def _resolver() -> APIGatewayHttpResolver:
    resolver = APIGatewayHttpResolver(enable_validation=True)
    for module in (applications, outcomes, webhooks, applicant):
        resolver.include_router(module.router)
    return resolver


def _get(resolver: APIGatewayHttpResolver, path: str, method: str = "GET") -> tuple[int, dict[str, Any]]:
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"accept": "application/json"},
        "requestContext": {
            "authorizer": {"lambda": {"partner_id": "partner-a"}},
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.1"},
            "requestId": "r",
            "routeKey": "$default",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }
    answer = resolver.resolve(event, None)  # type: ignore[arg-type]
    return answer["statusCode"], json.loads(answer["body"])


def _raising(exc: Exception) -> Any:
    def operation(*_args: Any) -> Any:
        raise exc

    return operation


@pytest.mark.parametrize(
    ("target", "name", "path", "exc", "status", "code", "message"),
    [
        (
            logic,
            "view",
            "",
            logic.ApplicationNotFound("x"),
            404,
            "not_found",
            "no such application for this partner",
        ),
        (
            logic,
            "result",
            "/result",
            logic.WrongStatus("still collecting"),
            409,
            "wrong_status",
            "still collecting",
        ),
        (logic, "result", "/result", logic.Erased("erased on 1 Dec"), 410, "erased", "erased on 1 Dec"),
        (
            logic,
            "view",
            "",
            logic.IdempotencyKeyReused("other body"),
            409,
            "idempotency_key_reused",
            "other body",
        ),
        (
            logic,
            "outcome",
            "/outcome",
            outcome_logic.NoOutcome("x"),
            404,
            "no_outcome",
            "no outcome has been reported for this application",
        ),
        (
            logic,
            "outcome",
            "/outcome",
            outcome_logic.InvalidOutcome("in the future"),
            409,
            "implausible_observed_at",
            "in the future",
        ),
    ],
    ids=["not_found", "wrong_status", "erased", "key_reused", "no_outcome", "implausible"],
)
def test_each_refusal_is_answered_with_its_status_code_and_message(
    monkeypatch: pytest.MonkeyPatch,
    target: Any,
    name: str,
    path: str,
    exc: Exception,
    status: int,
    code: str,
    message: str,
) -> None:
    monkeypatch.setattr(target, name, _raising(exc))
    assert _get(_resolver(), f"/applications/{APPLICATION_ID}{path}") == (
        status,
        {"error": code, "message": message},
    )


def test_no_webhook_is_a_404_with_its_own_message(monkeypatch: pytest.MonkeyPatch) -> None:
    class Store:
        def get(self, partner: str) -> Any:
            raise webhook_store.WebhookNotFound(partner)

    monkeypatch.setattr(webhook_store, "store_from_env", Store)
    assert _get(_resolver(), "/webhook") == (
        404,
        {"error": "not_found", "message": "no webhook is registered for this partner"},
    )


def test_a_rotation_that_lost_to_a_concurrent_one_is_a_409_that_says_where_the_secret_went(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Store:
        def rotate(self, partner: str, _overlap: int) -> Any:
            raise webhook_store.SecretRotatedConcurrently(partner)

    monkeypatch.setattr(webhook_store, "store_from_env", Store)
    assert _get(_resolver(), "/webhook/rotate-secret", "POST") == (
        409,
        {
            "error": "rotated_concurrently",
            "message": "another request rotated the secret at the same moment: its answer holds the new secret",
        },
    )


def test_answers_uses_the_exceptions_text_only_when_no_message_is_given() -> None:
    from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

    class Refused(Exception):
        pass

    class Hidden(Refused):
        pass

    router = APIGatewayHttpRouter()
    answers(router, Refused, 418, "refused")
    answers(router, Hidden, 451, "hidden", "not shown")

    @router.get("/refused")
    def refused() -> None:
        raise Refused("the reason")

    @router.get("/hidden")
    def hidden() -> None:
        raise Hidden("a secret reason")

    resolver = APIGatewayHttpResolver()
    resolver.include_router(router)
    assert _get(resolver, "/refused") == (418, {"error": "refused", "message": "the reason"})
    assert _get(resolver, "/hidden") == (451, {"error": "hidden", "message": "not shown"})
