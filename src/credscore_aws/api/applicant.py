"""The applicant link: the partner issues and revokes it; the applicant sees status and result, consents,
uploads, submits and erases (routes under /applicant/, allowed only with the link's token)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from credscore import texts
from credscore_aws.api.common import (
    BUSY,
    CONFLICT,
    GATEWAY_ERRORS,
    NOT_FOUND,
    UNSUPPORTED_BODY,
    ApplicationId,
    Forbidden,
    authorized,
    error,
    ok,
    partner_id,
)
from credscore_aws.logic import applicant
from credscore_aws.models.api import (
    APPLICANT_SECURITY,
    ApplicantConsent,
    ApplicantLink,
    ApplicantResult,
    ApplicantStatus,
    ApplicantUploads,
    ErasureReceipt,
    ErrorBody,
    LinkRevoked,
)
from credscore_aws.models.records import ApplicationRecord

router = APIGatewayHttpRouter()

FORBIDDEN: dict[int, OpenAPIResponse] = {
    403: {
        "description": "the link is revoked or expired, or not valid for this operation (`error` says which)",
        "content": {"application/json": {"model": ErrorBody}},
    }
}


@router.exception_handler(applicant.LinkRefused)
def _link_refused(exc: applicant.LinkRefused) -> Response[Any]:
    return error(403, exc.code, texts.error_message(exc.code))


def _applicant_application() -> ApplicationRecord:
    """The application of the calling applicant link, its token checked again against the stored hash."""
    context = authorized(router.current_event)
    if context.get("role") != "applicant" or not context.get("application_id"):
        raise Forbidden("an applicant link is needed for this operation")
    return applicant.load(str(context["application_id"]), str(context.get("token_hash") or ""))


@router.post(
    "/applications/<application_id>/applicant-token",
    summary="Issue a new applicant link (the earlier one stops working)",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **CONFLICT, **BUSY, **ok("the new link", ApplicantLink)},
)
def reissue_link(application_id: ApplicationId) -> ApplicantLink:
    return applicant.reissue(partner_id(router.current_event), application_id)


@router.delete(
    "/applications/<application_id>/applicant-token",
    summary="Revoke the applicant link",
    responses={**GATEWAY_ERRORS, **NOT_FOUND, **BUSY, **ok("revoked", LinkRevoked)},
)
def revoke_link(application_id: ApplicationId) -> LinkRevoked:
    return applicant.revoke(partner_id(router.current_event), application_id)


@router.get(
    "/applicant/application",
    summary="Applicant: status and stage of the link's application",
    security=APPLICANT_SECURITY,
    responses={**GATEWAY_ERRORS, **FORBIDDEN, **ok("status and stage", ApplicantStatus)},
)
def applicant_status() -> ApplicantStatus:
    return applicant.status(_applicant_application())


@router.post(
    "/applicant/uploads",
    summary="Applicant: record consent and get upload forms for the parts not yet received",
    security=APPLICANT_SECURITY,
    responses={
        **GATEWAY_ERRORS,
        **UNSUPPORTED_BODY,
        **FORBIDDEN,
        **BUSY,
        **ok("upload forms", ApplicantUploads),
    },
)
def applicant_uploads(body: ApplicantConsent) -> ApplicantUploads:
    return applicant.upload_forms(_applicant_application(), body)


@router.post(
    "/applicant/submit",
    summary="Applicant: score now with the exports uploaded so far (the others are reported absent)",
    security=APPLICANT_SECURITY,
    responses={**GATEWAY_ERRORS, **FORBIDDEN, **CONFLICT, **ok("submitted", ApplicantStatus)},
)
def applicant_submit() -> ApplicantStatus:
    return applicant.submit(_applicant_application())


@router.get(
    "/applicant/result",
    summary="Applicant: the data used and the reasons, in plain words",
    security=APPLICANT_SECURITY,
    responses={**GATEWAY_ERRORS, **FORBIDDEN, **CONFLICT, **ok("the result in plain words", ApplicantResult)},
)
def applicant_result() -> ApplicantResult:
    return applicant.result(_applicant_application())


@router.delete(
    "/applicant/application",
    summary="Applicant: erase my data (the same erasure as the partner's DELETE)",
    security=APPLICANT_SECURITY,
    responses={**GATEWAY_ERRORS, **FORBIDDEN, **BUSY, **ok("the erasure receipt", ErasureReceipt)},
)
def applicant_erase() -> ErasureReceipt:
    return applicant.erase(_applicant_application())
