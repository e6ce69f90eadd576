"""What the partner API does, behind the HTTP layer: one function per operation, all partner-scoped."""

from __future__ import annotations

import hashlib
import time
from functools import cache
from typing import Any, cast

import boto3
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from botocore.config import Config

from credscore.application import (
    Status,
    new_application_id,
    upload_key,
    upload_prefix,
)
from credscore.profile import Platform
from credscore_aws.dal.repository import ApplicationErased, Conflict, NotFound
from credscore_aws.dal.storage import list_keys
from credscore_aws.logic import outcomes, scoring
from credscore_aws.logic.applicant_token import hash_token, new_token
from credscore_aws.logic.erasure import purge_objects
from credscore_aws.models.api import (
    ApplicationList,
    ApplicationListItem,
    ApplicationSummary,
    ApplicationView,
    CreateApplication,
    CreatedApplication,
    ErasureReceipt,
    FilteredApplicationList,
    OutcomeRecord,
    OutcomeReport,
    RescoredResult,
    ScoreResultView,
    SourceState,
    UploadForm,
    UploadPlatform,
)
from credscore_aws.models.records import ApplicationRecord, NewApplication, StoredConsent
from credscore_aws.models.states import CloseStaleOutput, SubmitRequested
from credscore_aws.runtime import logger, repository
from credscore_aws.settings import settings


class ApplicationNotFound(Exception):
    pass


class WrongStatus(Exception):
    pass


class Erased(Exception):
    """The application was erased: its result and data are gone for good (HTTP 410)."""


class IdempotencyKeyReused(Exception):
    """The same Idempotency-Key came with a different request body."""


@cache
def _idempotency() -> tuple[DynamoDBPersistenceLayer, IdempotencyConfig]:
    return (
        DynamoDBPersistenceLayer(table_name=settings().idempotency_table_name),
        IdempotencyConfig(
            event_key_jmespath="[partner_id, key]",
            expires_after_seconds=24 * 3600,
            raise_on_no_idempotency_key=True,
        ),
    )


def register_lambda_context(context: Any) -> None:
    _idempotency()[1].register_lambda_context(context)


@cache
def _presigning_s3() -> Any:
    # SigV4 is required for KMS-encrypted buckets and for custom endpoints (the local stack).
    return boto3.client("s3", config=Config(signature_version="s3v4"))


def _owned(partner_id: str, application_id: str, include_expired: bool = False) -> ApplicationRecord:
    """The application if it belongs to this partner; otherwise 'not found' (never 'forbidden', which leaks).
    An expired one is found only with `include_expired` (see `ApplicationRepository.get`)."""
    try:
        application = repository().get(application_id, include_expired=include_expired)
    except NotFound:
        raise ApplicationNotFound(application_id) from None
    if application.partner_id != partner_id:
        raise ApplicationNotFound(application_id)
    return application


def _owned_scored(partner_id: str, application_id: str, erased: str, not_scored: str) -> ApplicationRecord:
    """The partner's application, which must be scored: `Erased(erased)` once it was erased, and
    `WrongStatus("<not_scored>: the application is <status>")` in any other status."""
    application = _owned(partner_id, application_id)
    if application.status == Status.ERASED:
        raise Erased(erased)
    if application.status != Status.SCORED:
        raise WrongStatus(f"{not_scored}: the application is {application.status.value}")
    return application


def _missing_document(application_id: str, erased: str, missing: str) -> Exception:
    """What to raise when a scored application's document is not found: `Erased(erased)` when an erasure purged
    it since the status was read (the answer every later read gets), else `WrongStatus(missing)`."""
    try:
        status = repository().get(application_id).status
    except NotFound:
        return ApplicationNotFound(application_id)
    return Erased(erased) if status == Status.ERASED else WrongStatus(missing)


# ---------------------------------------------------------------------------------------------------- create
def create(
    partner_id: str, request: CreateApplication, idempotency_key: str | None
) -> tuple[CreatedApplication, str | None]:
    """The application, and its applicant link's token when this call created it (its hash was written with the
    application); None for a replayed Idempotency-Key, whose answer needs a new link (the token is not kept)."""
    issued: list[str] = []
    if idempotency_key is None:
        return CreatedApplication.model_validate(_create(partner_id, request, issued)), issued[0]
    persistence, config = _idempotency()
    # The key is scoped to the partner and bound to the body: the same key with another body is refused.
    body_hash = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    created = _create_once(
        data={
            "partner_id": partner_id,
            "key": idempotency_key,
            "body": body_hash,
            "request": request.model_dump(mode="json"),
        },
        persistence=persistence,
        config=config,
        issued=issued,
    )
    if created.get("_body") != body_hash:
        raise IdempotencyKeyReused("Idempotency-Key was already used with a different request body")
    # A replay answers for the application as it is now: erased stays erased (no new forms or link for it),
    # and forms only while it still takes uploads (fresh ones: presigned forms expire).
    application = _owned(partner_id, created["application_id"])
    if application.status == Status.ERASED:
        raise Erased("the application this Idempotency-Key created was erased")
    collecting = application.status == Status.COLLECTING
    answer = CreatedApplication.model_validate(
        {
            **created,
            "status": application.status.value,
            "uploads": _upload_forms(created["application_id"], request) if collecting else [],
        }
    )
    return answer, issued[0] if issued else None


def _create_once(
    data: dict[str, Any],
    persistence: DynamoDBPersistenceLayer,
    config: IdempotencyConfig,
    issued: list[str],
) -> dict[str, Any]:
    @idempotent_function(data_keyword_argument="data", persistence_store=persistence, config=config)
    def run(data: dict[str, Any]) -> dict[str, Any]:
        # The token goes to `issued`, never into what the idempotency table keeps for replays.
        result = _create(data["partner_id"], CreateApplication.model_validate(data["request"]), issued)
        return {**result, "_body": data["body"]}

    return run(data=data)


def _create(partner_id: str, request: CreateApplication, issued: list[str]) -> dict[str, Any]:
    """Create the application with its applicant link's token hash; the token is appended to `issued`."""
    application_id = new_application_id()
    retention_days = settings().result_retention_days
    token = new_token(application_id)
    repository().create(
        NewApplication(
            application_id=application_id,
            partner_id=partner_id,
            reference=request.reference,
            declared=request.sources.parts(),
            x_handle=request.x_handle.lstrip("@") if request.x_handle else None,
            consent=StoredConsent.model_validate(request.consent.model_dump()),
            expires_at=int(time.time()) + retention_days * 86400,
            applicant_token_hash=hash_token(token),
        )
    )
    issued.append(token)
    logger.info(
        "application created",
        extra={"application_id": application_id, "sources": sorted(request.sources.parts())},
    )
    if not request.sources.parts():
        _start_execution(application_id, "x_handle_only")
    return {
        "application_id": application_id,
        "status": Status.COLLECTING.value if request.sources.parts() else Status.PROCESSING.value,
        "uploads": [f.model_dump() for f in _upload_forms(application_id, request)],
    }


def _upload_forms(application_id: str, request: CreateApplication) -> list[UploadForm]:
    max_bytes = settings().max_upload_bytes
    expiry = settings().upload_url_expiry_seconds
    forms = []
    for platform, parts in request.sources.parts().items():
        for part in range(1, parts + 1):
            key = upload_key(application_id, Platform(platform), part)
            post = _presigning_s3().generate_presigned_post(
                Bucket=settings().bucket_name,
                Key=key,
                Fields={"Content-Type": "application/zip"},
                Conditions=[
                    ["content-length-range", 1, max_bytes],
                    {"Content-Type": "application/zip"},
                    ["starts-with", "$key", upload_prefix(application_id)],
                ],
                ExpiresIn=expiry,
            )
            forms.append(
                UploadForm(
                    platform=cast(UploadPlatform, platform),
                    part=part,
                    url=post["url"],
                    fields=post["fields"],
                    max_bytes=max_bytes,
                    expires_at=int(time.time()) + expiry,
                )
            )
    return forms


def _start_execution(application_id: str, reason: str) -> None:
    boto3.client("stepfunctions").start_execution(
        stateMachineArn=settings().state_machine_arn,
        name=f"{application_id}-{reason}-{int(time.time())}",
        input=SubmitRequested(action="submit", application_id=application_id).model_dump_json(),
    )


NO_UPLOAD = "no_upload"


def close_stale(window_hours: int, now: float | None = None) -> CloseStaleOutput:
    """Applications still collecting once their upload window has passed: one with any upload or an X handle is
    scored with what arrived (as the partner's submit would do; the missing sources are reported absent), one with
    neither is closed as failed with the reason, so no application waits for ever."""
    cutoff = int((time.time() if now is None else now) - window_hours * 3600)
    submitted = closed = 0
    for application in repository().stale_collecting(cutoff):
        application_id = application.application_id
        if (
            application.received
            or list_keys(settings().bucket_name, upload_prefix(application_id))
            or _gave_x_handle(application_id)
        ):
            _start_execution(application_id, "window-closed")
            submitted += 1
        elif repository().close_unused(
            application_id, NO_UPLOAD, f"no export arrived within {window_hours} hours of the application"
        ):
            closed += 1
    return CloseStaleOutput(submitted=submitted, closed=closed)


def _gave_x_handle(application_id: str) -> bool:
    """Whether the partner gave an X handle: the collecting index does not hold it, so the record is read (only
    for an application nothing was uploaded for)."""
    try:
        return repository().get(application_id).asked_for_x
    except NotFound:
        return False


# ---------------------------------------------------------------------------------------------------- read
def view(partner_id: str, application_id: str) -> ApplicationView:
    application = _owned(partner_id, application_id)
    return ApplicationView(
        application_id=application_id,
        status=application.status.value,
        reference=application.reference,
        created_at=application.created_at,
        updated_at=application.updated_at,
        declared=application.declared,
        received=sorted(application.received),
        x_handle_requested=application.asked_for_x,
        sources=[SourceState.model_validate(s.model_dump()) for s in application.source_reports],
        error=application.error.model_dump() if application.error else None,
        result_available=application.status == Status.SCORED,
    )


def list_for_partner(partner_id: str, limit: int = 50, next_token: str | None = None) -> ApplicationList:
    """A page of the partner's applications, newest first. `next_token` is "<created, 12 digits>.<id>" of the
    last application on the previous page (the API's schema checks the form)."""
    after = next_token.replace(".", "#", 1) if next_token else None
    items, last = repository().list_for_partner(partner_id, limit, after)
    return ApplicationList(
        applications=[
            ApplicationSummary(
                application_id=i.application_id, status=i.status.value, created_at=i.created_at
            )
            for i in items
        ],
        next_token=last.replace("#", ".", 1) if last else None,
    )


def result(partner_id: str, application_id: str) -> ScoreResultView:
    application = _owned_scored(
        partner_id, application_id, "the application was erased: its result is gone", "no result"
    )
    stored = repository().get_doc(application_id, "RESULT")
    if stored is None:
        raise _missing_document(
            application_id, "the application was erased: its result is gone", "no result stored"
        )
    return ScoreResultView(application_id=application_id, status=application.status.value, result=stored)


# ---------------------------------------------------------------------------------------------------- actions
def submit(partner_id: str, application_id: str) -> ApplicationView:
    application = _owned(partner_id, application_id)
    if application.status != Status.COLLECTING:
        raise WrongStatus(f"cannot submit: the application is {application.status.value}")
    uploaded = application.received or list_keys(settings().bucket_name, upload_prefix(application_id))
    if not uploaded and not application.x_handle:
        raise WrongStatus("cannot submit: nothing has been uploaded yet")
    _start_execution(application_id, "submit")
    return view(partner_id, application_id)


def rescore(partner_id: str, application_id: str) -> RescoredResult:
    """Score the kept features again, saying whether anything changed: the same configuration version and the
    same score are 'nothing changed' (and nothing is stored, so the result keeps its history)."""
    _owned_scored(
        partner_id, application_id, "the application was erased: nothing is left to rescore", "cannot rescore"
    )
    features = repository().get_doc(application_id, "FEATURES")
    previous = repository().get_doc(application_id, "RESULT") or {}
    if features is None:
        raise _missing_document(
            application_id,
            "the application was erased: nothing is left to rescore",
            "no kept features to rescore",
        )
    new_result = scoring.rescore(application_id, features, previous)
    # Nothing changed: the same stored configuration version, read without falling back, and the same score.
    unchanged = (
        new_result.get("config_parameter_version") == previous.get("config_parameter_version")
        and not new_result.get("config_fallback_used")
        and new_result.get("normalised_score") == previous.get("normalised_score")
        and new_result.get("total_points") == previous.get("total_points")
    )
    if unchanged:
        return RescoredResult(
            application_id=application_id,
            status=Status.SCORED.value,
            result=previous,
            changed=False,
            message=f"Nothing changed: configuration {previous.get('config_version')} gives the same score.",
        )
    try:
        repository().save_rescored(application_id, new_result, features)
    except ApplicationErased:
        raise Erased("the application was erased while it was rescored") from None
    except Conflict as exc:
        raise WrongStatus(f"cannot rescore: {exc}") from None
    return RescoredResult(
        application_id=application_id,
        status=Status.SCORED.value,
        result=new_result,
        changed=True,
        message=f"Rescored with configuration {new_result.get('config_version')} "
        f"(parameter version {new_result.get('config_parameter_version')}).",
    )


def erase(partner_id: str, application_id: str) -> ErasureReceipt:
    # An expired application that DynamoDB's TTL has not removed yet is erased like any other.
    application = _owned(partner_id, application_id, include_expired=True)
    # The tombstone first, then the objects: a pipeline writer that asks after the tombstone sees ERASED and
    # deletes what it wrote; one that asked before wrote before this listing (see credscore_aws.logic.erasure).
    try:
        erasure = repository().erase(application_id, partner_id, application.created_at)
    except NotFound:
        raise ApplicationNotFound(application_id) from None
    objects = purge_objects(application_id)
    logger.info(
        "application erased",
        extra={
            "application_id": application_id,
            "objects_deleted": objects,
            "records_deleted": erasure.records_deleted,
        },
    )
    return ErasureReceipt(
        application_id=application_id,
        status="erased",
        objects_deleted=objects,
        records_deleted=erasure.records_deleted,
        erased_at=erasure.erased_at,
    )


# ---------------------------------------------------------------------------------------------------- outcomes
def report_outcome(partner_id: str, application_id: str, report: OutcomeReport) -> OutcomeRecord:
    """Record the repayment outcome of the partner's own scored application (see `credscore_aws.logic.outcomes`)."""
    application = _owned(partner_id, application_id)
    try:
        stored = outcomes.put_outcome(repository().table, application, report.outcome, report.observed_at)
    except outcomes.NotScored as exc:
        raise WrongStatus(str(exc)) from None
    logger.info("outcome recorded", extra={"application_id": application_id, "revision": stored["revision"]})
    return OutcomeRecord.model_validate(stored)


def outcome(partner_id: str, application_id: str) -> OutcomeRecord:
    _owned(partner_id, application_id)
    stored = outcomes.get_outcome(repository().table, application_id)
    if stored is None:
        raise outcomes.NoOutcome(application_id)
    return OutcomeRecord.model_validate(stored)


# ---------------------------------------------------------------------------------------------------- partner list
def list_filtered(
    partner_id: str,
    limit: int = 50,
    next_token: str | None = None,
    status: str | None = None,
    reference: str | None = None,
) -> FilteredApplicationList:
    """A page of the partner's applications (newest first) with reference, score, status and update time,
    optionally only those with `status` and/or a reference containing `reference`."""
    after = next_token.replace(".", "#", 1) if next_token else None
    items, last = repository().search_for_partner(partner_id, limit, after, status, reference)
    return FilteredApplicationList(
        applications=[
            ApplicationListItem(
                application_id=i.application_id,
                status=i.status.value,
                created_at=i.created_at,
                updated_at=i.updated_at,
                reference=i.reference,
                score=i.score,
            )
            for i in items
        ],
        next_token=last.replace("#", ".", 1) if last else None,
    )
