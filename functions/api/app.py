"""Partner API: applications, presigned uploads, status, results, rescoring and erasure.

Thin: routing, validation and HTTP mapping live here (powertools event handler, OpenAPI from the models in
`credscore_aws.api_models`); the work is in `credscore_aws.applications`.
"""

from __future__ import annotations

import base64
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
from credscore_aws import applicant, applications
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
    LinkRevoked,
    RescoredResult,
    ScoreResultView,
)
from credscore_aws.runtime import logger, metrics, tracer

app = APIGatewayHttpResolver(enable_validation=True)
app.enable_swagger(path="/docs", **OPENAPI_INFO)

ApplicationId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="application id")]
NOT_FOUND: dict[int, OpenAPIResponse] = {
    404: {
        "description": "no such application for this partner",
        "content": {"application/json": {"model": ErrorBody}},
    }
}
CONFLICT: dict[int, OpenAPIResponse] = {
    409: {
        "description": "not possible in the application's current status",
        "content": {"application/json": {"model": ErrorBody}},
    }
}


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


@app.exception_handler(applications.IdempotencyKeyReused)
def _key_reused(exc: applications.IdempotencyKeyReused) -> Response[Any]:
    return _error(409, "idempotency_key_reused", str(exc))


@app.post(
    "/applications",
    summary="Create an application and get presigned upload forms",
    responses={
        201: {
            "description": "created, with the applicant link (a replay issues a new link; the earlier one stops)",
            "content": {"application/json": {"model": CreatedApplicationWithLink}},
        },
        409: {
            "description": "Idempotency-Key reused with a different body",
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


@app.get("/applications/<application_id>", summary="Status of an application", responses=NOT_FOUND)
def get_application(application_id: ApplicationId) -> ApplicationView:
    return applications.view(_partner_id(), application_id)


@app.get(
    "/applications/<application_id>/result",
    summary="The score, its breakdown and reasons",
    responses={**NOT_FOUND, **CONFLICT},
)
def get_result(application_id: ApplicationId) -> ScoreResultView:
    return applications.result(_partner_id(), application_id)


@app.get(
    "/applications/<application_id>/report",
    summary="Printable HTML report of the scored application",
    responses={
        **NOT_FOUND,
        **CONFLICT,
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
    responses={**NOT_FOUND, **CONFLICT},
)
def submit(application_id: ApplicationId) -> ApplicationView:
    return applications.submit(_partner_id(), application_id)


@app.post(
    "/applications/<application_id>/rescore",
    summary="Score the kept features again under the current scoring configuration",
    description="`changed` is false (and nothing is stored) when the configuration version and the score "
    "are the same as before; `message` says so in plain words.",
    responses={**NOT_FOUND, **CONFLICT},
)
def rescore(application_id: ApplicationId) -> RescoredResult:
    return applications.rescore_reporting_change(_partner_id(), application_id)


@app.delete(
    "/applications/<application_id>",
    summary="Erase raw uploads, derived data and the result",
    responses=NOT_FOUND,
)
def erase(application_id: ApplicationId) -> ErasureReceipt:
    return applications.erase(_partner_id(), application_id)


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
    responses={**NOT_FOUND, **CONFLICT},
)
def reissue_link(application_id: ApplicationId) -> ApplicantLink:
    return applicant.reissue(_partner_id(), application_id)


@app.delete(
    "/applications/<application_id>/applicant-token",
    summary="Revoke the applicant link",
    responses=NOT_FOUND,
)
def revoke_link(application_id: ApplicationId) -> LinkRevoked:
    return applicant.revoke(_partner_id(), application_id)


@app.get(
    "/applicant/application",
    summary="Applicant: status and stage of the link's application",
    security=APPLICANT_SECURITY,
    responses=FORBIDDEN,
)
def applicant_status() -> ApplicantStatus:
    return applicant.status(_applicant_application())


@app.post(
    "/applicant/uploads",
    summary="Applicant: record consent and get upload forms for the parts not yet received",
    security=APPLICANT_SECURITY,
    responses=FORBIDDEN,
)
def applicant_uploads(body: ApplicantConsent) -> ApplicantUploads:
    return applicant.upload_forms(_applicant_application(), body)


@app.post(
    "/applicant/submit",
    summary="Applicant: score now with the exports uploaded so far (the others are reported absent)",
    security=APPLICANT_SECURITY,
    responses={**FORBIDDEN, **CONFLICT},
)
def applicant_submit() -> ApplicantStatus:
    return applicant.submit(_applicant_application())


@app.get(
    "/applicant/result",
    summary="Applicant: the data used and the reasons, in plain words",
    security=APPLICANT_SECURITY,
    responses={**FORBIDDEN, **CONFLICT},
)
def applicant_result() -> ApplicantResult:
    return applicant.result(_applicant_application())


@app.delete(
    "/applicant/application",
    summary="Applicant: erase my data (the same erasure as the partner's DELETE)",
    security=APPLICANT_SECURITY,
    responses=FORBIDDEN,
)
def applicant_erase() -> ErasureReceipt:
    return applicant.erase(_applicant_application())


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    applications.register_lambda_context(context)
    refusal = _refuse_unreadable_body(event)
    return refusal or app.resolve(event, context)


def _refuse_unreadable_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """Bodies must be UTF-8 JSON; say so with 415/400 instead of failing inside the resolver."""
    body = event.get("body")
    if not body:
        return None
    content_type = (event.get("headers") or {}).get("content-type", "")
    if not content_type.lower().startswith("application/json"):
        return _plain_error(415, "unsupported_media_type", "send application/json")
    if event.get("isBase64Encoded"):
        try:
            base64.b64decode(body).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            # The documented validation-error answer, as for any other unreadable body.
            return {
                "statusCode": 422,
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps(
                    {
                        "detail": [
                            {"loc": ["body"], "msg": "the body is not UTF-8 JSON", "type": "json_invalid"}
                        ]
                    }
                ),
            }
    return None


def _plain_error(status: int, code: str, message: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"error": code, "message": message}),
    }
