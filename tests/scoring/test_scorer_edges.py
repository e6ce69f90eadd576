"""Edges of score() the broader scorer tests pass over (written for the survivors of `make mutate`, see
MUTATION.md)."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from credscore.scoring.config import FeatureId, default_config_text, load_default_config, parse_config
from credscore.scoring.features import FeatureValue, FeatureVector
from credscore.scoring.scorer import (
    _GAP_EPSILON,
    ELIGIBILITY_TEXT,
    check_eligibility,
    rank_reasons,
    score,
    usable_value,
)
from tests.scoring.fitted import FITTED as FITTED_DOC
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


def _small_fitted() -> Any:
    """A fitted card of two binned characteristics whose sums do not survive a rescale exactly (1.9, 8.1, 5.8),
    and a categorical age worth nothing (only its categories matter)."""
    doc = copy.deepcopy(FITTED_DOC)
    del doc["scorecard"]["development"]
    doc["scorecard"]["characteristics"] = {
        "connections": {
            "direction": "ascending",
            "bins": [{"upper": 50.0, "points": 1.7}, {"upper": None, "points": 4.0}],
            "missing_points": 2.0,
        },
        "negative_posts": {
            "direction": "descending",
            "bins": [{"upper": 0.1, "points": 4.1}, {"upper": None, "points": 0.2}],
            "missing_points": 2.0,
        },
        "age": {
            "direction": "none",
            "categories": [{"values": [30, 40], "points": 0.0}],
            "missing_points": 0.0,
        },
    }
    return parse_config(json.dumps(doc))


SMALL_FITTED = _small_fitted()


def _features(**values: float | None) -> FeatureVector:
    return FeatureVector(values={f: FeatureValue(value=values.get(f.value)) for f in FeatureId})


def test_a_value_in_no_category_earns_the_missing_points_with_a_note_and_the_age_still_decides() -> None:
    result = score(_features(age=17.0, connections=10.0), SMALL_FITTED)
    rows = {r.feature: r for r in result.breakdown}
    age = rows[FeatureId.AGE]
    assert (age.has_evidence, age.value, age.points, age.bin) == (False, None, 0.0, "missing")
    assert age.notes == ["value in no category of the scorecard; treated as missing"]
    assert rows[FeatureId.CONNECTIONS].notes == [], "a value in a bin has no note"
    assert rows[FeatureId.NEGATIVE_POSTS].notes == [], "no evidence at all is not 'in no category'"
    # the age is known although the scorecard has no category for it: an applicant under 18 is not scored
    assert (result.eligibility.age, result.eligibility.reason_code) == (17.0, "age_below_minimum")
    assert (result.status, result.normalised_score) == ("ineligible", None)
    scored = score(_features(age=30.0, connections=10.0), SMALL_FITTED)
    assert {r.feature: r for r in scored.breakdown}[FeatureId.AGE].notes == []
    assert (scored.status, scored.eligibility.age) == ("scored", 30.0)


def test_a_fitted_score_is_exactly_the_sum_of_its_points() -> None:
    result = score(_features(age=30.0, connections=10.0, negative_posts=0.05), SMALL_FITTED)
    assert (result.min_possible, result.max_possible, result.total_points) == (1.9, 8.1, 5.8)
    # rescaled onto its own range it would read 5.800000000000001
    assert (result.status, result.normalised_score) == ("scored", 5.8)
    assert (result.normalised_range.min, result.normalised_range.max) == (1.9, 8.1)


def test_a_handset_scale_says_it_is_not_calibrated() -> None:
    scale = score(_features(age=30.0, connections=10.0), DEFAULT).scale
    assert scale is not None
    assert (scale.kind, scale.min, scale.max, scale.calibrated, scale.pdo) == (
        "handset",
        300.0,
        900.0,
        False,
        None,
    )
    assert scale.text == (
        "Hand-set points rescaled onto 300 to 900, higher is better; not calibrated to repayment data, so there "
        "are no odds behind a score."
    )


def test_a_handset_score_is_rescaled_from_the_fewest_possible_points_not_from_zero() -> None:
    doc = json.loads(default_config_text())
    knots = {"direction": "ascending", "priority": "P3", "missing_points": 20.0, "reference_points": 24.0}
    doc["scorecard"]["characteristics"] = {
        "skills": {**knots, "knots": [{"x": 0.0, "points": 10.0}, {"x": 25.0, "points": 50.0}]},
        "connections": {**knots, "knots": [{"x": 0.0, "points": 0.0}, {"x": 100.0, "points": 40.0}]},
    }
    result = score(_features(skills=12.5), parse_config(json.dumps(doc)))
    # skills 30 of [10, 50], connections missing 20 of [0, 40]: 50 of [10, 90] is halfway, 600 on 300..900
    assert (result.total_points, result.min_possible, result.max_possible) == (50.0, 10.0, 90.0)
    assert (result.status, result.normalised_score) == ("scored", 600.0)
    assert (result.coverage.features_enabled, result.coverage.features_with_evidence) == (2, 1)
    assert result.coverage.ratio == 0.5
