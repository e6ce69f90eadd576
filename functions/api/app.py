"""Partner API: applications, presigned uploads, status, results, rescoring and erasure.

Thin: routing, validation and HTTP mapping live here (powertools event handler, OpenAPI from the models in
`credscore_aws.api_models`); the work is in `credscore_aws.applications`.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore import texts
from credscore.report import render_report
from credscore_aws import applicant, applications, outcomes, rate_limit, webhooks
from credscore_aws.api_models import (
    APPLICANT_SECURITY,
    NEXT_TOKEN_PATTERN,
    OPENAPI_INFO,
    ApplicantConsent,
    ApplicantLink,
    ApplicantResult,
    ApplicantStatus,
    ApplicantUploads,
    ApplicationView,
    CreateApplication,
    CreatedApplicationWithLink,
    ErasureReceipt,
    ErrorBody,
    FilteredApplicationList,
    GatewayError,
    LinkRevoked,
    OutcomeRecord,
    OutcomeReport,
    RegisterWebhook,
    RescoredResult,
    ScoreResultView,
    WebhookDeleted,
    WebhookDeliveries,
    WebhookDelivery,
    WebhookView,
    WebhookWithSecret,
)
from credscore_aws.dal import webhook_store
from credscore_aws.models.records import WebhookRegistration
from credscore_aws.runtime import logger, metrics, repository, tracer
from credscore_aws.settings import settings

app = APIGatewayHttpResolver(enable_validation=True)
app.enable_swagger(path="/docs", **OPENAPI_INFO)

ApplicationId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="application id")]
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
    413: {"description": "body over 1 MiB", "content": {"application/json": {"model": GatewayError}}},
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


def ok(description: str, model: type[Any]) -> dict[int, OpenAPIResponse]:
    return {200: {"description": description, "content": {"application/json": {"model": model}}}}


def _authorized() -> dict[str, Any]:
    context = app.current_event.request_context.authorizer
    return dict((context.get_lambda or {}) if context else {})


def _partner_id() -> str:
    partner = _authorized().get("partner_id")
    if not partner:
        # An applicant link (or a misconfigured route) never reaches a partner's operation.
        raise Forbidden("a partner key is needed for this operation")
    return str(partner)


def _error(status: int, code: str, message: str) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"error": code, "message": message},
    )


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
    return _error(404, "not_found", "no such resource")


@app.exception_handler(RequestValidationError)
def _invalid_request(exc: RequestValidationError) -> Response[Any]:
    # The documented HTTPValidationError shape, with a readable message for every problem.
    detail = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg") or e.get("type")), "type": str(e.get("type"))}
        for e in exc.errors()
    ]
    return Response(status_code=422, content_type=content_types.APPLICATION_JSON, body={"detail": detail})


@app.exception_handler(applications.ApplicationNotFound)
def _not_found(exc: applications.ApplicationNotFound) -> Response[Any]:
    return _error(404, "not_found", "no such application for this partner")


@app.exception_handler(applications.WrongStatus)
def _wrong_status(exc: applications.WrongStatus) -> Response[Any]:
    return _error(409, "wrong_status", str(exc))


@app.exception_handler(applications.Erased)
def _erased(exc: applications.Erased) -> Response[Any]:
    return _error(410, "erased", str(exc))


@app.exception_handler(applications.IdempotencyKeyReused)
def _key_reused(exc: applications.IdempotencyKeyReused) -> Response[Any]:
    return _error(409, "idempotency_key_reused", str(exc))


@app.post(
    "/applications",
    summary="Create an application and get presigned upload forms",
    responses={
        **GATEWAY_ERRORS,
        **UNSUPPORTED_BODY,
        201: {
            "description": "created, with the applicant link (a replay issues a new link; the earlier one stops)",
            "content": {"application/json": {"model": CreatedApplicationWithLink}},
        },
        409: {
            "description": "Idempotency-Key reused with a different body",
            "content": {"application/json": {"model": ErrorBody}},
        },
        413: {
            "description": "the body is larger than 64 KiB",
            "content": {"application/json": {"model": ErrorBody}},
        },
    },
)
def create_application(
    body: CreateApplication,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> Response[CreatedApplicationWithLink]:
    created = applications.create(_partner_id(), body, idempotency_key)
    link = applicant.issue(created.application_id)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body={**created.model_dump(), **link.model_dump()},
    )


@app.get(
    "/applications",
    summary="List this partner's applications, newest first, a page at a time",
    description="Filter by `status` and search by `reference` (a substring, case-sensitive). Filters are "
    "applied while reading the partner's applications in order (DynamoDB's by-partner index with a filter), "
    "so a filtered page may hold fewer than `limit`; follow `next_token` with the same filters.",
    responses={
        **GATEWAY_ERRORS,
        200: {
            "description": "a page of applications with reference, score, status and update time",
            "content": {"application/json": {"model": FilteredApplicationList}},
        },
    },
)
def list_applications(
    limit: Annotated[int, Query(ge=1, le=100, description="applications per page")] = 50,
    next_token: Annotated[
        str | None,
        Query(pattern=NEXT_TOKEN_PATTERN, description="the previous page's next_token"),
    ] = None,
    status: Annotated[
        Literal["collecting", "processing", "scored", "failed", "erased"] | None,
        Query(description="only applications with this status"),
    ] = None,
    reference: Annotated[
        str | None,
        Query(max_length=64, pattern=r"^[A-Za-z0-9._-]+$", description="only references containing this"),
    ] = None,
) -> FilteredApplicationList:
    return applications.list_filtered(_partner_id(), limit, next_token, status, reference)


@app.get(
    "/applications/<application_id>",
    summary="Status of an application",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **ok("the application", ApplicationView)},
)
def get_application(application_id: ApplicationId) -> ApplicationView:
    return applications.view(_partner_id(), application_id)


@app.get(
    "/applications/<application_id>/result",
    summary="The score, its breakdown and reasons",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **CONFLICT, **GONE, **ok("the result", ScoreResultView)},
)
def get_result(application_id: ApplicationId) -> ScoreResultView:
    return applications.result(_partner_id(), application_id)


@app.get(
    "/applications/<application_id>/report",
    summary="Printable HTML report of the scored application",
    responses={
        **GATEWAY_ERRORS,
        **NOT_FOUND,
        **CONFLICT,
        **GONE,
        200: {"description": "the report", "content": {"text/html": {"schema": {"type": "string"}}}},
    },
)
def report(application_id: ApplicationId) -> Response[str]:
    partner = _partner_id()
    scored = applications.result(partner, application_id)
    document = render_report(applications.view(partner, application_id).model_dump(), scored.result)
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=document,
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            "X-Content-Type-Options": "nosniff",
        },
    )


@app.post(
    "/applications/<application_id>/submit",
    summary="Score now with the sources that have arrived",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **CONFLICT, **ok("scoring started", ApplicationView)},
)
def submit(application_id: ApplicationId) -> ApplicationView:
    return applications.submit(_partner_id(), application_id)


@app.post(
    "/applications/<application_id>/rescore",
    summary="Score the kept features again under the current scoring configuration",
    description="`changed` is false (and nothing is stored) when the configuration version and the score "
    "are the same as before; `message` says so in plain words.",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **CONFLICT, **GONE, **ok("the new result", RescoredResult)},
)
def rescore(application_id: ApplicationId) -> RescoredResult:
    return applications.rescore(_partner_id(), application_id)


@app.delete(
    "/applications/<application_id>",
    summary="Erase raw uploads, derived data and the result",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **ok("what was erased", ErasureReceipt)},
)
def erase(application_id: ApplicationId) -> ErasureReceipt:
    return applications.erase(_partner_id(), application_id)


# ---------------------------------------------------------------------------------------------- outcomes
@app.exception_handler(outcomes.NoOutcome)
def _no_outcome(exc: outcomes.NoOutcome) -> Response[Any]:
    return _error(404, "no_outcome", "no outcome has been reported for this application")


@app.exception_handler(outcomes.InvalidOutcome)
def _implausible_outcome(exc: outcomes.InvalidOutcome) -> Response[Any]:
    return _error(409, "implausible_observed_at", str(exc))


@app.put(
    "/applications/<application_id>/outcome",
    summary="Report the repayment outcome of a scored application",
    description="Idempotent: the same outcome and date again answer 200 with the stored record unchanged. A "
    "different outcome or date replaces the stored one (revision + 1) and the replaced one is kept in `changes`. "
    "Only for this partner's own scored applications (404 for others, 409 when not scored or when observed_at "
    "is before the application's creation or in the future); erased with the "
    "application. Used to fit and monitor the scorecard when the applicant gave `consent.model_development`.",
    responses={
        **GATEWAY_ERRORS,
        **UNSUPPORTED_BODY,
        **NOT_FOUND,
        **CONFLICT,
        **ok("the stored outcome", OutcomeRecord),
    },
)
def report_outcome(application_id: ApplicationId, body: OutcomeReport) -> OutcomeRecord:
    return applications.report_outcome(_partner_id(), application_id, body)


@app.get(
    "/applications/<application_id>/outcome",
    summary="The outcome reported for an application",
    responses={
        **GATEWAY_ERRORS,
        404: {
            "description": "no such application for this partner, or no outcome reported",
            "content": {"application/json": {"model": ErrorBody}},
        },
        **ok("the stored outcome", OutcomeRecord),
    },
)
def get_outcome(application_id: ApplicationId) -> OutcomeRecord:
    return applications.outcome(_partner_id(), application_id)


# ---------------------------------------------------------------------------------------------- webhooks
@app.exception_handler(webhook_store.WebhookNotFound)
def _no_webhook(exc: webhook_store.WebhookNotFound) -> Response[Any]:
    return _error(404, "not_found", "no webhook is registered for this partner")


@app.exception_handler(webhooks.UnsafeUrl)
def _unsafe_url(exc: webhooks.UnsafeUrl) -> Response[Any]:
    # The documented validation-error shape, naming the field.
    detail = [{"loc": ["body", "url"], "msg": str(exc), "type": "unsafe_url"}]
    return Response(status_code=422, content_type=content_types.APPLICATION_JSON, body={"detail": detail})


NO_WEBHOOK: dict[int, OpenAPIResponse] = {
    404: {"description": "no webhook registered", "content": {"application/json": {"model": ErrorBody}}}
}


def _webhook_view(registration: WebhookRegistration, secret: str | None = None) -> dict[str, Any]:
    return {**WebhookView(**dataclasses.asdict(registration)).model_dump(), "secret": secret}


@app.put(
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
    registration, secret = webhook_store.store_from_env().put(_partner_id(), body.url)
    return Response(
        status_code=201 if secret else 200,
        content_type=content_types.APPLICATION_JSON,
        body=_webhook_view(registration, secret),
    )


@app.get(
    "/webhook",
    summary="The registered URL and its state (never the secret)",
    responses={
        **GATEWAY_ERRORS,
        **NO_WEBHOOK,
        200: {"description": "the registration", "content": {"application/json": {"model": WebhookView}}},
    },
)
def get_webhook() -> WebhookView:
    return WebhookView(**dataclasses.asdict(webhook_store.store_from_env().get(_partner_id())))


@app.post(
    "/webhook/rotate-secret",
    summary="A new signing secret; the previous one keeps signing too for 24 hours",
    responses={
        **GATEWAY_ERRORS,
        **NO_WEBHOOK,
        200: {
            "description": "the new secret, shown only now",
            "content": {"application/json": {"model": WebhookWithSecret}},
        },
    },
)
def rotate_webhook_secret() -> WebhookWithSecret:
    registration, secret = webhook_store.store_from_env().rotate(
        _partner_id(), webhooks.SECRET_OVERLAP_SECONDS
    )
    return WebhookWithSecret(**_webhook_view(registration, secret))


@app.delete(
    "/webhook",
    summary="Stop sending events (deliveries under way are dropped)",
    responses={
        **GATEWAY_ERRORS,
        **NO_WEBHOOK,
        200: {"description": "removed", "content": {"application/json": {"model": WebhookDeleted}}},
    },
)
def delete_webhook() -> WebhookDeleted:
    webhook_store.store_from_env().delete(_partner_id())
    return WebhookDeleted(deleted=True)


@app.get(
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
    items = webhook_store.store_from_env().deliveries(_partner_id(), limit)
    return WebhookDeliveries(
        deliveries=[WebhookDelivery.model_validate(i, from_attributes=True) for i in items]
    )


# ---------------------------------------------------------------------------------------------------- applicant link
class Forbidden(Exception):
    pass


@app.exception_handler(Forbidden)
def _forbidden(exc: Forbidden) -> Response[Any]:
    return _error(403, "forbidden", str(exc))


@app.exception_handler(applicant.LinkRefused)
def _link_refused(exc: applicant.LinkRefused) -> Response[Any]:
    return _error(403, exc.code, texts.error_message(exc.code))


FORBIDDEN: dict[int, OpenAPIResponse] = {
    403: {
        "description": "the link is revoked or expired, or not valid for this operation (`error` says which)",
        "content": {"application/json": {"model": ErrorBody}},
    }
}


def _applicant_application() -> dict[str, Any]:
    """The application of the calling applicant link, its token checked again against the stored hash."""
    context = _authorized()
    if context.get("role") != "applicant" or not context.get("application_id"):
        raise Forbidden("an applicant link is needed for this operation")
    return applicant.load(str(context["application_id"]), str(context.get("token_hash") or ""))


@app.post(
    "/applications/<application_id>/applicant-token",
    summary="Issue a new applicant link (the earlier one stops working)",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **CONFLICT, **ok("the new link", ApplicantLink)},
)
def reissue_link(application_id: ApplicationId) -> ApplicantLink:
    return applicant.reissue(_partner_id(), application_id)


@app.delete(
    "/applications/<application_id>/applicant-token",
    summary="Revoke the applicant link",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **ok("revoked", LinkRevoked)},
)
def revoke_link(application_id: ApplicationId) -> LinkRevoked:
    return applicant.revoke(_partner_id(), application_id)


@app.get(
    "/applicant/application",
    summary="Applicant: status and stage of the link's application",
    security=APPLICANT_SECURITY,
    responses={**GATEWAY_ERRORS, **FORBIDDEN, **ok("status and stage", ApplicantStatus)},
)
def applicant_status() -> ApplicantStatus:
    return applicant.status(_applicant_application())


@app.post(
    "/applicant/uploads",
    summary="Applicant: record consent and get upload forms for the parts not yet received",
    security=APPLICANT_SECURITY,
    responses={**GATEWAY_ERRORS, **UNSUPPORTED_BODY, **FORBIDDEN, **ok("upload forms", ApplicantUploads)},
)
def applicant_uploads(body: ApplicantConsent) -> ApplicantUploads:
    return applicant.upload_forms(_applicant_application(), body)


@app.post(
    "/applicant/submit",
    summary="Applicant: score now with the exports uploaded so far (the others are reported absent)",
    security=APPLICANT_SECURITY,
    responses={**GATEWAY_ERRORS, **FORBIDDEN, **CONFLICT, **ok("submitted", ApplicantStatus)},
)
def applicant_submit() -> ApplicantStatus:
    return applicant.submit(_applicant_application())


@app.get(
    "/applicant/result",
    summary="Applicant: the data used and the reasons, in plain words",
    security=APPLICANT_SECURITY,
    responses={**GATEWAY_ERRORS, **FORBIDDEN, **CONFLICT, **ok("the result in plain words", ApplicantResult)},
)
def applicant_result() -> ApplicantResult:
    return applicant.result(_applicant_application())


@app.delete(
    "/applicant/application",
    summary="Applicant: erase my data (the same erasure as the partner's DELETE)",
    security=APPLICANT_SECURITY,
    responses={**GATEWAY_ERRORS, **FORBIDDEN, **ok("the erasure receipt", ErasureReceipt)},
)
def applicant_erase() -> ErasureReceipt:
    return applicant.erase(_applicant_application())


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    applications.register_lambda_context(context)
    refusal = _rate_limited(event) or _refuse_unreadable_body(event)
    return refusal or app.resolve(event, context)


def _rate_limited(event: dict[str, Any]) -> dict[str, Any] | None:
    """429 once a partner passes its requests per minute (see credscore_aws.rate_limit for why it is here)."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    partner = (authorizer.get("lambda") or {}).get("partner_id")
    if not partner:
        return None
    limit = settings().partner_requests_per_minute
    decision = rate_limit.check(repository().table, str(partner), limit)
    if not decision.counted:
        logger.warning("partner rate limit not counted (DynamoDB error); request let through")
    if decision.allowed:
        return None
    response = _plain_error(429, "rate_limited", f"more than {limit} requests a minute; retry later")
    response["headers"]["Retry-After"] = str(decision.retry_after)
    return response


# No request of this API comes near this (a create body is well under 1 KiB); API Gateway's own cap is 10 MB.
MAX_BODY_BYTES = 64 * 1024
# The deepest request body the API takes is three levels (body → consent → granted_at).
MAX_JSON_DEPTH = 32


def _refuse_unreadable_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """Bodies must be small UTF-8 JSON of sane shape; say so with 413/415/422 instead of failing inside the
    resolver (a 5,000-digit number or 300,000 nested arrays must not become a 500)."""
    body = event.get("body")
    if not body:
        return None
    content_type = (event.get("headers") or {}).get("content-type", "")
    if not content_type.lower().startswith("application/json"):
        return _plain_error(415, "unsupported_media_type", "send application/json")
    # A base64 body decodes to 3/4 of its length: compare what the partner sent, not its encoding.
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        return _plain_error(413, "payload_too_large", f"the body is larger than {MAX_BODY_BYTES} bytes")
    text = body
    if event.get("isBase64Encoded"):
        try:
            text = base64.b64decode(body).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return _invalid_body("the body is not UTF-8 JSON")
    try:
        document = json.loads(text)
    except RecursionError:
        return _invalid_body(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
    except json.JSONDecodeError as exc:
        return _invalid_body(f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    except ValueError:
        # int() refuses numbers of more than 4,300 digits (CVE-2020-10735); no field takes anything near.
        return _invalid_body("a number in the body has too many digits")
    if _depth(document) > MAX_JSON_DEPTH:
        return _invalid_body(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
    return None


def _depth(document: Any) -> int:
    """How deeply arrays and objects nest (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            level += 1
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            stack.extend((v, level) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _invalid_body(message: str) -> dict[str, Any]:
    """The documented validation-error answer (HTTPValidationError), as for any other unreadable body."""
    return {
        "statusCode": 422,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"detail": [{"loc": ["body"], "msg": message, "type": "json_invalid"}]}),
    }


def _plain_error(status: int, code: str, message: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"error": code, "message": message}),
    }
