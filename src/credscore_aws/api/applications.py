"""Partner routes: create, list, status, result, report, submit, rescore and erase an application."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from credscore.report import render_report
from credscore_aws.api.common import (
    BUSY,
    CONFLICT,
    GATEWAY_ERRORS,
    GONE,
    NOT_FOUND,
    UNSUPPORTED_BODY,
    ApplicationId,
    answers,
    ok,
    partner_id,
)
from credscore_aws.logic import applicant, applications
from credscore_aws.models.api import (
    IDEMPOTENCY_KEY,
    NEXT_TOKEN_PATTERN,
    ApplicationView,
    CreateApplication,
    CreatedApplicationWithLink,
    ErasureReceipt,
    ErrorBody,
    FilteredApplicationList,
    RescoredResult,
    ScoreResultView,
)

router = APIGatewayHttpRouter()


answers(router, applications.ApplicationNotFound, 404, "not_found", "no such application for this partner")
answers(router, applications.WrongStatus, 409, "wrong_status")
answers(router, applications.Erased, 410, "erased")
answers(router, applications.IdempotencyKeyReused, 409, "idempotency_key_reused")


@router.post(
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
            "description": "Idempotency-Key reused with a different body (`idempotency_key_reused`), or its first "
            "request is still being processed (`request_in_progress`, with Retry-After: send it again then)",
            "content": {"application/json": {"model": ErrorBody}},
        },
        410: {
            "description": "a replayed Idempotency-Key whose application was erased (no forms, no link)",
            "content": {"application/json": {"model": ErrorBody}},
        },
        413: {
            "description": "the body is larger than 64 KiB",
            "content": {"application/json": {"model": ErrorBody}},
        },
        **BUSY,
    },
)
def create_application(
    body: CreateApplication,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", max_length=128, pattern=IDEMPOTENCY_KEY)
    ] = None,
) -> Response[CreatedApplicationWithLink]:
    created, token = applications.create(partner_id(router.current_event), body, idempotency_key)
    # A new application holds its link's token hash already; a replay gets a new link (tokens are not kept).
    link = applicant.link(created.application_id, token) if token else applicant.issue(created.application_id)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=CreatedApplicationWithLink(**created.model_dump(), **link.model_dump()),
    )


@router.get(
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
    return applications.list_filtered(partner_id(router.current_event), limit, next_token, status, reference)


@router.get(
    "/applications/<application_id>",
    summary="Status of an application",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **ok("the application", ApplicationView)},
)
def get_application(application_id: ApplicationId) -> ApplicationView:
    return applications.view(partner_id(router.current_event), application_id)


@router.get(
    "/applications/<application_id>/result",
    summary="The score, its breakdown and reasons",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **CONFLICT, **GONE, **ok("the result", ScoreResultView)},
)
def get_result(application_id: ApplicationId) -> ScoreResultView:
    return applications.result(partner_id(router.current_event), application_id)


@router.get(
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
    partner = partner_id(router.current_event)
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


@router.post(
    "/applications/<application_id>/submit",
    summary="Score now with the sources that have arrived",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **CONFLICT, **ok("scoring started", ApplicationView)},
)
def submit(application_id: ApplicationId) -> ApplicationView:
    return applications.submit(partner_id(router.current_event), application_id)


@router.post(
    "/applications/<application_id>/rescore",
    summary="Score the kept features again under the current scoring configuration",
    description="`changed` is false (and nothing is stored) when the configuration version and the score "
    "are the same as before; `message` says so in plain words.",
    responses={
        **GATEWAY_ERRORS,
        **NOT_FOUND,
        **CONFLICT,
        **GONE,
        **BUSY,
        **ok("the new result", RescoredResult),
    },
)
def rescore(application_id: ApplicationId) -> RescoredResult:
    return applications.rescore(partner_id(router.current_event), application_id)


@router.delete(
    "/applications/<application_id>",
    summary="Erase raw uploads, derived data and the result",
    description="Erasing again purges again and answers the first erasure's `erased_at`; an application past "
    "its retention that DynamoDB has not removed yet is erased too.",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **BUSY, **ok("what was erased", ErasureReceipt)},
)
def erase(application_id: ApplicationId) -> ErasureReceipt:
    return applications.erase(partner_id(router.current_event), application_id)
