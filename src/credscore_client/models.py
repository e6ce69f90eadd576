"""What the API answers, as typed models. Unknown fields are kept (`extra="allow"`), so a client older than the
API still reads newer answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class UploadForm(_Answer):
    platform: str
    part: int
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_at: int


class CreatedApplication(_Answer):
    application_id: str
    status: str
    uploads: list[UploadForm]


class SourceState(_Answer):
    platform: str
    status: str
    reason_code: str | None = None
    reason: str | None = None
    warnings: int = 0


class Application(_Answer):
    application_id: str
    status: str
    reference: str | None = None
    created_at: int
    updated_at: int
    declared: dict[str, int] = {}
    received: list[str] = []
    sources: list[SourceState] = []
    error: dict[str, str] | None = None
    result_available: bool = False

    @property
    def finished(self) -> bool:
        return self.status in ("scored", "failed", "erased")


class ApplicationSummary(_Answer):
    application_id: str
    status: str
    created_at: int


class ApplicationList(_Answer):
    applications: list[ApplicationSummary]
    next_token: str | None = None


class ScoreResult(_Answer):
    """`result` is the score document described in docs/scoring.md (breakdown, reasons, coverage, ...)."""

    application_id: str
    status: str
    result: dict[str, Any]

    @property
    def normalised_score(self) -> float | None:
        value = self.result.get("normalised_score")
        return None if value is None else float(value)


class ErasureReceipt(_Answer):
    application_id: str
    status: Literal["erased"]
    objects_deleted: int
    records_deleted: int
    erased_at: int


class Webhook(_Answer):
    url: str
    state: str
    created_at: int
    updated_at: int
    secret_rotated_at: int | None = None
    previous_secret_valid_until: int | None = None


class WebhookWithSecret(Webhook):
    secret: str | None = None


class WebhookDelivery(_Answer):
    event_id: str
    type: str
    application_id: str
    created_at: int
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    state: Literal["pending", "retrying", "delivered", "parked", "dropped"]
    last_attempt_at: int | None = None


class WebhookDeliveries(_Answer):
    deliveries: list[WebhookDelivery]


class WebhookEvent(_Answer):
    """The body of a webhook POST: ids and the new status only; fetch the result with your key."""

    id: str
    type: Literal["application.scored", "application.failed", "application.erased"]
    application_id: str
    reference: str | None = None
    status: Literal["scored", "failed", "erased"]
    occurred_at: int


class Outcome(_Answer):
    application_id: str
    outcome: Literal["good", "bad", "indeterminate"]
    observed_at: str
    reported_at: int
    revision: int
    changes: list[dict[str, Any]] = []


class ApplicantLink(_Answer):
    applicant_url: str
    applicant_token: str
    upload_until: int
    view_until: int


class LinkRevoked(_Answer):
    application_id: str
    revoked: bool


class ApplicantStatus(_Answer):
    application_id: str
    status: str
    stage: str
    stage_text: str
    uploads_open: bool
    upload_until: int
    view_until: int
    result_available: bool = False


class ApplicantUploads(_Answer):
    application_id: str
    uploads: list[UploadForm]
    upload_until: int


class ApplicantResult(_Answer):
    application_id: str
    status: str
    score: float | None
    reasons: list[dict[str, Any]]
    features: list[dict[str, Any]]
    view_until: int
