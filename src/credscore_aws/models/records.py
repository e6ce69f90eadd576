"""What the applications table holds, as typed records (see `credscore_aws.dal.repository` for the key layout).

The repository returns these instead of DynamoDB items, so no caller reads `item.get("declared") or {}`: a
record has its defaults, its types (DynamoDB's Decimals become int/float) and nothing else. Records are frozen:
a change is a conditional write through the repository, never an edit of what was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from credscore.application import Status


class _Record(BaseModel):
    # Items carry key attributes (pk, sk, gsi*) and may gain attributes a reader does not need: ignored.
    model_config = ConfigDict(frozen=True, extra="ignore")


class StoredConsent(_Record):
    """A consent as stored: the partner's at creation (with its purpose) or the applicant's on their page."""

    granted: bool
    notice_version: str
    granted_at: int
    purpose: str | None = None
    model_development: bool = False


class SourceReport(_Record):
    """Ingest's account of one declared source."""

    platform: str
    status: str
    reason_code: str | None = None
    reason: str | None = None
    warnings: int = 0


class ApplicationError(_Record):
    code: str
    message: str


class NewApplication(_Record):
    """What the API knows when it creates an application; the repository adds status, times and index keys."""

    application_id: str
    partner_id: str
    declared: dict[str, int] = Field(default_factory=dict)
    reference: str | None = None
    x_handle: str | None = None
    consent: StoredConsent | None = None
    expires_at: int | None = None
    # The applicant link's token hash, written with the application: the answer that hands out the link makes no
    # second write that could fail after the application exists.
    applicant_token_hash: str | None = None

    def item_attributes(self) -> dict[str, Any]:
        """The attributes this puts on the META item (optional ones only when given); with a handle, the flag
        that outlives it (see `ApplicationRecord.x_handle_requested`)."""
        attributes = self.model_dump(exclude_unset=True)
        if self.x_handle:
            attributes["x_handle_requested"] = True
        return attributes


class ApplicationRecord(_Record):
    """The application's META item (APP#<id> / META); an erased one is a tombstone with only the key fields."""

    application_id: str
    partner_id: str
    status: Status
    created_at: int
    updated_at: int
    reference: str | None = None
    declared: dict[str, int] = Field(default_factory=dict)
    received: list[str] = Field(default_factory=list)
    received_writes: list[str] = Field(default_factory=list)  # "<part>@<write id>": which upload each was
    # The handle is kept only while the pipeline may still fetch it: the final status write removes it and
    # `x_handle_requested` (set at creation) says afterwards that one was given.
    x_handle: str | None = None
    x_handle_requested: bool = False
    consent: StoredConsent | None = None
    applicant_consent: StoredConsent | None = None
    source_reports: list[SourceReport] = Field(default_factory=list)
    archive_hashes: dict[str, list[str]] = Field(default_factory=dict)  # per platform, one per part
    error: ApplicationError | None = None
    score: float | None = None  # what the partner's list shows (see `score_fields`)
    claimed_by: str | None = None  # the pipeline execution that claimed it (its ARN)
    expires_at: int | None = None
    erased_at: int | None = None
    applicant_token_hash: str | None = None

    @property
    def asked_for_x(self) -> bool:
        """Whether the partner gave an X handle (records created before `x_handle_requested` carry the handle)."""
        return self.x_handle_requested or self.x_handle is not None

    def model_development_consented(self) -> bool:
        """Given by the partner at creation or by the applicant on their page: either way separate, optional."""
        return any(c is not None and c.model_development for c in (self.consent, self.applicant_consent))


class PartnerListEntry(_Record):
    """An application as the `by-partner` index projects it (template.yaml: the partner's list)."""

    application_id: str
    status: Status
    created_at: int
    gsi1sk: str  # "<created, 12 digits>#<id>": a position in the partner's list
    updated_at: int | None = None
    reference: str | None = None
    score: float | None = None
    expires_at: int | None = None


class CollectingEntry(_Record):
    """An application still collecting, as the sparse `collecting` index projects it."""

    application_id: str
    declared: dict[str, int] = Field(default_factory=dict)
    received: list[str] = Field(default_factory=list)


class AuditEntry(_Record):
    """APP#<id> / AUDIT#<ts>#<event>: what happened when (no personal data)."""

    event: str
    at: int
    details: dict[str, str] = Field(default_factory=dict)
    expires_at: int | None = Field(default=None, description="Unix seconds: DynamoDB's TTL deletes it then")

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> AuditEntry:
        details = {k: str(v) for k, v in item.items() if k not in {"pk", "sk", "event", "at", "expires_at"}}
        expires = item.get("expires_at")
        return cls(
            event=item["event"],
            at=item["at"],
            details=details,
            expires_at=int(expires) if expires is not None else None,
        )


@dataclass(frozen=True)
class WebhookRegistration:
    """WEBHOOK#<partner> / META without its secrets (those never leave the store but to sign)."""

    url: str
    state: str
    created_at: int
    updated_at: int
    secret_rotated_at: int | None
    previous_secret_valid_until: int | None


class WebhookDeliveryRecord(_Record):
    """WEBHOOK#<partner> / DELIVERY#<event id>: one event's delivery (no body is kept)."""

    event_id: str
    type: Literal["application.scored", "application.failed", "application.erased"]
    application_id: str
    created_at: int
    attempts: int
    state: Literal["pending", "retrying", "delivered", "parked", "dropped"]
    last_status_code: int | None = None
    last_error: str | None = None
    last_attempt_at: int | None = None
    expires_at: int | None = None
