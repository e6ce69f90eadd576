"""Score: features from the profile and the analyses, the configuration from Parameter Store, the result (with
its breakdown, reasons and audit fields) to DynamoDB; then the raw uploads and work files are purged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from credscore.coverage import build_coverage
from credscore.errors import TransientError
from credscore.scoring.features import extract_features
from credscore_aws.dal.analysis_io import AnalysisRequest, score_input
from credscore_aws.erasure import purge_objects
from credscore_aws.runtime import logger, metrics, repository, tracer
from credscore_aws.scoring_service import config_store, evidence_from_branches, result_document


class ScoreRequest(BaseModel):
    application_id: str
    profile: str
    analyses: list[Any]


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ScoreRequest.model_validate(event)
    application_id = request.application_id
    logger.append_keys(application_id=application_id)
    # Erased while the analyses ran: ApplicationErased ends the run quietly (erasure purged everything).
    application = repository().get_live(application_id)
    # Only the facts the features read, streamed with caps: texts, names and photos are not loaded.
    profile, capped = score_input(AnalysisRequest(application_id=application_id, profile=request.profile))
    if capped:
        logger.warning("profile sections capped", extra={"capped": capped})
    evidence, failures = evidence_from_branches(request.analyses)
    features = extract_features(profile, evidence, dt.datetime.now(dt.UTC).date())
    try:
        loaded = config_store().load()
    except (BotoCoreError, ClientError) as exc:
        # Parameter Store unreachable or throttling: worth the state machine's retries, then a clear record.
        raise TransientError(
            f"the scoring configuration could not be read from Parameter Store ({type(exc).__name__})"
        ) from exc
    if loaded.fallback_used:
        logger.warning(
            "newest scoring configuration is invalid; the last good one is in force",
            extra={"config_version": loaded.parameter_version},
        )
    document = result_document(
        application_id,
        features,
        loaded,
        {
            "analysis_failures": failures,
            # What the analyses left out to stay within their memory (reason cap_reached), for the partner.
            "analysis_caps": [
                cap.model_dump(mode="json")
                for cap in (*evidence.text.caps, *evidence.profanity.caps, *evidence.images.caps)
            ],
            "sources": [report.model_dump() for report in application.source_reports],
            "archive_hashes": application.archive_hashes,
        },
        build_coverage(evidence),
    )
    # Both writes are conditional on the application still processing: an erasure in between wins (its purge
    # takes the stored result; the flip to scored is refused with ApplicationErased).
    repository().store_result(application_id, document, features.model_dump(mode="json"))
    # Raw data goes before the status says "scored", so nobody sees a scored application with exports left.
    purged = purge_objects(application_id)
    repository().mark_scored(application_id, document)
    # Once more: an upload that landed after the first purge while the status still said processing (one
    # arriving later finds the application scored and is deleted by ReceiveUpload).
    purged += purge_objects(application_id)
    metrics.add_metric(name="ApplicationsScored", unit=MetricUnit.Count, value=1)
    if failures:
        metrics.add_metric(name="AnalysisFailures", unit=MetricUnit.Count, value=len(failures))
    logger.info("scored", extra={"objects_purged": purged, "analysis_failures": len(failures)})
    return {"application_id": application_id, "status": "scored", "analysis_failures": len(failures)}
