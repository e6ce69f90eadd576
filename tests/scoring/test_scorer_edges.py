"""Edges of score() the broader scorer tests pass over (written for the survivors of `make mutate`, see
MUTATION.md)."""

from __future__ import annotations

import math
from typing import Any

from credscore.scoring.config import FeatureId, load_default_config
from credscore.scoring.scorer import (
    _GAP_EPSILON,
    ELIGIBILITY_TEXT,
    check_eligibility,
    rank_reasons,
    usable_value,
)

DEFAULT = load_default_config()


def _row(feature: FeatureId, gap: float) -> dict[str, Any]:
    return {
        "feature": feature,
        "enabled": True,
        "has_evidence": True,
        "points_below_reference": gap,
        "points_below_max": gap,
        "reference_points": 10.0,
    }


def test_a_gap_of_float_noise_is_no_reason() -> None:
    assert DEFAULT.scorecard.characteristics[FeatureId.SKILLS].has_spread()
    rows = [_row(FeatureId.SKILLS, _GAP_EPSILON), _row(FeatureId.CONNECTIONS, 2 * _GAP_EPSILON)]
    assert [r["feature"] for r in rank_reasons(rows, DEFAULT, limit=5)] == [FeatureId.CONNECTIONS]


def test_an_ineligible_applicant_is_told_why_in_words() -> None:
    too_young = check_eligibility(12.0, DEFAULT)
    assert too_young["reason_code"] == "age_below_minimum"
    assert too_young["reason"] == ELIGIBILITY_TEXT["age_below_minimum"]
    assert check_eligibility(35.0, DEFAULT)["reason"] is None


def test_the_notes_say_why_a_value_was_not_scored() -> None:
    assert usable_value(FeatureId.SKILLS, math.inf) == (None, "value not a finite number; treated as missing")
    assert usable_value(FeatureId.SKILLS, -1.0) == (None, "value outside [0, 1e+12]; treated as missing")
    assert usable_value(FeatureId.SKILLS, 3.0) == (3.0, None)
