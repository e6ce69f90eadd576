"""Edges of score() the broader scorer tests pass over (written for the survivors of `make mutate`, see
MUTATION.md)."""

from __future__ import annotations

import math
from typing import Any

from credscore.scoring.config import FeatureId, load_default_config, parse_config
from credscore.scoring.features import FeatureValue, FeatureVector
from credscore.scoring.scorer import (
    _GAP_EPSILON,
    ELIGIBILITY_TEXT,
    check_eligibility,
    rank_reasons,
    score,
    usable_value,
)
from tests.scoring.fitted import fitted_text

DEFAULT = load_default_config()
FITTED = parse_config(fitted_text())


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


def test_a_disabled_or_absent_characteristic_shows_what_it_would_weigh() -> None:
    features = FeatureVector(
        values={f: FeatureValue(value=2.0 if f is FeatureId.EDUCATION else None) for f in FeatureId}
    )
    rows = {r.feature: r for r in score(features, DEFAULT).breakdown}
    education = rows[FeatureId.EDUCATION]  # disabled in the default scorecard, with evidence
    assert (education.enabled, education.priority, education.weight) == (False, "P3", 50.0)
    assert (education.has_evidence, education.value, education.points) == (True, None, None)
    assert rows[FeatureId.NEGATIVE_GROUPS].has_evidence is False  # disabled, without evidence
    absent = {r.feature: r for r in score(features, FITTED).breakdown}[FeatureId.EDUCATION]  # not in the card
    assert (absent.enabled, absent.priority, absent.weight, absent.has_evidence) == (False, None, 0.0, True)
