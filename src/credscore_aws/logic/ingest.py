"""The Ingest step: read every received export of one application into a single normalized profile.

Archives are read in place with ranged S3 reads (central directory plus the members the parsers need), so a large
export full of videos is never downloaded. A bad archive is recorded on its source and does not stop the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO, cast

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import ClientError

from credscore.application import image_batch_key, parse_upload_key, profile_key, upload_prefix
from credscore.errors import NoUsableSource, RateLimited, XUnreachable
from credscore.ingest.errors import XRateLimited, XTemporarilyUnavailable
from credscore.ingest.pipeline import build_profile, cap_photos, image_batches
from credscore_aws.dal.s3io import S3RangedReader
from credscore_aws.dal.storage import list_keys, s3_client
from credscore_aws.logic.erasure import nothing_left_if_erased, put_pipeline_files
from credscore_aws.models.states import IngestInput, IngestOutput, SourceReport
from credscore_aws.runtime import logger, metrics, repository
from credscore_aws.settings import settings

# The error Ingest raised for X, as IngestWithoutX passes it on → why X was not analysed (X_UNAVAILABLE_REASONS).
_X_UNAVAILABLE = {"RateLimited": "x_rate_limited", "XUnreachable": "x_unreachable"}


def _open_archive(key: str) -> BinaryIO:
    # A raw binary file (io.RawIOBase) in all but typeshed's name.
    return cast(BinaryIO, S3RangedReader(s3_client(), settings().bucket_name, key))


def _uploaded_parts(application_id: str) -> list[str]:
    """What is in the bucket now, not what events have recorded so far: a partner's submit can overtake the
    event of an upload that has already landed."""
    refs = (parse_upload_key(key) for key in list_keys(settings().bucket_name, upload_prefix(application_id)))
    return sorted(ref.name for ref in refs if ref is not None)


def _x_bearer_token() -> str:
    """The X API token, or "" when its SecureString was never created (created out of band, see template.yaml).
    Any other SSM failure is raised, so the state machine retries it."""
    try:
        return str(parameters.get_parameter(settings().x_bearer_token_param, decrypt=True, max_age=300))
    except GetParameterError as exc:
        cause = exc.__cause__ or exc.__context__  # powertools re-raises without `from`
        if (
            isinstance(cause, ClientError)
            and cause.response.get("Error", {}).get("Code") == "ParameterNotFound"
        ):
            logger.error("X bearer token parameter is missing; X handles are reported unavailable")
            metrics.add_metric(name="XTokenMissing", unit=MetricUnit.Count, value=1)
            return ""
        raise


def ingest(request: IngestInput, time_left: Callable[[], float]) -> IngestOutput:
    with nothing_left_if_erased(request.application_id):
        return _ingest(request, time_left)


def _ingest(request: IngestInput, time_left: Callable[[], float]) -> IngestOutput:
    """The profile and the image batch manifests written to the work prefix; pointers and counts returned.
    `time_left` (seconds) is shared out among the sources, so one that cannot finish fails alone.

    X trouble is raised for the state machine to retry (RateLimited for a 429, XUnreachable for a 5xx, a network
    error or a timeout); once its retries are spent it calls again with `x_unavailable` set, and X is then
    recorded as not analysed, with why, and never called."""
    application_id = request.application_id
    repo = repository()
    application = repo.get_live(application_id)  # an erased application: ApplicationErased, stop here
    if request.x_unavailable and application.x_handle:
        # Not alarmed: the application is still scored. A steady count means X (or our quota on it) is down.
        metrics.add_metric(name=f"XUnavailable_{request.x_unavailable}", unit=MetricUnit.Count, value=1)
    try:
        profile = build_profile(
            application_id=application_id,
            declared=application.declared,
            received=_uploaded_parts(application_id),
            x_handle=application.x_handle,
            open_archive=_open_archive,
            x_bearer_token=_x_bearer_token,
            time_left=time_left,
            x_unavailable=_X_UNAVAILABLE.get(request.x_unavailable or ""),
        )
    except XTemporarilyUnavailable as exc:
        raise XUnreachable(str(exc)) from exc
    except XRateLimited as exc:
        raise RateLimited(str(exc), exc.retry_after_seconds) from exc
    # Before the reports are recorded: a source that lost photos to the cap says so.
    sample, photos = cap_photos(profile, settings().max_photos_per_application)
    reports = [
        SourceReport(
            platform=s.platform.value,
            status=s.status.value,
            reason_code=s.reason_code,
            reason=s.reason,
            warnings=len(s.warnings),
        )
        for s in profile.sources
    ]
    repo.update_fields(
        application_id,
        source_reports=[r.model_dump(mode="json") for r in reports],
        archive_hashes={s.platform.value: s.archive_sha256 for s in profile.sources},
    )
    for report in reports:
        metrics.add_metric(name=f"Source_{report.status}", unit=MetricUnit.Count, value=1)
    if not profile.parsed_platforms():
        raise NoUsableSource(
            "no source could be read: " + "; ".join(f"{r.platform}: {r.reason or r.status}" for r in reports)
        )
    profile_object = profile_key(application_id)
    # The Map state takes its concurrency from this output, so the batches and the Map agree on it.
    concurrency = settings().image_map_concurrency
    batches = {
        image_batch_key(application_id, i): [ref.model_dump() for ref in batch]
        for i, batch in enumerate(image_batches(sample, settings().image_batch_size, parallelism=concurrency))
    }
    # Deleted again at once if the application was erased meanwhile (then ApplicationErased ends the run).
    put_pipeline_files(application_id, {profile_object: profile.model_dump_json(), **batches})
    logger.info(
        "profile built",
        extra={
            "texts": len(profile.texts),
            "names": len(profile.names),
            "photos_found": photos["found"],
            "photos": len(sample),
            "image_batches": len(batches),
        },
    )
    return IngestOutput(
        profile=profile_object,
        image_batches=list(batches),
        image_concurrency=concurrency,
    )
