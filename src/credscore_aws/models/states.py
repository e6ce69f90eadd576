"""The input and output of every Task state of statemachine.asl.json and shadow.asl.json, and of the other
functions' events. Each handler validates its event into its input model and returns its output model's dump;
the ASL's Parameters/ResultPath decide how one state's output becomes the next state's input
(tests/unit/test_state_models.py walks those paths).

Inputs ignore fields they do not read (an EventBridge event carries many); outputs hold pointers and counts only,
so a state's payload stays small whatever an export holds.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter

from credscore.evidence import ImageAnalysis, ProfanityAnalysis, TextAnalysis
from credscore_aws.dal.analysis_io import AnalysisRequest


class _Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------------------------ ReceiveUpload
class UploadedObject(BaseModel):
    key: str  # URL-encoded, as S3 sends it
    # Which write of the key this event is about (S3 spells it `etag`, moto `eTag`; `version-id` only in a
    # versioned bucket; `sequencer` orders the writes of one key).
    etag: str | None = Field(default=None, validation_alias=AliasChoices("etag", "eTag"))
    version_id: str | None = Field(default=None, validation_alias="version-id")
    sequencer: str | None = None

    def write_id(self) -> str | None:
        """A short digest naming this write of the object: the same for a retry of the step, a duplicate delivery
        or a replay of the parked event, different for another upload of the same part. A digest, so the record
        keeps no value derived from the file's bytes (the ETag is their MD5). None when the event says nothing."""
        parts = [self.version_id, self.etag, self.sequencer]
        if not any(parts):
            return None
        return hashlib.sha256("|".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:16]


class UploadDetail(BaseModel):
    object: UploadedObject


class UploadArrived(BaseModel):
    """S3 Object Created, through EventBridge (the rule in template.yaml passes uploads/ keys)."""

    source: Literal["aws.s3"]
    detail: UploadDetail


class SubmitRequested(BaseModel):
    """The execution input of a partner's or applicant's submit, or of a closed upload window."""

    action: Literal["submit"]
    application_id: str


ReceiveUploadInput = UploadArrived | SubmitRequested
RECEIVE_UPLOAD_INPUT: TypeAdapter[ReceiveUploadInput] = TypeAdapter(ReceiveUploadInput)


class ReceiveUploadRequest(BaseModel):
    """What ReceiveUpload's Parameters pass: the execution's input (either shape above) and the execution's ARN
    from the context object, which the claim stores so a retry of the same execution finds its own claim."""

    event: ReceiveUploadInput
    execution: str = Field(min_length=1)


class ReceiveUploadOutput(_Output):
    """`ready` (the ReadyToScore choice) is true once, for the call that claimed the application."""

    application_id: str | None = None  # none for an object that is no upload or of an unknown application
    ready: bool
    reason: str
    missing: list[str] | None = None  # parts still awaited, while waiting for sources

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


# ------------------------------------------------------------------------------------------------ Ingest
class IngestInput(BaseModel):
    application_id: str
    # Set by IngestWithoutX once the X API stayed unavailable through Ingest's retries (the error that was caught:
    # RateLimited or XUnreachable): the sources are read again and X is recorded as not analysed, without calling it.
    x_unavailable: Literal["RateLimited", "XUnreachable"] | None = None


class SourceReport(_Output):
    platform: str
    status: str
    reason_code: str | None
    reason: str | None
    warnings: int


class IngestOutput(_Output):
    """Stored at $.ingest: the analyses read `profile`, the image Map iterates `image_batches`. Pointers only: the
    sources' reports and the photo counts are on the application (DynamoDB, erased with it), not in the execution's
    history, which Step Functions keeps for 90 days."""

    profile: str
    image_batches: list[str]
    image_concurrency: int


# ------------------------------------------------------------------------------------------------ Analyse
# AnalyzeText and AnalyzeProfanity: {application_id, profile}; each stores its analysis (credscore.evidence) and
# returns a StoredAnalysis.
AnalysisInput = AnalysisRequest


class ImageBatchInput(BaseModel):
    """One item of the AnalyzeImageBatches Map (its ItemSelector)."""

    application_id: str
    batch: str  # key of the batch manifest written by ingest


class BranchFailed(_Output):
    """What a *Failed Pass state puts in place of a branch's (or a batch's) output after its retries."""

    kind: Literal["text", "profanity", "images"]
    status: Literal["failed"]
    error: str | None = None
    cause: str | None = None
    batch: str | None = None  # BatchFailed: which batch


class StoredAnalysis(_Output):
    """What an analysis function returns: where it stored its result (`credscore.application.analysis_key`).
    The counts themselves (sentiment, profanity, flagged photos) stay out of the execution's history, which Step
    Functions keeps for 90 days whatever an erasure does; Score reads them, the purge deletes them."""

    kind: Literal["text", "profanity", "images"]
    status: Literal["stored"] = "stored"
    key: str


def _branch_tag(value: Any) -> str:
    # A failure marker carries the Catch's cause; an analysis that failed by itself does not. An analysis inline
    # (not stored) is what executions started before results were stored carry.
    if isinstance(value, BaseModel):
        return (
            "failed"
            if isinstance(value, BranchFailed)
            else "stored"
            if isinstance(value, StoredAnalysis)
            else "analysis"
        )
    if isinstance(value, dict) and value.get("status") == "failed" and "cause" in value:
        return "failed"
    return "stored" if isinstance(value, dict) and value.get("status") == "stored" else "analysis"


TextBranch = Annotated[
    Annotated[BranchFailed, Tag("failed")]
    | Annotated[StoredAnalysis, Tag("stored")]
    | Annotated[TextAnalysis, Tag("analysis")],
    Discriminator(_branch_tag),
]
ProfanityBranch = Annotated[
    Annotated[BranchFailed, Tag("failed")]
    | Annotated[StoredAnalysis, Tag("stored")]
    | Annotated[ProfanityAnalysis, Tag("analysis")],
    Discriminator(_branch_tag),
]
ImageBatchOutcome = Annotated[
    Annotated[BranchFailed, Tag("failed")]
    | Annotated[StoredAnalysis, Tag("stored")]
    | Annotated[ImageAnalysis, Tag("analysis")],
    Discriminator(_branch_tag),
]
# The Map's list of batch results, or one marker when the whole Map failed (ImagesFailed).
ImagesBranch = list[ImageBatchOutcome] | BranchFailed


# ------------------------------------------------------------------------------------------------ Score
class ScoreInput(BaseModel):
    """The Parallel state's output at $.analyses is [text, profanity, images], in its branches' order."""

    application_id: str
    profile: str
    analyses: tuple[TextBranch, ProfanityBranch, ImagesBranch]


class ScoreOutput(_Output):
    application_id: str
    status: Literal["scored"] = "scored"
    analysis_failures: int


# ------------------------------------------------------------------------------------------------ RecordFailure
class CatchError(BaseModel):
    """A Catch's ResultPath value: the error name and its cause (the Lambda's error JSON, usually)."""

    Error: str | None = None
    Cause: str | None = None


class RecordFailureInput(BaseModel):
    application_id: str
    error: CatchError = Field(default_factory=CatchError)


class RecordFailureOutput(_Output):
    """`status` drives the FailureRecorded choice: "erased" ends quietly."""

    application_id: str
    status: str
    error: str


# ------------------------------------------------------------------------------------------------ DescribeParkedError
class DescribeParkedRequest(BaseModel):
    """DescribeParkedError's Parameters: ReceiveUpload's error after its retries, as its Catch put it. The
    ReceiveUpload function answers it (it knows its own errors), so no function is added to the pipeline."""

    parked: CatchError


class ParkedCause(_Output):
    """What the parked message's ERROR_MESSAGE says (`credscore_aws.step_errors.safe_cause`)."""

    cause: str = Field(min_length=1)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# Either of ReceiveUpload's two requests; the keys (`event`, `parked`) tell them apart.
RECEIVE_UPLOAD_EVENT: TypeAdapter[ReceiveUploadRequest | DescribeParkedRequest] = TypeAdapter(
    ReceiveUploadRequest | DescribeParkedRequest
)


# ------------------------------------------------------------------------------------------------ shadow job
class ShadowPlanInput(BaseModel):
    candidate: str
    segments: int | None = None
    page_size: int | None = None
    cutoff: float | None = None
    candidate_cutoff: float | None = None
    job_id: str | None = None  # the execution's name


class ShadowJob(_Output):
    job_id: str
    candidate: str
    candidate_version: str
    # The candidate parameter's version the plan read: every page scores that very content (None: a job planned
    # before it was recorded reads the newest).
    candidate_parameter_version: int | None = None
    active_parameter_version: int
    active_version: str
    total_segments: int
    page_size: int
    cutoff: float | None
    candidate_cutoff: float | None
    started_at: int


class ShadowPlanOutput(_Output):
    job: ShadowJob
    segments: list[int]  # the Map's items


class ShadowPageInput(BaseModel):
    """The Map's ItemSelector for the first page; the previous page's output for the next ones."""

    job: ShadowJob
    segment: int
    page: int = 0
    start_key: dict[str, Any] | None = None  # DynamoDB's LastEvaluatedKey, passed back as it came


class ShadowPageOutput(_Output):
    job: ShadowJob
    segment: int
    page: int
    start_key: dict[str, Any] | None
    done: bool  # the MorePages choice
    rows: int


class ShadowReportInput(BaseModel):
    job: ShadowJob


class ShadowReportOutput(_Output):
    job_id: str
    bucket: str
    report_key: str
    applications: int
    psi: float | None
    approval_change: float | None


# ------------------------------------------------------------------------------------------------ scheduled
class ScheduledEvent(BaseModel):
    """An EventBridge schedule's event; a manual run may give `time` to redo a week."""

    time: str | None = None


class CloseStaleOutput(_Output):
    submitted: int
    closed: int


class MonitorOutput(_Output):
    week: str
    applications: int
    baseline: str
    score_psi: float | None
    max_characteristic_psi: float | None
    max_characteristic: str | None


# ------------------------------------------------------------------------------------------------ webhooks
class RecordBatch(BaseModel):
    """A DynamoDB Stream or SQS batch: the records keep their event source's own shape (`credscore_aws.logic.
    webhooks` reads stream images and message bodies as AWS sends them)."""

    Records: list[dict[str, Any]] = Field(default_factory=list)


class WebhookDispatchOutput(_Output):
    records: int
    queued: int


class BatchItemFailure(_Output):
    itemIdentifier: str


class WebhookDeliverOutput(_Output):
    """SQS partial batch response: only the messages to retry."""

    batchItemFailures: list[BatchItemFailure]
