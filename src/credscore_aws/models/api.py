"""Request and response models of the partner API (the OpenAPI document is generated from these)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from credscore.application import APPLICATION_ID_REGEX, MAX_PARTS_PER_SOURCE
from credscore.render.chart import CHART_DESCRIPTION, Chart, chart_spec
from credscore.result import AnalysisCoverage

OPENAPI_INFO: dict[str, Any] = {
    "title": "credscore partner API",
    "version": "1.0.0",
    "summary": "Explainable credit scores from applicants' own social-media exports",
    "security_schemes": {"partnerKey": HTTPBearer(description="the partner API key issued by credscore")},
    "security": [{"partnerKey": []}],
}

# 9999-12-31T23:59:59Z: the last second a timestamp field accepts.
MAX_UNIX_SECONDS = 253_402_300_799

UploadPlatform = Literal["facebook", "linkedin", "instagram", "x"]


def _integral(value: Any) -> Any:
    """JSON has one number type: 5.0 is the integer 5 (as JSON Schema says); 5.5, "5" and true are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInt = Annotated[int, BeforeValidator(_integral)]


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_text(value: Any) -> Any:
    """A date arrives in JSON as text YYYY-MM-DD (RFC 3339 full-date, the schema's `format: date`). Pydantic's lax
    date, which parses that text, would also take Unix seconds (a number or a string of digits: 1796083200 is
    2026-12-01, 0 is 1970-01-01) and a datetime at midnight: a partner sending those has a bug we should report."""
    if isinstance(value, date) and not isinstance(value, datetime):  # built in Python, not parsed from JSON
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value  # the range (year 0, 30 February) is still pydantic's to check
    # ValueError, not pydantic_core's custom error: the API function's layer pins pydantic, not its core.
    raise ValueError("Input should be a date as text YYYY-MM-DD")


# Lax only to parse the text the validator above lets through; the model around it stays strict.
IsoDate = Annotated[date, Field(strict=False), BeforeValidator(_iso_date_text)]
PartCount = Annotated[int, Field(ge=1, le=MAX_PARTS_PER_SOURCE), BeforeValidator(_integral)]


# Text with at least one visible character and no control character (C0, DEL or C1).
PRINTABLE_TEXT = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
# An Idempotency-Key is a structured-field string (draft-ietf-httpapi-idempotency-key-header): printable ASCII.
IDEMPOTENCY_KEY = r"^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$"


class _Strict(BaseModel):
    # Strict: a partner sending `false` for a timestamp has a bug we should report, not coerce.
    model_config = ConfigDict(extra="forbid", strict=True)


class Consent(_Strict):
    """The applicant's consent as the partner recorded it (DPDP/RBI: specific, informed, auditable)."""

    granted: Literal[True] = Field(description="must be true: nothing is collected without consent")
    # Shown to the applicant and kept in the audit trail: printable text only (no control characters, not blank).
    purpose: str = Field(
        min_length=3, max_length=200, pattern=PRINTABLE_TEXT, description="the specific purpose consented to"
    )
    notice_version: str = Field(
        min_length=1, max_length=50, pattern=PRINTABLE_TEXT, description="version of the notice shown"
    )
    # Bounded above too: an unbounded integer (1e40) cannot be stored as a DynamoDB number (38 digits).
    granted_at: JsonInt = Field(
        ge=0, le=MAX_UNIX_SECONDS, description="Unix seconds when the applicant consented"
    )
    model_development: bool = Field(
        default=False,
        description="the applicant also agreed (separately, optionally) that this application's numeric feature "
        "values and the repayment outcome the partner reports are kept to fit and monitor the scorecard, until "
        "the application's retention ends or it is erased; no files, texts or names are kept",
    )


class DeclaredSources(_Strict):
    """How many zip files the applicant will upload per platform (Facebook sends big exports in parts)."""

    facebook: PartCount | None = None
    linkedin: PartCount | None = None
    instagram: PartCount | None = None
    x: PartCount | None = None

    def parts(self) -> dict[str, int]:
        return {platform: n for platform, n in self.model_dump().items() if n}


# What the model validator enforces, stated in the schema too so clients (and contract tests) can see it.
_CREATE_RULES: dict[str, Any] = {
    "anyOf": [
        {
            "required": ["sources"],
            "properties": {"sources": {"minProperties": 1, "additionalProperties": False}},
        },
        {"required": ["x_handle"], "properties": {"x_handle": {"type": "string"}}},
    ],
    "not": {
        "required": ["x_handle", "sources"],
        "properties": {
            "x_handle": {"type": "string"},
            "sources": {"required": ["x"], "properties": {"x": {"type": "integer"}}},
        },
    },
}


class CreateApplication(_Strict):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_CREATE_RULES)

    consent: Consent
    sources: DeclaredSources = Field(
        default_factory=DeclaredSources,
        description='zip files per platform, e.g. {"facebook": 2, "linkedin": 1}',
    )
    x_handle: str | None = Field(
        default=None,
        pattern=r"^@?[A-Za-z0-9_]{1,15}$",
        description="fetch this X account through the X API instead of an archive",
    )
    reference: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]*$",
        description="the partner's own reference (no personal data)",
    )

    @model_validator(mode="after")
    def _something_to_score(self) -> CreateApplication:
        if not self.sources.parts() and not self.x_handle:
            raise ValueError("declare at least one source or an x_handle")
        if self.x_handle and self.sources.x:
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


NEXT_TOKEN_PATTERN = rf"^\d{{12}}\.{APPLICATION_ID_REGEX}$"  # a page position: <created_at>.<application id>


class ApplicationList(BaseModel):
    applications: list[ApplicationSummary]
    next_token: str | None = Field(
        default=None,
        pattern=NEXT_TOKEN_PATTERN,
        description="Pass as `next_token` for the next (older) page; null on the last page.",
    )


class ScoreResultView(BaseModel):
    """The stored score result; its schema is documented in docs/scoring.md."""

    model_config = ConfigDict(extra="allow")
    application_id: str
    status: str
    result: dict[str, Any]
    analysed: list[str] = Field(
        default_factory=list,
        description="What the text, name and image analyses read and could not read, and what the image "
        "models cannot see, one plain sentence each (from result.analysis_coverage; docs/analysis.md).",
    )
    chart: Chart | None = Field(default=None, description=CHART_DESCRIPTION)

    @model_validator(mode="after")
    def _analysed_in_plain_words(self) -> ScoreResultView:
        coverage = self.result.get("analysis_coverage")
        if not self.analysed and isinstance(coverage, dict):
            self.analysed = AnalysisCoverage.model_validate(coverage).summaries()
        if self.chart is None:
            self.chart = chart_spec(self.result.get("breakdown") or [])
        return self


class ErasureReceipt(BaseModel):
    application_id: str
    status: Literal["erased"]
    objects_deleted: int
    records_deleted: int
    erased_at: int


class ErrorBody(BaseModel):
    error: str
    message: str


OutcomeValue = Literal["good", "bad", "indeterminate"]


class OutcomeReport(_Strict):
    """The repayment outcome the partner observed for a scored application (for fitting and monitoring)."""

    outcome: OutcomeValue = Field(description="good, bad or indeterminate, by the partner's own definition")
    observed_at: IsoDate = Field(
        description="the date the outcome was observed, as text YYYY-MM-DD (a number, a Unix time or a datetime "
        "is refused with 422); a date before the application was created or in the future is refused with 409 "
        "`implausible_observed_at`"
    )


class OutcomeChange(BaseModel):
    outcome: OutcomeValue
    observed_at: date
    reported_at: int
    replaced_at: int


class OutcomeRecord(BaseModel):
    application_id: str
    outcome: OutcomeValue
    observed_at: date
    reported_at: int = Field(description="Unix seconds when this outcome was first reported")
    revision: int = Field(description="1 for the first report; +1 each time a different outcome replaced it")
    changes: list[OutcomeChange] = Field(default_factory=list, description="earlier outcomes, oldest first")


# ---------------------------------------------------------------------------------------------- webhooks
class RegisterWebhook(_Strict):
    url: str = Field(
        min_length=8,
        max_length=2048,
        pattern=r"^https?://\S+$",
        description="Where events are POSTed: https, resolving to public addresses only.",
        examples=["https://lender.example/credscore/events"],
    )


class WebhookView(BaseModel):
    url: str
    state: Literal["active"]
    created_at: int
    updated_at: int
    secret_rotated_at: int | None = None
    previous_secret_valid_until: int | None = Field(
        default=None,
        description="Until then deliveries also carry a signature made with the previous secret.",
    )


class WebhookWithSecret(WebhookView):
    secret: str | None = Field(
        description="The signing secret, shown only when it is created (registration, rotation); null when a "
        "registration's URL was changed (the secret is kept)."
    )


class WebhookDelivery(BaseModel):
    event_id: str
    type: Literal["application.scored", "application.failed", "application.erased"]
    application_id: str
    created_at: int
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = Field(
        default=None, description="timeout, connection_failed, refused_address or http_<status>"
    )
    state: Literal["pending", "retrying", "delivered", "parked", "dropped"]
    last_attempt_at: int | None = None


class WebhookDeliveries(BaseModel):
    deliveries: list[WebhookDelivery]


class WebhookDeleted(BaseModel):
    deleted: Literal[True]


class WebhookEvent(BaseModel):
    """What is POSTed to the partner's URL (signed; see README, Webhooks)."""

    id: str
    type: Literal["application.scored", "application.failed", "application.erased"]
    application_id: str
    reference: str | None = None
    status: Literal["scored", "failed", "erased"]
    occurred_at: int


class GatewayError(BaseModel):
    """Answers of the HTTP API itself (authorizer, throttling, payload limit), before the function runs."""

    message: str


# ---------------------------------------------------------------------------------------------------- applicant
# The applicant's link (issue 14): a per-application token for the applicant page, and what it may see and do.
OPENAPI_INFO["security_schemes"]["applicantLink"] = HTTPBearer(
    description="the applicant link's token (the #t=… part of applicant_url): /applicant/… routes only"
)
APPLICANT_SECURITY: list[dict[str, list[str]]] = [{"applicantLink": []}]


class ApplicantLink(BaseModel):
    """A link for the applicant. The token is shown once (stored only as its SHA-256 hash); a new link replaces
    the earlier one."""

    applicant_url: str = Field(description="the applicant page with the token in its fragment (#t=…)")
    applicant_token: str = Field(description="the token alone, to build a link to your own copy of the page")
    upload_until: int = Field(description="Unix seconds: uploads with this link end (the upload window)")
    view_until: int = Field(description="Unix seconds: status, result and erasure end (the retention)")


class CreatedApplicationWithLink(CreatedApplication, ApplicantLink):
    """The created application, its upload forms and the applicant link."""


class LinkRevoked(BaseModel):
    application_id: str
    revoked: bool = Field(description="false when no link was active")


class ApplicantConsent(_Strict):
    """The applicant's own consent, given on the applicant page before any upload form is handed out."""

    granted: Literal[True] = Field(description="must be true")
    notice_version: str = Field(min_length=1, max_length=50, description="version of the notice shown")
    model_development: bool = Field(
        default=False,
        description="the separate, optional consent to keep this application's numeric feature values with its "
        "repayment outcome to fit and monitor the scorecard (never files, texts or names; erased with it)",
    )


class ApplicantError(BaseModel):
    code: str
    message: str = Field(description="plain words, safe to show (never an internal error text)")


class ApplicantSource(BaseModel):
    platform: str
    status: str = Field(description="parsed, rejected, absent, unavailable, or received (not read yet)")
    status_text: str
    reason_code: str | None = None
    reason: str | None = Field(default=None, description="plain words: why a source could not be used")
    warnings: int = Field(default=0, description="files inside the export that were left out")
    warnings_text: str | None = Field(default=None, description="plain words: what the warnings mean")


ApplicantStage = Literal["collecting", "ingest", "analyses", "scored", "failed", "erased"]


class ApplicantStatus(BaseModel):
    application_id: str
    status: str
    stage: ApplicantStage = Field(
        description="collecting; ingest (reading the exports); analyses (text, names and photos, then the "
        "score): taken from what the pipeline has recorded on the application; then scored, failed or erased"
    )
    stage_text: str
    declared: dict[str, int] = Field(default_factory=dict)
    received: list[str] = Field(default_factory=list)
    x_handle_requested: bool = False
    consented: bool = Field(description="the applicant consented on the applicant page")
    uploads_open: bool = Field(description="upload forms can be requested now")
    upload_until: int
    view_until: int
    sources: list[ApplicantSource] = Field(default_factory=list)
    error: ApplicantError | None = None
    result_available: bool = False


class ApplicantUploads(BaseModel):
    application_id: str
    uploads: list[UploadForm] = Field(description="forms for the declared parts not yet received")
    upload_until: int


class ApplicantFeature(BaseModel):
    feature: str = Field(description="the feature's code")
    label: str
    about: str = Field(description="what was looked at, in plain words")
    points: float | None = Field(description="points earned; null without evidence")
    max_points: float
    has_evidence: bool
    evidence: list[str] = Field(default_factory=list, description="where the evidence came from")


class ApplicantReason(BaseModel):
    code: str
    feature: str
    text: str = Field(description="plain words")
    points_below_reference: float | None = None


class ApplicantResult(BaseModel):
    """The applicant's own view of their result: the data used and the reasons, in plain words."""

    application_id: str
    status: str = Field(description="scored, ineligible or insufficient_evidence")
    score: float | None
    score_range: dict[str, float]
    no_score_reason: str | None = None
    coverage: float = Field(description="share of the scorecard's features that had evidence")
    analysed: list[str] = Field(
        default_factory=list,
        description="What the text, name and image analyses read and could not read, what the image models "
        "cannot see, and any analysis that could not run, one plain sentence each.",
    )
    sources: list[ApplicantSource]
    features: list[ApplicantFeature]
    reasons: list[ApplicantReason]
    view_until: int = Field(description="Unix seconds: this view and erasure end (the retention)")
    chart: Chart | None = Field(default=None, description=CHART_DESCRIPTION)

    @model_validator(mode="after")
    def _chart(self) -> ApplicantResult:
        if self.chart is None:
            self.chart = chart_spec(
                {
                    "feature": f.feature,
                    "weight": f.max_points,
                    "points": f.points,
                    "has_evidence": f.has_evidence,
                }
                for f in self.features
            )
        return self


class RescoredResult(ScoreResultView):
    changed: bool = Field(
        description="false when the configuration version and the score are the same as before (nothing stored)"
    )
    message: str


class ApplicationListItem(ApplicationSummary):
    reference: str | None = None
    score: float | None = Field(default=None, description="the published score once scored")
    updated_at: int | None = None


class FilteredApplicationList(BaseModel):
    applications: list[ApplicationListItem]
    next_token: str | None = Field(
        default=None,
        pattern=NEXT_TOKEN_PATTERN,
        description="Pass as `next_token` (with the same filters) for the next (older) page; null on the last page.",
    )
