"""Scoring with the configuration in force: the one `score_application`, used by the Score step (a profile's
features) and by rescore (the kept features).

The maths is in `credscore.scoring` (pure); this module adds the configuration from Parameter Store and the audit
fields every stored result carries (configuration version, code version, time, inputs, analysis failures).
"""

from __future__ import annotations

import datetime as dt
import time
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

import credscore
from credscore.application import Status
from credscore.coverage import AnalysisCoverage, build_coverage
from credscore.errors import TransientError
from credscore.evidence import AnalysisStatus, Evidence, ImageAnalysis, ProfanityAnalysis, TextAnalysis
from credscore.scoring.features import FeatureVector, extract_features
from credscore.scoring.scorer import score
from credscore_aws.dal.analysis_io import AnalysisRequest, score_input
from credscore_aws.dal.config_store import ConfigStore, LoadedConfig
from credscore_aws.logic.analysis_results import Analyses, with_results
from credscore_aws.logic.erasure import nothing_left_if_erased, purge_raw
from credscore_aws.models.states import BranchFailed, ScoreInput, ScoreOutput
from credscore_aws.runtime import logger, repository
from credscore_aws.settings import settings
from credscore_aws.step_errors import cause_message


@cache
def config_store() -> ConfigStore:
    return ConfigStore(boto3.client("ssm"), settings().config_param)


def _failed(kind: str, marker: BranchFailed) -> dict[str, str]:
    return {
        "analysis": kind,
        "error": str(marker.error or "failed"),
        "cause": cause_message(marker.cause, limit=300),
    }


def evidence_from_branches(analyses: Analyses) -> tuple[Evidence, list[dict[str, str]]]:
    """Evidence from the Parallel state's output [text, profanity, images]; failed branches become FAILED
    analyses (their features then count as missing evidence) and are listed so the result can say so."""
    text_out, profanity_out, images_out = analyses
    failures: list[dict[str, str]] = []

    if isinstance(text_out, BranchFailed):
        failures.append(_failed("text", text_out))
        text = TextAnalysis(status=AnalysisStatus.FAILED, error=failures[-1]["error"])
    else:
        text = text_out

    if isinstance(profanity_out, BranchFailed):
        failures.append(_failed("profanity", profanity_out))
        profanity = ProfanityAnalysis(status=AnalysisStatus.FAILED, error=failures[-1]["error"])
    else:
        profanity = profanity_out

    images = _merge_image_outputs(images_out, failures)
    return Evidence(text=text, profanity=profanity, images=images), failures


def _merge_image_outputs(
    images_out: list[ImageAnalysis | BranchFailed] | BranchFailed, failures: list[dict[str, str]]
) -> ImageAnalysis:
    from credscore.analysis.images import merge_image_analyses

    if isinstance(images_out, BranchFailed):  # the whole Map failed
        failures.append(_failed("images", images_out))
        return ImageAnalysis(status=AnalysisStatus.FAILED, error=failures[-1]["error"])
    if not images_out:
        return ImageAnalysis(status=AnalysisStatus.NO_EVIDENCE)
    parts = []
    for batch in images_out:
        if isinstance(batch, BranchFailed):
            failures.append(_failed("images", batch))
            continue
        parts.append(batch)
    if not parts:
        return ImageAnalysis(status=AnalysisStatus.FAILED, error=failures[-1]["error"])
    return merge_image_analyses(parts)


def result_document(
    application_id: str,
    features: FeatureVector,
    loaded: LoadedConfig,
    extra: dict[str, Any],
    analysis_coverage: AnalysisCoverage | None = None,
) -> dict[str, Any]:
    scored = score(features, loaded.config, analysis_coverage)
    return {
        **scored.model_dump(mode="json"),
        "application_id": application_id,
        "config_parameter_version": loaded.parameter_version,
        "config_fallback_used": loaded.fallback_used,
        "config_error": loaded.error,
        "code_version": credscore.__version__,
        "scored_at": int(time.time()),
        **extra,
    }


def _config_in_force(fresh: bool) -> LoadedConfig:
    try:
        # `fresh` is an explicit request for "the configuration in force now": it skips the warm-process cache.
        loaded = config_store().load_fresh() if fresh else config_store().load()
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
    return loaded


def score_application(
    application_id: str,
    features: FeatureVector,
    extra: dict[str, Any],
    analysis_coverage: AnalysisCoverage | None,
    *,
    fresh_config: bool = False,
) -> dict[str, Any]:
    """The result document of `features` under the configuration in force: the score, its breakdown and
    reasons, the audit fields and `extra` (what the analyses failed or capped, the sources)."""
    loaded = _config_in_force(fresh_config)
    return result_document(application_id, features, loaded, extra, analysis_coverage)


def rescore(application_id: str, features_doc: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """Score kept features under the configuration in force now (no new upload needed)."""
    carried: dict[str, Any] = {
        k: previous[k]
        for k in ("analysis_failures", "analysis_caps", "sources", "archive_hashes")
        if k in previous
    }
    kept = previous.get("analysis_coverage")  # what the analyses read does not change with the weights
    return score_application(
        application_id,
        FeatureVector.model_validate(features_doc),
        {**carried, "rescored_from": previous.get("config_parameter_version")},
        AnalysisCoverage.model_validate(kept) if kept else None,
        fresh_config=True,
    )


def score_from_pipeline(request: ScoreInput) -> ScoreOutput:
    with nothing_left_if_erased(request.application_id):
        return _score_from_pipeline(request)


def _score_from_pipeline(request: ScoreInput) -> ScoreOutput:
    """The Score step: features from the profile and the analyses, the result stored, then the raw data purged
    around the flip to scored."""
    application_id = request.application_id
    # Erased while the analyses ran: ApplicationErased ends the run quietly (erasure purged everything).
    application = repository().get_live(application_id)
    if application.status == Status.SCORED:
        # A retry of a Score that finished (timed out answering, or failed in its second purge): done. Going on
        # would find the profile purged and record a failure on a scored application.
        logger.info("already scored")
        return ScoreOutput(application_id=application_id, analysis_failures=0)
    # Only the facts the features read, streamed with caps: texts, names and photos are not loaded.
    profile, capped = score_input(AnalysisRequest(application_id=application_id, profile=request.profile))
    if capped:
        logger.warning("profile sections capped", extra={"capped": capped})
    evidence, failures = evidence_from_branches(with_results(application_id, request.analyses))
    features = extract_features(profile, evidence, dt.datetime.now(dt.UTC).date())
    extra = {
        "analysis_failures": failures,
        # What the analyses left out to stay within their memory (reason cap_reached), for the partner.
        "analysis_caps": [
            cap.model_dump(mode="json")
            for cap in (*evidence.text.caps, *evidence.profanity.caps, *evidence.images.caps)
        ],
        "sources": [report.model_dump() for report in application.source_reports],
        "archive_hashes": application.archive_hashes,
    }
    document = score_application(application_id, features, extra, build_coverage(evidence))
    # Both writes are conditional on the application still processing: an erasure in between wins (its purge
    # takes the stored result; the flip to scored is refused with ApplicationErased).
    repository().store_result(application_id, document, features.model_dump(mode="json"))
    purged = purge_raw(application_id, lambda: repository().mark_scored(application_id, document))
    logger.info("scored", extra={"objects_purged": purged, "analysis_failures": len(failures)})
    return ScoreOutput(application_id=application_id, analysis_failures=len(failures))
