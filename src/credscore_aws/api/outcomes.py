"""Partner routes: report and read the repayment outcome of a scored application."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from credscore_aws.api.common import (
    CONFLICT,
    GATEWAY_ERRORS,
    NOT_FOUND,
    UNSUPPORTED_BODY,
    ApplicationId,
    answers,
    ok,
    partner_id,
)
from credscore_aws.logic import applications, outcomes
from credscore_aws.models.api import ErrorBody, OutcomeRecord, OutcomeReport

router = APIGatewayHttpRouter()


answers(router, outcomes.NoOutcome, 404, "no_outcome", "no outcome has been reported for this application")
answers(router, outcomes.InvalidOutcome, 409, "implausible_observed_at")


@router.put(
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
    return applications.report_outcome(partner_id(router.current_event), application_id, body)


@router.get(
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
    return applications.outcome(partner_id(router.current_event), application_id)
