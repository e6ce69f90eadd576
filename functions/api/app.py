"""Partner API: applications, presigned uploads, status, results, rescoring and erasure.

Thin: routing, validation and HTTP mapping live here (powertools event handler, OpenAPI from the models in
`credscore_aws.api_models`); the work is in `credscore_aws.applications`.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws import applications
from credscore_aws.api_models import (
    ApplicationList,
    ApplicationView,
    CreateApplication,
    CreatedApplication,
    ErasureReceipt,
    ErrorBody,
    ScoreResultView,
)
from credscore_aws.runtime import logger, metrics, tracer

app = APIGatewayHttpResolver(enable_validation=True)
app.enable_swagger(path="/docs", title="credscore partner API", version="1.0.0")

ApplicationId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="application id")]
NOT_FOUND: dict[int | str, Any] = {404: {"description": "no such application for this partner", "content": {
    "application/json": {"model": ErrorBody}}}}
CONFLICT: dict[int | str, Any] = {409: {"description": "not possible in the application's current status",
                                        "content": {"application/json": {"model": ErrorBody}}}}


def _partner_id() -> str:
    context = app.current_event.request_context.authorizer
    partner = (context.get_lambda or {}).get("partner_id") if context else None
    if not partner:
        # The authorizer guarantees this in AWS; refusing here keeps a misconfigured route from leaking data.
        raise NotFoundError("unknown partner")
    return str(partner)


def _error(status: int, code: str, message: str) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body={"error": code, "message": message})


@app.exception_handler(applications.ApplicationNotFound)
def _not_found(exc: applications.ApplicationNotFound) -> Response[Any]:
    return _error(404, "not_found", "no such application for this partner")


@app.exception_handler(applications.WrongStatus)
def _wrong_status(exc: applications.WrongStatus) -> Response[Any]:
    return _error(409, "wrong_status", str(exc))


@app.exception_handler(applications.BadRequest)
def _bad_request(exc: applications.BadRequest) -> Response[Any]:
    return _error(400, "bad_request", str(exc))


@app.post(
    "/applications",
    summary="Create an application and get presigned upload forms",
    responses={201: {"description": "created", "content": {"application/json": {"model": CreatedApplication}}},
               400: {"description": "bad request", "content": {"application/json": {"model": ErrorBody}}}},
)
def create_application(
    body: CreateApplication,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> Response[CreatedApplication]:
    created = applications.create(_partner_id(), body, idempotency_key)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created.model_dump())


@app.get("/applications", summary="List this partner's applications, newest first")
def list_applications() -> ApplicationList:
    return applications.list_for_partner(_partner_id())


@app.get("/applications/<application_id>", summary="Status of an application", responses=NOT_FOUND)
def get_application(application_id: ApplicationId) -> ApplicationView:
    return applications.view(_partner_id(), application_id)


@app.get("/applications/<application_id>/result", summary="The score, its breakdown and reasons",
         responses={**NOT_FOUND, **CONFLICT})
def get_result(application_id: ApplicationId) -> ScoreResultView:
    return applications.result(_partner_id(), application_id)


@app.post("/applications/<application_id>/submit", summary="Score now with the sources that have arrived",
          responses={**NOT_FOUND, **CONFLICT})
def submit(application_id: ApplicationId) -> ApplicationView:
    return applications.submit(_partner_id(), application_id)


@app.post("/applications/<application_id>/rescore",
          summary="Score the kept features again under the current scoring configuration",
          responses={**NOT_FOUND, **CONFLICT})
def rescore(application_id: ApplicationId) -> ScoreResultView:
    return applications.rescore(_partner_id(), application_id)


@app.delete("/applications/<application_id>", summary="Erase raw uploads, derived data and the result",
            responses=NOT_FOUND)
def erase(application_id: ApplicationId) -> ErasureReceipt:
    return applications.erase(_partner_id(), application_id)


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    applications.register_lambda_context(context)
    return app.resolve(event, context)
