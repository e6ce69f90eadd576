"""Score: features from the profile and the analyses, the configuration from Parameter Store, the result (with
its breakdown, reasons and audit fields) to DynamoDB; then the raw uploads and work files are purged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from credscore.application import upload_prefix, work_prefix
from credscore.coverage import build_coverage
from credscore.errors import TransientError
from credscore.scoring.features import extract_features
from credscore_aws.analysis_io import AnalysisRequest, load_profile
from credscore_aws.runtime import bucket_name, logger, metrics, repository, tracer
from credscore_aws.scoring_service import config_store, evidence_from_branches, result_document
from credscore_aws.storage import delete_prefix


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
    profile = load_profile(AnalysisRequest(application_id=application_id, profile=request.profile))
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
    application = repository().get(application_id)
    document = result_document(
        application_id,
        features,
        loaded,
        {
            "analysis_failures": failures,
            "sources": application.get("source_reports") or [],
            "archive_hashes": application.get("archive_hashes") or {},
        },
        build_coverage(evidence),
    )
    repository().store_result(application_id, document, features.model_dump(mode="json"))
    # Raw data goes before the status says "scored", so nobody sees a scored application with exports left.
    purged = delete_prefix(bucket_name(), upload_prefix(application_id))
    purged += delete_prefix(bucket_name(), work_prefix(application_id))
    repository().mark_scored(application_id, document)
    metrics.add_metric(name="ApplicationsScored", unit=MetricUnit.Count, value=1)
    if failures:
        metrics.add_metric(name="AnalysisFailures", unit=MetricUnit.Count, value=len(failures))
    logger.info("scored", extra={"objects_purged": purged, "analysis_failures": len(failures)})
    return {"application_id": application_id, "status": "scored", "analysis_failures": len(failures)}
