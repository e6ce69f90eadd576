"""The champion/challenger comparison (credscore.model_compare), by hand on small populations."""

from __future__ import annotations

import json
from typing import Any

import pytest

from credscore.model_compare import compare, feature_vector, headline_score, shadow_row
from credscore.monitoring import psi
from credscore.scoring.config import FeatureId, load_default_config, parse_config


def _row(active: float | None, candidate: float | None, ar: list[str], cr: list[str]) -> dict[str, Any]:
    def side(score: float | None, reasons: list[str]) -> dict[str, Any]:
        return {"status": "scored" if score is not None else "ineligible", "score": score, "reasons": reasons}

    return {"active": side(active, ar), "candidate": side(candidate, cr)}


ROWS = [
    _row(500.0, 520.0, ["few_connections", "few_skills"], ["few_skills"]),
    _row(600.0, 590.0, ["few_connections"], ["few_connections"]),
    _row(700.0, 760.0, ["few_likes"], ["few_skills", "few_likes"]),
    _row(None, 650.0, [], ["few_connections"]),
]


def test_approval_at_a_cutoff_with_swaps() -> None:
    report = compare(ROWS, cutoff=595.0)
    approval = report["approval"]
    # active approves 600 and 700 (2 of 4); the candidate approves 760 and 650 (2 of 4): 590 drops out, 650 comes in
    assert approval["active_rate"] == 0.5
    assert approval["candidate_rate"] == 0.5
    assert approval["change"] == 0.0
    assert (approval["swap_in"], approval["swap_out"]) == (1, 1)
    assert approval["cutoff_source"] == "given"


def test_a_separate_candidate_cutoff_for_another_scale() -> None:
    approval = compare(ROWS, cutoff=595.0, candidate_cutoff=700.0)["approval"]
    assert approval["candidate_rate"] == 0.25
    assert approval["change"] == -0.25


def test_without_a_cutoff_the_active_median_is_used_and_said() -> None:
    approval = compare(ROWS)["approval"]
    assert approval["cutoff"] == 600.0  # median of 500, 600, 700
    assert "median" in approval["cutoff_source"]


def test_score_shift_only_where_both_scored() -> None:
    report = compare(ROWS, cutoff=595.0)
    shift = report["score_shift"]
    assert shift["mean"] == pytest.approx((20 - 10 + 60) / 3)
    assert (shift["min"], shift["median"], shift["max"]) == (-10.0, 20.0, 60.0)
    assert report["scored"] == {"active": 3, "candidate": 4}
    assert report["status_changes"] == {"ineligible -> scored": 1}


def test_reasons_that_change() -> None:
    reasons = compare(ROWS, cutoff=595.0)["reasons"]
    assert reasons["applications_whose_reasons_change"] == 3  # rows 1, 3 and 4
    assert reasons["applications_whose_first_reason_changes"] == 3
    assert reasons["by_code"]["few_connections"] == {
        "active": 2,
        "candidate": 2,
        "active_first": 2,
        "candidate_first": 2,
    }
    assert reasons["by_code"]["few_skills"] == {
        "active": 1,
        "candidate": 2,
        "active_first": 0,
        "candidate_first": 2,
    }


def test_psi_is_over_the_active_deciles_plus_no_score() -> None:
    report = compare(ROWS, cutoff=595.0)["psi"]
    # edges from the active scores [500, 600, 700] in deciles: 600 and 700 (distinct cuts above the minimum)
    assert report["edges"] == [600.0, 700.0]
    assert report["active_shares"] == [0.25, 0.25, 0.25, 0.25]
    assert report["candidate_shares"] == [0.5, 0.25, 0.25, 0.0]  # 520, 590 | 650 | 760 | none
    assert report["value"] == pytest.approx(psi([0.25, 0.25, 0.25, 0.25], [0.5, 0.25, 0.25, 0.0]))


def test_an_empty_population_reports_zeros() -> None:
    report = compare([])
    assert report["applications"] == 0
    assert report["psi"]["value"] == 0.0
    assert report["score_shift"] is None


def test_headline_score_prefers_a_score_field_and_ignores_non_numbers() -> None:
    assert headline_score({"score": 612.5, "normalised_score": 700.0}) == 612.5
    assert headline_score({"normalised_score": 700}) == 700.0
    assert headline_score({"normalised_score": None}) is None
    assert headline_score({"score": float("nan")}) is None


def test_shadow_row_scores_the_same_values_under_both_configurations() -> None:
    active = load_default_config()
    document = json.loads(json.dumps(active.model_dump(mode="json")))
    document["version"] = "no-connections"
    document["scorecard"]["characteristics"]["connections"]["enabled"] = False
    candidate = parse_config(json.dumps(document))
    values = {f.value: None for f in FeatureId} | {"connections": 120.0, "skills": 10.0, "age": 30.0}
    row = shadow_row(values, active, candidate)
    assert row["active"]["status"] == row["candidate"]["status"] == "scored"
    assert "few_connections" in row["active"]["reasons"]
    assert "few_connections" not in row["candidate"]["reasons"]
    assert row["active"]["score"] != row["candidate"]["score"]


def test_feature_vector_ignores_unknown_names_and_keeps_missing_as_missing() -> None:
    vector = feature_vector({"connections": 5.0, "shoe_size": 44.0, "skills": None})
    assert vector.get(FeatureId.CONNECTIONS).value == 5.0
    assert vector.get(FeatureId.SKILLS).value is None
    assert vector.get(FeatureId.LIKES).value is None
