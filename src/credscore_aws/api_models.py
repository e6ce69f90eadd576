"""Request and response models of the partner API (the OpenAPI document is generated from these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from credscore.application import MAX_PARTS_PER_SOURCE
from credscore.profile import Platform

UploadPlatform = Literal["facebook", "linkedin", "instagram", "x"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Consent(_Strict):
    """The applicant's consent as the partner recorded it (DPDP/RBI: specific, informed, auditable)."""

    granted: Literal[True] = Field(description="must be true: nothing is collected without consent")
    purpose: str = Field(min_length=3, max_length=200, description="the specific purpose consented to")
    notice_version: str = Field(min_length=1, max_length=50, description="version of the notice shown")
    granted_at: int = Field(ge=0, description="Unix seconds when the applicant consented")


class DeclaredSource(_Strict):
    platform: UploadPlatform
    parts: int = Field(default=1, ge=1, le=MAX_PARTS_PER_SOURCE, description="zip files for this platform")


class CreateApplication(_Strict):
    consent: Consent
    sources: list[DeclaredSource] = Field(default_factory=list, max_length=4)
    x_handle: str | None = Field(default=None, pattern=r"^@?[A-Za-z0-9_]{1,15}$",
                                 description="fetch this X account through the X API instead of an archive")
    reference: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9._-]*$",
                                  description="the partner's own reference (no personal data)")

    @field_validator("sources")
    @classmethod
    def _one_entry_per_platform(cls, sources: list[DeclaredSource]) -> list[DeclaredSource]:
        platforms = [s.platform for s in sources]
        if len(set(platforms)) != len(platforms):
            raise ValueError("each platform may be declared once (use parts for multi-part exports)")
        return sources

    @model_validator(mode="after")
    def _something_to_score(self) -> CreateApplication:
        if not self.sources and not self.x_handle:
            raise ValueError("declare at least one source or an x_handle")
        if self.x_handle and any(s.platform == Platform.X.value for s in self.sources):
            raise ValueError("give either an X archive or an x_handle, not both")
        return self


class UploadForm(BaseModel):
    platform: UploadPlatform
    part: int
    url: str = Field(description="POST a multipart/form-data form here")
    fields: dict[str, str] = Field(description="form fields to send before the file field")
    max_bytes: int
    expires_at: int


class CreatedApplication(BaseModel):
    application_id: str
    status: str
    uploads: list[UploadForm]


class SourceState(BaseModel):
    platform: str
    status: str
    reason_code: str | None = None
    reason: str | None = None
    warnings: int = 0


class ApplicationView(BaseModel):
    application_id: str
    status: str
    reference: str | None = None
    created_at: int
    updated_at: int
    declared: dict[str, int] = Field(default_factory=dict)
    received: list[str] = Field(default_factory=list)
    x_handle_requested: bool = False
    sources: list[SourceState] = Field(default_factory=list)
    error: dict[str, str] | None = None
    result_available: bool = False


class ApplicationSummary(BaseModel):
    application_id: str
    status: str
    created_at: int


class ApplicationList(BaseModel):
    applications: list[ApplicationSummary]


class ScoreResultView(BaseModel):
    """The stored score result; its schema is documented in docs/scoring.md."""

    model_config = ConfigDict(extra="allow")
    application_id: str
    status: str
    result: dict[str, Any]


class ErasureReceipt(BaseModel):
    application_id: str
    status: Literal["erased"]
    objects_deleted: int
    records_deleted: int
    erased_at: int


class ErrorBody(BaseModel):
    error: str
    message: str
