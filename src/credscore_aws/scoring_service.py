"""Scoring with the configuration in force: shared by the score Lambda and the API's rescore.

The maths is in `credscore.scoring` (pure); this module adds the configuration from Parameter Store and the audit
fields every stored result carries (configuration version, code version, time, inputs, analysis failures).
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

import boto3

import credscore
from credscore.coverage import AnalysisCoverage
from credscore.evidence import AnalysisStatus, Evidence, ImageAnalysis, ProfanityAnalysis, TextAnalysis
from credscore.scoring.features import FeatureVector
from credscore.scoring.scorer import score
from credscore_aws.dal.config_store import ConfigStore, LoadedConfig
from credscore_aws.settings import settings
from credscore_aws.step_errors import cause_message


@cache
def config_store() -> ConfigStore:
    return ConfigStore(boto3.client("ssm"), settings().config_param)


def _failed(kind: str, marker: dict[str, Any]) -> dict[str, str]:
    return {
        "analysis": kind,
        "error": str(marker.get("error") or "failed"),
        "cause": cause_message(marker.get("cause"), limit=300),
    }


def evidence_from_branches(analyses: list[Any]) -> tuple[Evidence, list[dict[str, str]]]:
    """Evidence from the Parallel state's output [text, profanity, images]; failed branches become FAILED
    analyses (their features then count as missing evidence) and are listed so the result can say so."""
    text_out, profanity_out, images_out = analyses
    failures: list[dict[str, str]] = []

    if text_out.get("status") == AnalysisStatus.FAILED and "cause" in text_out:
        failures.append(_failed("text", text_out))
        text = TextAnalysis(status=AnalysisStatus.FAILED, error=failures[-1]["error"])
    else:
        text = TextAnalysis.model_validate(text_out)

    if profanity_out.get("status") == AnalysisStatus.FAILED and "cause" in profanity_out:
        failures.append(_failed("profanity", profanity_out))
        profanity = ProfanityAnalysis(status=AnalysisStatus.FAILED, error=failures[-1]["error"])
    else:
        profanity = ProfanityAnalysis.model_validate(profanity_out)

    images = _merge_image_outputs(images_out, failures)
    return Evidence(text=text, profanity=profanity, images=images), failures


def _merge_image_outputs(images_out: Any, failures: list[dict[str, str]]) -> ImageAnalysis:
    from credscore.analysis.images import merge_image_analyses

    if isinstance(images_out, dict):  # the whole Map failed
        failures.append(_failed("images", images_out))
        return ImageAnalysis(status=AnalysisStatus.FAILED, error=failures[-1]["error"])
    if not images_out:
        return ImageAnalysis(status=AnalysisStatus.NO_EVIDENCE)
    parts = []
    for batch in images_out:
        if batch.get("status") == AnalysisStatus.FAILED and "cause" in batch:
            failures.append(_failed("images", batch))
            continue
        parts.append(ImageAnalysis.model_validate(batch))
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


def rescore(application_id: str, features_doc: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """Score kept features under the configuration in force now (no new upload needed)."""
    features = FeatureVector.model_validate(features_doc)
    carried: dict[str, Any] = {
        k: previous[k]
        for k in ("analysis_failures", "analysis_caps", "sources", "archive_hashes")
        if k in previous
    }
    kept = previous.get("analysis_coverage")  # what the analyses read does not change with the weights
    # An explicit request for "the configuration in force now": skip the warm-process cache.
    return result_document(
        application_id,
        features,
        config_store().load_fresh(),
        {**carried, "rescored_from": previous.get("config_parameter_version")},
        AnalysisCoverage.model_validate(kept) if kept else None,
    )
