"""Hand-made application and result with the fields the API and the scorer produce (shared with tests/cli)."""

from __future__ import annotations

from typing import Any

# Keys the score function stores next to the scorer's own result (credscore_aws.logic.scoring).
STORED_EXTRAS = {
    "application_id",
    "config_parameter_version",
    "config_fallback_used",
    "config_error",
    "scored_at",
    "analysis_failures",
    "sources",
    "archive_hashes",
    "rescored_from",
}


def check_stored_result(document: dict[str, Any]) -> None:
    """Raise unless `document` is what the score function could store: the scorer's `ScoreResult` (checked by
    its own model, so feature names, priorities and every field are real) plus the known extras."""
    from credscore.scoring.scorer import ScoreResult

    unknown = set(document) - set(ScoreResult.model_fields) - STORED_EXTRAS
    if unknown:
        raise ValueError(f"not stored by the score function: {sorted(unknown)}")
    ScoreResult.model_validate({k: v for k, v in document.items() if k in ScoreResult.model_fields})


def feature_score(
    feature: str, priority: str, weight: float, value: float | None, points: float | None, **rest: Any
) -> dict[str, Any]:
    """One breakdown row; no points means no evidence unless said otherwise."""
    return {
        "feature": feature,
        "priority": priority,
        "enabled": rest.pop("enabled", True),
        "weight": weight,
        "has_evidence": rest.pop("has_evidence", points is not None),
        "value": value,
        "points": points,
        "points_below_max": None if points is None else round(weight - points, 6),
        "evidence": rest.pop("evidence", []),
        "notes": rest.pop("notes", []),
    }


def sample_reasons(text_suffix: str = "") -> list[dict[str, Any]]:
    """The two reasons of the samples; `text_suffix` is appended to the second one's text."""
    return [
        {
            "code": "FEW_CONNECTIONS",
            "text": "Fewer professional connections than typical",
            "feature": "connections",
            "points_below_max": 4.5,
        },
        {
            "code": "MIXED_SENTIMENT",
            "text": "Posts are mixed in tone" + text_suffix,
            "feature": "positive_posts",
            "points_below_max": 3.8,
        },
    ]


def sample_analysis_coverage() -> dict[str, Any]:
    """What the analyses read, built by the real coverage function from hand-made analysis results."""
    from credscore.coverage import build_coverage
    from credscore.evidence import (
        Evidence,
        ImageAnalysis,
        NameCounts,
        PlatformText,
        ProfanityAnalysis,
        SentimentCounts,
        TextAnalysis,
    )

    posts = SentimentCounts(
        analysed=40, not_analysed=12, positive=20, negative=5, neutral=15,
        languages={"en": 40, "hi": 9, "hi-Latn": 3}, not_analysed_reasons={"language": 12},
    )  # fmt: skip
    evidence = Evidence(
        text=TextAnalysis(
            status="ok",
            platforms=[PlatformText(platform="facebook", posts=posts)],
            models=["vaderSentiment 3.3.2", "py3langid 0.4.0"],
        ),
        profanity=ProfanityAnalysis(
            status="ok",
            groups=NameCounts(total=10, flagged=1, not_analysed=2, not_analysed_scripts={"TAMIL": 2}),
            models=["better-profanity 0.7.0"],
        ),
        images=ImageAnalysis(
            status="ok",
            analysed=212,
            not_analysed=18,
            not_analysed_reasons={"too_large": 12, "corrupt": 6},
            categories_covered=["MALE_GENITALIA_EXPOSED"],
            content_categories=["nudity"],
            models=["nudenet-320n@sha256:abc"],
        ),
    )
    return build_coverage(evidence).model_dump(mode="json")


def sample_result() -> dict[str, Any]:
    """A stored result with round, hand-picked numbers (checked by `check_stored_result` in the tests)."""
    return {
        "status": "scored",
        "breakdown": [
            feature_score(
                "connections",
                "P1",
                20,
                420,
                15.5,
                evidence=["linkedin/Connections.csv"],
                notes=["420 connections counted"],
            ),
            feature_score("positive_posts", "P2", 10, 0.31, 6.2),
            feature_score("negative_groups", "P3", 5, None, None),
            feature_score("age", "P1", 10, None, None, enabled=False, has_evidence=True),
        ],
        "total_points": 21.7,
        "max_possible": 30.0,
        "max_configured": 35.0,
        "normalised_score": 612.0,
        "normalised_range": {"min": 300, "max": 900},
        "reasons": sample_reasons(),
        "coverage": {
            "features_enabled": 3,
            "features_with_evidence": 2,
            "ratio": 0.667,
            "with_evidence": ["connections", "positive_posts"],
            "missing": ["negative_groups"],
        },
        "eligibility": {
            "eligible": True,
            "reason_code": None,
            "reason": None,
            "age": 34.2,
            "enforced": True,
            "min_age": 18,
            "max_age": 80,
        },
        "config_parameter_version": 3,
        "config_version": "2026-11-a",
        "code_version": "0.1.0+abc123",
        "analysis_failures": [
            {"analysis": "profanity", "error": "ModelCrashed", "cause": "the model crashed"}
        ],
        "sources": [{"platform": "linkedin", "status": "parsed"}],
        "analysis_coverage": sample_analysis_coverage(),
    }


def sample_application() -> dict[str, Any]:
    return {
        "application_id": "0123456789abcdef0123456789abcdef",
        "status": "scored",
        "reference": "loan-42",
        "created_at": 1_780_000_000,
        "updated_at": 1_780_000_030,
        "sources": [
            {"platform": "linkedin", "status": "parsed", "reason_code": None, "reason": None, "warnings": 0},
            {
                "platform": "facebook",
                "status": "rejected",
                "reason_code": "NOT_A_ZIP",
                "reason": "the file is not a zip archive",
                "warnings": 1,
            },
        ],
    }
