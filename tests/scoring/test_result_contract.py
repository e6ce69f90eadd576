"""The stored result's JSON shape: the fields the score Lambda, the report, the CLI and the web page read."""

from __future__ import annotations

import datetime as dt

import pytest

from credscore.evidence import (
    AnalysisStatus,
    Evidence,
    ImageAnalysis,
    NameCounts,
    PlatformText,
    ProfanityAnalysis,
    SentimentCounts,
    TextAnalysis,
)
from credscore.profile import Account, BirthDate, Platform, Profile, SourceReport, SourceStatus
from credscore.scoring.config import FeatureId, load_default_config
from credscore.scoring.features import FeatureVector, extract_features
from credscore.scoring.scorer import ScoreResult, score

TODAY = dt.date(2025, 6, 15)
OK = AnalysisStatus.OK


def _profile() -> Profile:
    p = Profile(
        application_id="app-contract",
        sources=[SourceReport(platform=Platform.LINKEDIN, status=SourceStatus.PARSED)],
    )
    src = p.add_file(Platform.LINKEDIN, "Profile.csv")
    return p.model_copy(
        update={
            "birth_dates": [BirthDate(year=1990, month=3, day=2, src=src)],
            "accounts": [
                Account(platform=Platform.LINKEDIN, connections=400, invitations_received=40, src=src)
            ],
            "skills": ["Python", "SQL", "python"],
        }
    )


def _evidence() -> Evidence:
    return Evidence(
        text=TextAnalysis(
            status=OK,
            platforms=[
                PlatformText(
                    platform=Platform.LINKEDIN,
                    posts=SentimentCounts(analysed=10, positive=6, negative=1, neutral=3),
                    comments=SentimentCounts(analysed=4, positive=2, negative=2),
                )
            ],
        ),
        profanity=ProfanityAnalysis(status=OK, groups=NameCounts(total=4, flagged=1)),
        images=ImageAnalysis(status=AnalysisStatus.FAILED, error="model missing"),
    )


@pytest.fixture
def document() -> dict:
    features = extract_features(_profile(), _evidence(), TODAY)
    return score(features, load_default_config()).model_dump(mode="json")


def test_result_has_every_field_the_consumers_read(document: dict) -> None:
    for key in (
        "breakdown",
        "total_points",
        "max_possible",
        "max_configured",
        "normalised_score",
        "normalised_range",
        "reasons",
        "coverage",
        "eligibility",
        "config_version",
        "min_possible",
        "scale",
    ):
        assert key in document, key
    assert set(document["normalised_range"]) == {"min", "max"}
    assert {"kind", "min", "max", "calibrated", "text"} <= set(document["scale"])
    assert {"ratio", "with_evidence", "missing"} <= set(document["coverage"])
    assert {"eligible", "reason", "reason_code"} <= set(document["eligibility"])
    row_keys = {
        "feature",
        "priority",
        "weight",
        "value",
        "points",
        "points_below_max",
        "has_evidence",
        "enabled",
        "missing_points",
        "reference_points",
        "points_below_reference",
        "bin",
    }
    assert all(row_keys <= set(row) for row in document["breakdown"])
    assert [row["feature"] for row in document["breakdown"]] == [f.value for f in FeatureId]
    reason_keys = {
        "code",
        "feature",
        "text",
        "points_below_max",
        "points_below_reference",
        "reference_points",
    }
    assert all(reason_keys <= set(r) for r in document["reasons"])


def test_coverage_lists_features_with_and_without_evidence(document: dict) -> None:
    coverage = document["coverage"]
    assert "images" in coverage["missing"]  # the image branch failed: missing, not zero
    assert "images" not in coverage["with_evidence"]
    assert {"age", "connections", "skills", "positive_posts", "invitations"} <= set(coverage["with_evidence"])
    for disabled in ("education", "negative_groups"):  # off by default: neither scored nor missing
        assert disabled not in coverage["missing"] + coverage["with_evidence"]
    scored = [r["feature"] for r in document["breakdown"] if r["enabled"] and r["has_evidence"]]
    assert coverage["with_evidence"] == scored
    images = next(r for r in document["breakdown"] if r["feature"] == "images")
    assert (images["points"], images["bin"]) == (images["missing_points"], "missing")
    assert coverage["ratio"] == pytest.approx(len(scored) / (len(scored) + len(coverage["missing"])))


def test_totals_sum_the_rows_of_enabled_characteristics(document: dict) -> None:
    rows = [r for r in document["breakdown"] if r["enabled"]]
    assert document["total_points"] == pytest.approx(sum(r["points"] for r in rows))
    assert document["max_possible"] == pytest.approx(sum(r["weight"] for r in rows))
    assert document["min_possible"] == pytest.approx(sum(r["min_points"] for r in rows))
    assert document["max_configured"] == document["max_possible"]
    assert all(r["points"] is None for r in document["breakdown"] if not r["enabled"])


def test_stored_features_and_results_round_trip(document: dict) -> None:
    features = extract_features(_profile(), _evidence(), TODAY)
    stored = features.model_dump(mode="json")
    again = FeatureVector.model_validate(stored)
    assert again == features
    rescored = score(again, load_default_config()).model_dump(mode="json")
    assert rescored == document
    assert ScoreResult.model_validate(document).model_dump(mode="json") == document
