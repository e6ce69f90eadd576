"""The applicant's link: a per-application token for the applicant page, and what it allows.

A token (`credscore_aws.logic.applicant_token`) is stored only as its SHA-256 hash on the application's META item.
It allows exactly this application's applicant routes:
- upload forms (after the applicant's own consent) while the application is collecting, until the upload window
  (`UPLOAD_WINDOW_HOURS` after creation) closes;
- its status, its result in plain words and its erasure until the application expires (the retention,
  `RESULT_RETENTION_DAYS`): after that the application is gone and so is the hash.
The partner revokes it (`DELETE /applications/{id}/applicant-token`) or replaces it with a new one (`POST`, or a
replayed create): the stored hash changes, so the old token stops at the next request (the API checks the hash
on every request, whatever the authorizer cached). Erasure removes the hash with everything else.
"""

from __future__ import annotations

import time
from typing import Any

from credscore import texts
from credscore.application import Status
from credscore.result import Result
from credscore_aws.dal.repository import ApplicationErased
from credscore_aws.logic import applications
from credscore_aws.logic.applicant_token import (
    LinkRefused,
    application_of,
    hash_token,
    load,
    new_token,
    token_matches,
    view_until,
)
from credscore_aws.models.api import (
    ApplicantConsent,
    ApplicantError,
    ApplicantFeature,
    ApplicantLink,
    ApplicantReason,
    ApplicantResult,
    ApplicantSource,
    ApplicantStatus,
    ApplicantUploads,
    CreateApplication,
    DeclaredSources,
    ErasureReceipt,
    LinkRevoked,
)
from credscore_aws.models.records import ApplicationRecord, StoredConsent
from credscore_aws.runtime import logger, repository
from credscore_aws.settings import settings

__all__ = ["LinkRefused", "application_of", "hash_token", "load", "new_token", "token_matches", "view_until"]


def upload_until(application: ApplicationRecord) -> int:
    return application.created_at + settings().upload_window_hours * 3600


def page_url(token: str) -> str:
    base = settings().applicant_page_url
    # The fragment never leaves the browser: the token stays out of every server's request log.
    return f"{base}#t={token}"


def issue(application_id: str) -> ApplicantLink:
    """A new link for the application (any earlier one stops working)."""
    token = new_token(application_id)
    try:
        repository().set_applicant_token(application_id, hash_token(token))
    except ApplicationErased:
        # Erased meanwhile (e.g. under a replayed create, which answers 410 for an erased application too).
        raise applications.Erased("the application was erased: no link for it") from None
    return link(application_id, token)


def link(application_id: str, token: str) -> ApplicantLink:
    """The link for a token whose hash the application holds (issued here, or written with the application)."""
    application = repository().get(application_id)
    logger.info("applicant link issued", extra={"application_id": application_id})
    return ApplicantLink(
        applicant_url=page_url(token),
        applicant_token=token,
        upload_until=upload_until(application),
        view_until=view_until(application),
    )


def reissue(partner_id: str, application_id: str) -> ApplicantLink:
    application = applications._owned(partner_id, application_id)
    if application.status == Status.ERASED:
        raise applications.WrongStatus("the application is erased")
    try:
        return issue(application_id)
    except applications.Erased:  # erased since the read above: the same answer
        raise applications.WrongStatus("the application is erased") from None


def revoke(partner_id: str, application_id: str) -> LinkRevoked:
    applications._owned(partner_id, application_id)
    revoked = repository().revoke_applicant_token(application_id)
    logger.info("applicant link revoked", extra={"application_id": application_id, "was_active": revoked})
    return LinkRevoked(application_id=application_id, revoked=revoked)


# ---------------------------------------------------------------------------------------------------- views
def _sources(application: ApplicationRecord) -> list[ApplicantSource]:
    reports = application.source_reports
    if reports:
        return [
            ApplicantSource(
                platform=r.platform,
                status=r.status,
                status_text=texts.source_status(r.status),
                reason_code=r.reason_code,
                reason=texts.source_reason(r.reason_code) if r.status != "parsed" else None,
                warnings=r.warnings,
                warnings_text=texts.warnings_explained(r.warnings),
            )
            for r in reports
        ]
    received = {part.split("/")[0] for part in application.received}
    return [
        ApplicantSource(platform=p, status="received", status_text=texts.source_status("received"))
        for p in sorted(received)
    ]


def _stage(application: ApplicationRecord) -> str:
    status = application.status
    if status == Status.PROCESSING:
        # Ingest records the source reports when it has read the exports; the analyses and the score follow.
        return "analyses" if application.source_reports else "ingest"
    if status in {Status.SCORED, Status.FAILED, Status.ERASED}:
        return status.value
    return "collecting"


def _uploads_open(application: ApplicationRecord, now: float) -> bool:
    return application.status == Status.COLLECTING and now < upload_until(application)


def status(application: ApplicationRecord, now: float | None = None) -> ApplicantStatus:
    moment = time.time() if now is None else now
    stage = _stage(application)
    error = application.error
    return ApplicantStatus(
        application_id=application.application_id,
        status=application.status.value,
        stage=stage,  # type: ignore[arg-type]
        stage_text=texts.stage_text(stage),
        declared=application.declared,
        received=sorted(application.received),
        x_handle_requested=application.asked_for_x,
        consented=application.applicant_consent is not None,
        uploads_open=_uploads_open(application, moment),
        upload_until=upload_until(application),
        view_until=view_until(application),
        sources=_sources(application),
        error=ApplicantError(**texts.safe_error(error.code, application.asked_for_x)) if error else None,
        result_available=application.status == Status.SCORED,
    )


def upload_forms(
    application: ApplicationRecord, consent: ApplicantConsent, now: float | None = None
) -> ApplicantUploads:
    moment = time.time() if now is None else now
    application_id = application.application_id
    if application.status != Status.COLLECTING:
        raise LinkRefused("not_collecting")
    if moment >= upload_until(application):
        raise LinkRefused("upload_window_closed")
    try:
        repository().record_applicant_consent(
            application_id,
            StoredConsent(
                granted=True,
                notice_version=consent.notice_version,
                granted_at=int(moment),
                model_development=consent.model_development,
            ),
        )
    except ApplicationErased:
        # Erased since this request's token was checked: no forms (their uploads would only be deleted), and
        # the answer the next request gets (the tombstone keeps no token hash).
        raise LinkRefused("link_revoked") from None
    received = set(application.received)
    declared: dict[str, Any] = dict(
        application.declared
    )  # stored as validated at creation: not checked again
    request = CreateApplication.model_construct(sources=DeclaredSources.model_construct(**declared))
    forms = [
        f
        for f in applications._upload_forms(application_id, request)
        if f"{f.platform}/{f.part}" not in received
    ]
    return ApplicantUploads(
        application_id=application_id, uploads=forms, upload_until=upload_until(application)
    )


def result(application: ApplicationRecord) -> ApplicantResult:
    application_id = application.application_id
    if application.status != Status.SCORED:
        raise applications.WrongStatus(f"no result: the application is {application.status.value}")
    stored = repository().get_doc(application_id, "RESULT")
    if stored is None:
        missing = applications._missing_document(application_id, "erased", "no result stored")
        # Erased since this request's token was checked: what the next request is told (no token hash kept).
        raise LinkRefused("link_revoked") if isinstance(missing, applications.Erased) else missing
    scored = Result.read(stored)
    features = [
        ApplicantFeature(
            feature=row.feature,
            label=texts.feature_label(row.feature),
            about=texts.feature_about(row.feature),
            points=row.points if row.has_evidence else None,
            max_points=row.weight or 0.0,
            has_evidence=row.has_evidence,
            evidence=row.evidence,
        )
        for row in scored.shown_features()
    ]
    reasons = [
        ApplicantReason(
            code=r.code,
            feature=r.feature or "",
            text=texts.reason_text(r.code, r.text),
            points_below_reference=r.points_below_reference,
        )
        for r in scored.reasons
    ]
    score_status = scored.status or "scored"
    no_score = None
    if score_status == "ineligible":
        no_score = (scored.eligibility and scored.eligibility.reason) or (
            "You are outside the eligibility rules for a score."
        )
    elif score_status == "insufficient_evidence":
        no_score = "Too little of the information a score needs was found in your exports."
    return ApplicantResult(
        application_id=application_id,
        status=score_status,
        score=scored.normalised_score,
        score_range={
            k: v
            for k, v in (scored.normalised_range.model_dump() if scored.normalised_range else {}).items()
            if v is not None
        },
        no_score_reason=no_score,
        coverage=(scored.coverage.ratio if scored.coverage else None) or 0.0,
        analysed=analysed_in_plain_words(scored),
        sources=_sources(application),
        features=features,
        reasons=reasons,
        view_until=view_until(application),
    )


def analysed_in_plain_words(scored: Result) -> list[str]:
    """What the text, name and image analyses read, could not read and cannot see, one sentence each, and each
    analysis that failed: it was left out of the score, neither for nor against the applicant."""
    said = scored.analysis_coverage.summaries() if scored.analysis_coverage else []
    said += [
        f"The {failure.analysis} analysis could not run; it was left out of your score, neither for nor against you."
        for failure in scored.analysis_failures
    ]
    return said


def erase(application: ApplicationRecord) -> ErasureReceipt:
    """The applicant's own erasure: the same erasure as the partner's DELETE."""
    application_id = application.application_id
    logger.info("erasure requested by the applicant", extra={"application_id": application_id})
    return applications.erase(application.partner_id, application_id)


def submit(application: ApplicationRecord) -> ApplicantStatus:
    """The applicant scores now with what has arrived (the partner's submit: the rest is reported absent)."""
    application_id = application.application_id
    applications.submit(application.partner_id, application_id)
    logger.info("submitted by the applicant", extra={"application_id": application_id})
    return status(repository().get(application_id))
