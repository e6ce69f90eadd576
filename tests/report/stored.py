"""Results as the score function stores them, made by the real scorer (hand-set and fitted scorecards), for the
tests of the result model and its renderings."""

from __future__ import annotations

from typing import Any

from credscore.coverage import AnalysisCoverage
from credscore.scoring.config import FeatureId, ScoringConfig, load_default_config, parse_config
from credscore.scoring.features import FeatureValue, FeatureVector
from credscore.scoring.scorer import score
from tests.report.samples import check_stored_result, sample_analysis_coverage
from tests.scoring.fitted import fitted_text

# Values that land in different bins: some features without evidence, one out of range (scored as missing).
VALUES: dict[FeatureId, float | None] = {
    FeatureId.AGE: 34.0,
    FeatureId.EDUCATION: 1.0,
    FeatureId.POSITIVE_POSTS: 0.2,
    FeatureId.NEGATIVE_POSTS: 0.4,
    FeatureId.COMMENTS: -0.3,
    FeatureId.NEGATIVE_GROUPS: 0.5,
    FeatureId.NEGATIVE_PAGES: None,
    FeatureId.INTERACTION_FREQUENCY: 0.05,
    FeatureId.IMAGES: 2.0,
    FeatureId.CONNECTIONS: 35.0,
    FeatureId.SKILLS: 1.0,
    FeatureId.LIKES: None,
    FeatureId.INVITATIONS: 3.0,
}


def stored_result(
    config: ScoringConfig, values: dict[FeatureId, float | None], **extra: Any
) -> dict[str, Any]:
    """What functions/score stores: the scorer's result and the audit fields it adds (checked against both)."""
    features = FeatureVector(
        values={
            f: FeatureValue(value=v, evidence=[f"linkedin/{f.value}.csv"] if v is not None else [])
            for f, v in values.items()
        }
    )
    scored = score(features, config, AnalysisCoverage.model_validate(sample_analysis_coverage()))
    document = {
        **scored.model_dump(mode="json"),
        "application_id": "0123456789abcdef0123456789abcdef",
        "config_parameter_version": 7,
        "config_fallback_used": False,
        "config_error": None,
        "scored_at": 1_780_000_100,
        "analysis_failures": [{"analysis": "images", "error": "States.Timeout", "cause": "took too long"}],
        "sources": [{"platform": "linkedin", "status": "parsed", "warnings": 0}],
        "archive_hashes": {"linkedin": ["sha256:00"]},
        **extra,
    }
    check_stored_result(document)
    return document


def stored_results() -> dict[str, dict[str, Any]]:
    """One of each kind: hand-set, fitted, rescored, ineligible, without evidence."""
    handset, fitted = load_default_config(), parse_config(fitted_text())
    nothing = dict.fromkeys(FeatureId)
    return {
        "handset": stored_result(handset, VALUES),
        "fitted": stored_result(fitted, VALUES),
        "rescored": stored_result(handset, VALUES, rescored_from=6),
        "ineligible": stored_result(handset, {**VALUES, FeatureId.AGE: 15.0}),
        "no_evidence": stored_result(handset, nothing),
    }
