"""score(): bounded, monotone, deterministic, missing evidence neutral; eligibility edges; reasons against a
baseline; non-finite guards; a fitted scorecard's points on the PDO scale."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import credscore
from credscore.scoring.characteristic import Characteristic
from credscore.scoring.config import (
    FeatureId,
    ScoringConfig,
    load_default_config,
    parse_config,
)
from credscore.scoring.curves import bin_points
from credscore.scoring.features import FeatureValue, FeatureVector
from credscore.scoring.scorer import VALID_RANGE, score
from tests.scoring.fitted import fitted_text

DEFAULT = load_default_config()
FITTED = parse_config(fitted_text())


def _with(config: ScoringConfig, **chars: Characteristic) -> ScoringConfig:
    card = config.scorecard
    merged = {**card.characteristics, **{FeatureId(k): v for k, v in chars.items()}}
    return config.model_copy(update={"scorecard": card.model_copy(update={"characteristics": merged})})


ALL_ON = _with(
    DEFAULT,
    **{f.value: c.model_copy(update={"enabled": True}) for f, c in DEFAULT.scorecard.characteristics.items()},
)
CHARS = DEFAULT.scorecard.characteristics


def vector(**values: float | None) -> FeatureVector:
    return FeatureVector(values={f: FeatureValue(value=values.get(f.value)) for f in FeatureId})


def points_of(config: ScoringConfig, feature: FeatureId, value: float) -> float:
    applied = bin_points(config.scorecard.characteristics[feature], value)
    assert applied is not None
    return applied[0]


@st.composite
def vectors(draw: st.DrawFn) -> FeatureVector:
    values: dict[str, float | None] = {}
    for f, (low, high) in VALID_RANGE.items():
        if draw(st.booleans()):
            values[f.value] = draw(st.floats(low, min(high, 1e5), allow_nan=False))
    return vector(**values)


def row(result: object, feature: FeatureId) -> object:
    return next(b for b in result.breakdown if b.feature == feature)  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------------------------- curves
@settings(deadline=None)  # shared CI cores: no timing in tests
@given(st.sampled_from([f for f in FeatureId if CHARS[f].direction != "none"]), st.data())
def test_every_default_curve_is_bounded_and_monotone_in_its_direction(
    feature: FeatureId, data: st.DataObject
) -> None:
    low, high = VALID_RANGE[feature]
    a, b = sorted(data.draw(st.lists(st.floats(low, min(high, 1e6)), min_size=2, max_size=2)))
    char = CHARS[feature]
    pa, pb = points_of(DEFAULT, feature, a), points_of(DEFAULT, feature, b)
    assert char.min_points() <= pa <= char.max_points()
    if char.direction == "ascending":
        assert pa <= pb + 1e-9
    else:
        assert pa >= pb - 1e-9


@settings(deadline=None)  # shared CI cores: no timing in tests
@given(st.floats(0, 120), st.floats(0, 120))
def test_age_curve_rises_to_the_peak_then_falls_and_is_zero_outside_the_range(a: float, b: float) -> None:
    a, b = sorted((a, b))
    pa, pb = points_of(DEFAULT, FeatureId.AGE, a), points_of(DEFAULT, FeatureId.AGE, b)
    assert 0 <= pa <= 100
    if a >= 18 and b <= 35:
        assert pa <= pb
    if a >= 35:
        assert pa >= pb
    if a < 18 or a >= 65:
        assert pa == 0


def test_curve_values_at_known_points() -> None:
    assert points_of(DEFAULT, FeatureId.CONNECTIONS, 150) == pytest.approx((38.8 + 52.0) / 2)
    assert points_of(DEFAULT, FeatureId.CONNECTIONS, 1e9) == 100
    assert points_of(DEFAULT, FeatureId.SKILLS, 5) == pytest.approx(10)
    assert points_of(DEFAULT, FeatureId.COMMENTS, 0.0) == pytest.approx(40)
    assert points_of(DEFAULT, FeatureId.IMAGES, 0.1) == pytest.approx(90)
    assert points_of(DEFAULT, FeatureId.INVITATIONS, 15) == pytest.approx((18 + 26.4) / 2)


@pytest.mark.parametrize(
    ("age", "eligible", "code", "points"),
    [
        (17, False, "age_below_minimum", 0.0),
        (18, True, None, 50.0),
        (35, True, None, 100.0),
        (50, True, None, 75.0),
        (64, True, None, 100 - 50 * 29 / 30),
        (64.99, True, None, 100 - 50 * 29.99 / 30),
        (65, False, "age_above_maximum", 0.0),
        (66, False, "age_above_maximum", 0.0),
    ],
)
def test_eligibility_edges(age: int, eligible: bool, code: str | None, points: float) -> None:
    result = score(vector(age=age, positive_posts=0.5), DEFAULT)
    assert result.eligibility.eligible is eligible
    assert result.eligibility.reason_code == code
    age_row = row(result, FeatureId.AGE)
    assert age_row.points == pytest.approx(points)
    assert age_row.value == age  # facts stay in the breakdown even when ineligible
    if eligible:
        assert result.status == "scored"
        assert result.normalised_score is not None
    else:
        assert result.status == "ineligible"
        assert result.normalised_score is None
        assert result.reasons == []


def test_eligibility_not_enforced_scores_with_zero_age_points() -> None:
    lenient = DEFAULT.model_copy(
        update={"eligibility": DEFAULT.eligibility.model_copy(update={"enforce": False})}
    )
    result = score(vector(age=17, positive_posts=1.0), lenient)
    assert result.eligibility.eligible
    assert result.eligibility.reason_code == "age_below_minimum"
    assert row(result, FeatureId.AGE).points == 0
    others = sum(
        c.missing_points for f, c in CHARS.items() if c.enabled and f not in ("age", "positive_posts")
    )
    assert result.total_points == pytest.approx(100 + others)


def test_unknown_age_is_eligible_unless_required() -> None:
    assert score(vector(skills=10), DEFAULT).status == "scored"
    strict = DEFAULT.model_copy(
        update={"eligibility": DEFAULT.eligibility.model_copy(update={"require_known_age": True})}
    )
    result = score(vector(skills=10), strict)
    assert result.status == "ineligible"
    assert result.eligibility.reason_code == "age_unknown"


def test_disabled_age_feature_is_not_scored_but_eligibility_still_applies() -> None:
    no_age = _with(DEFAULT, age=CHARS[FeatureId.AGE].model_copy(update={"enabled": False}))
    result = score(vector(age=40, skills=25), no_age)
    age_row = row(result, FeatureId.AGE)
    assert (age_row.enabled, age_row.points, age_row.value) == (False, None, None)
    assert result.max_possible == pytest.approx(score(vector(age=40, skills=25), DEFAULT).max_possible - 100)
    assert score(vector(age=16, skills=25), no_age).status == "ineligible"


# ----------------------------------------------------------------------------------------------- totals
def test_known_totals_and_normalisation() -> None:
    result = score(vector(age=35, positive_posts=0.5, skills=5, connections=None), DEFAULT)
    enabled = {f: c for f, c in CHARS.items() if c.enabled}
    missing = sum(
        c.missing_points for f, c in enabled.items() if f not in ("age", "positive_posts", "skills")
    )
    assert result.total_points == pytest.approx(100 + 50 + 10 + missing)
    assert result.min_possible == 0
    assert result.max_possible == pytest.approx(sum(c.max_points() for c in enabled.values()))
    assert result.max_possible == pytest.approx(5 * 100 + 80 + 3 * 50)  # 730: groups and pages off
    assert result.normalised_score == pytest.approx(300 + 600 * result.total_points / result.max_possible)
    assert result.normalised_range.min == 300
    assert result.scale is not None
    assert (result.scale.kind, result.scale.calibrated, result.scale.min, result.scale.max) == (
        "handset",
        False,
        300,
        900,
    )
    assert result.coverage.features_with_evidence == 3
    assert result.coverage.features_enabled == 9
    assert FeatureId.CONNECTIONS in result.coverage.missing
    assert row(result, FeatureId.CONNECTIONS).points == CHARS[FeatureId.CONNECTIONS].missing_points
    assert row(result, FeatureId.CONNECTIONS).bin == "missing"
    assert FeatureId.NEGATIVE_GROUPS not in result.coverage.missing  # disabled, so not expected
    assert result.config_version == DEFAULT.version
    assert result.code_version == credscore.__version__


def test_no_evidence_gives_no_score() -> None:
    result = score(vector(), DEFAULT)
    assert result.status == "insufficient_evidence"
    assert result.normalised_score is None
    assert result.coverage.ratio == 0


def test_minimum_number_of_scored_features() -> None:
    picky = DEFAULT.model_copy(update={"min_scored_features": 3})
    assert score(vector(age=30, skills=3), picky).status == "insufficient_evidence"
    assert score(vector(age=30, skills=3, likes=1), picky).status == "scored"


@settings(deadline=None, max_examples=150)
@given(vectors(), st.sampled_from([DEFAULT, ALL_ON, FITTED]))
def test_score_is_bounded(fv: FeatureVector, config: ScoringConfig) -> None:
    result = score(fv, config)
    assert result.min_possible - 1e-9 <= result.total_points <= result.max_possible + 1e-6
    for b in result.breakdown:
        if b.points is not None:
            assert (b.min_points or 0) - 1e-9 <= b.points <= b.weight + 1e-9
            assert b.points_below_max == pytest.approx(b.weight - b.points)
    if result.normalised_score is not None:
        assert (
            result.normalised_range.min - 1e-6
            <= result.normalised_score
            <= result.normalised_range.max + 1e-6
        )


# (A former "independent of feature order" property held by construction: the scorer looks features up by id.)
@settings(deadline=None)  # shared CI cores: no timing in tests
@given(
    vectors(),
    vectors(),
    st.sampled_from([DEFAULT, ALL_ON, FITTED]),
    st.sets(st.sampled_from([f for f in VALID_RANGE if f != FeatureId.AGE])),
)
def test_disabled_features_never_change_the_score(
    fv: FeatureVector, other: FeatureVector, config: ScoringConfig, disabled: set[FeatureId]
) -> None:
    """Whatever evidence a disabled characteristic has (or lacks), the score is the same. Age is left out:
    eligibility reads it even when it earns no points."""
    chars = config.scorecard.characteristics
    config = _with(
        config, **{f.value: chars[f].model_copy(update={"enabled": False}) for f in disabled if f in chars}
    )
    swapped = FeatureVector(values={**fv.values, **{f: other.get(f) for f in disabled}})
    first, second = score(fv, config), score(swapped, config)
    assert (first.status, first.total_points, first.max_possible, first.normalised_score) == (
        second.status,
        second.total_points,
        second.max_possible,
        second.normalised_score,
    )
    assert [(r.feature, r.points) for r in first.breakdown if r.feature not in disabled] == [
        (r.feature, r.points) for r in second.breakdown if r.feature not in disabled
    ]


@settings(deadline=None)  # shared CI cores: no timing in tests
@given(vectors(), st.sampled_from([f for f in FeatureId if CHARS[f].direction != "none"]), st.floats(0, 1))
def test_a_better_value_never_lowers_the_score(fv: FeatureVector, feature: FeatureId, step: float) -> None:
    low, high = VALID_RANGE[feature]
    high = min(high, 1e5)
    current = fv.get(feature).value
    base = current if current is not None else low
    up = CHARS[feature].direction == "ascending"
    better = min(base + step * (high - low), high) if up else max(base - step * (high - low), low)
    before = score(FeatureVector(values={**fv.values, feature: FeatureValue(value=base)}), ALL_ON)
    after = score(FeatureVector(values={**fv.values, feature: FeatureValue(value=better)}), ALL_ON)
    if before.normalised_score is not None:
        assert after.normalised_score is not None
        assert after.normalised_score >= before.normalised_score - 1e-9


# ---------------------------------------------------------------------------------------------- missing
@settings(deadline=None)  # shared CI cores: no timing in tests
@given(vectors(), st.sampled_from(list(FeatureId)))
def test_missing_evidence_earns_the_missing_bin(fv: FeatureVector, feature: FeatureId) -> None:
    """Removing evidence replaces that characteristic's points by its Missing points, nothing else."""
    assume(fv.get(feature).value is not None)
    full, reduced = score(fv, ALL_ON), score(fv.without(feature), ALL_ON)
    was = row(full, feature).points
    assert was is not None
    assert row(reduced, feature).points == ALL_ON.scorecard.characteristics[feature].missing_points
    assert reduced.total_points - full.total_points == pytest.approx(
        ALL_ON.scorecard.characteristics[feature].missing_points - was, abs=1e-9
    )
    assert reduced.max_possible == full.max_possible
    assert feature in reduced.coverage.missing


@settings(deadline=None)  # shared CI cores: no timing in tests
@given(vectors(), st.sampled_from([f for f in FeatureId if CHARS[f].enabled]), st.data())
def test_withholding_pays_only_what_the_evidence_scored_below_the_neutral_points(
    fv: FeatureVector, feature: FeatureId, data: st.DataObject
) -> None:
    low, high = VALID_RANGE[feature]
    value = data.draw(st.floats(low, min(high, 1e5)))
    full = score(FeatureVector(values={**fv.values, feature: FeatureValue(value=value)}), DEFAULT)
    withheld = score(fv.without(feature), DEFAULT)
    assume(full.normalised_score is not None and withheld.normalised_score is not None)
    points = row(full, feature).points
    gain = (withheld.normalised_score or 0) - (full.normalised_score or 0)
    assert gain == pytest.approx((CHARS[feature].missing_points - points) * 600 / full.max_possible, abs=1e-6)
    if points >= CHARS[feature].missing_points:
        assert gain <= 1e-9


def test_an_applicant_with_excellent_evidence_keeps_a_high_score_and_lower_coverage() -> None:
    result = score(vector(age=35, negative_posts=0.0), DEFAULT)
    assert result.normalised_score is not None
    assert result.normalised_score > score(vector(age=35, negative_posts=0.5), DEFAULT).normalised_score  # type: ignore[operator]
    assert result.coverage.ratio < 0.25


# ---------------------------------------------------------------------------------------------- reasons
def test_reasons_are_characteristics_below_their_baseline_ranked_by_the_gap() -> None:
    result = score(
        vector(
            age=35,  # at max: never a reason
            images=0.5,  # 50 points, baseline 98: 48 below
            negative_posts=0.5,  # 50 points, baseline 80: 30 below
            skills=0,  # 0 points, baseline 24: 24 below
            connections=50,  # 27.1, baseline 64: 36.9 below
            comments=1.0,  # at max
            likes=45,  # above its baseline of 8
        ),
        DEFAULT,
    )
    assert [r.feature.value for r in result.reasons] == ["images", "connections", "negative_posts", "skills"]
    assert [r.points_below_reference for r in result.reasons] == pytest.approx([48, 36.9, 30, 24])
    assert [r.points_below_max for r in result.reasons] == pytest.approx([50, 72.9, 50, 50])
    assert result.reasons[1].code == "few_connections"
    assert all(r.text for r in result.reasons)


def test_above_the_baseline_is_no_reason_even_below_the_maximum() -> None:
    result = score(vector(connections=1000, skills=24, likes=45), DEFAULT)
    assert result.reasons == []
    assert row(result, FeatureId.CONNECTIONS).points_below_max > 0  # type: ignore[attr-defined]


def test_reasons_name_only_scored_characteristics_and_respect_max_reasons() -> None:
    config = DEFAULT.model_copy(update={"max_reasons": 1})
    result = score(vector(skills=0, images=0.1), config)
    assert [r.feature for r in result.reasons] == [FeatureId.SKILLS]
    assert all(r.feature not in result.coverage.missing for r in score(vector(skills=0), DEFAULT).reasons)


def test_ties_are_broken_by_feature_id() -> None:
    result = score(vector(negative_posts=0.5, positive_posts=0.22), DEFAULT)  # both 20 below
    assert [r.feature.value for r in result.reasons] == ["negative_posts", "positive_posts"]


def test_a_characteristic_without_spread_is_never_a_reason_and_missing_is_none() -> None:
    result = score(vector(connections=10, negative_posts=0.05), FITTED)
    assert [r.feature for r in result.reasons] == [FeatureId.CONNECTIONS]
    skills = row(result, FeatureId.SKILLS)
    assert skills.points == 190
    assert skills.points_below_reference == 10
    missing = score(vector(negative_posts=0.05), FITTED)  # connections missing: 170, far below 199
    assert missing.reasons == []


def test_baseline_defaults_to_the_best_bin() -> None:
    char = FITTED.scorecard.characteristics[FeatureId.CONNECTIONS].model_copy(
        update={"reference_points": None}
    )
    result = score(vector(connections=100), _with(FITTED, connections=char))
    (reason,) = result.reasons
    assert reason.reference_points == 210.25
    assert reason.points_below_reference == pytest.approx(210.25 - 195)


def test_reason_codes_are_unique_and_stable() -> None:
    from credscore.scoring.scorer import REASONS

    assert set(REASONS) == set(FeatureId)
    assert len({code for code, _ in REASONS.values()}) == len(REASONS)
    assert REASONS[FeatureId.CONNECTIONS][0] == "few_connections"
    assert REASONS[FeatureId.IMAGES][0] == "flagged_images"


# ------------------------------------------------------------------------------------------------ guards
@settings(deadline=None, max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from(list(FeatureId)),
        st.floats(allow_nan=True, allow_infinity=True) | st.none(),
        max_size=13,
    ),
    st.sampled_from([DEFAULT, ALL_ON, FITTED]),
)
def test_arbitrary_floats_never_give_a_non_finite_score(
    values: dict[FeatureId, float | None], config: ScoringConfig
) -> None:
    fv = FeatureVector(values={f: FeatureValue(value=v) for f, v in values.items()})
    result = score(fv, config)
    numbers = [result.total_points, result.min_possible, result.max_possible, result.coverage.ratio]
    numbers += [
        x for b in result.breakdown for x in (b.points, b.value, b.points_below_reference) if x is not None
    ]
    numbers += [r.points_below_max for r in result.reasons]
    if result.normalised_score is not None:
        numbers.append(result.normalised_score)
    assert all(math.isfinite(x) for x in numbers)
    assert result.eligibility.age is None or math.isfinite(result.eligibility.age)
    for feature, value in values.items():
        b = row(result, feature)
        usable = (
            value is not None
            and math.isfinite(value)
            and VALID_RANGE[feature][0] <= value <= VALID_RANGE[feature][1]
        )
        if b.enabled and value is not None and not usable:  # type: ignore[attr-defined]
            assert b.has_evidence is False
            assert b.value is None
            assert any("treated as missing" in n for n in b.notes)  # type: ignore[attr-defined]
        if b.enabled and usable:  # type: ignore[attr-defined]
            assert b.value == value  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, -1.0, 2.0])
def test_a_bad_share_is_missing_with_a_note_and_the_score_stays_finite(bad: float) -> None:
    result = score(vector(age=30, positive_posts=bad, skills=10), DEFAULT)
    b = row(result, FeatureId.POSITIVE_POSTS)
    assert (b.has_evidence, b.value, b.points) == (
        False,
        None,
        CHARS[FeatureId.POSITIVE_POSTS].missing_points,
    )  # type: ignore[attr-defined]
    assert b.notes
    assert "treated as missing" in b.notes[-1]
    assert result.status == "scored"
    assert math.isfinite(result.normalised_score or math.nan)
    assert result.normalised_score == score(vector(age=30, skills=10), DEFAULT).normalised_score


def test_a_non_finite_age_is_no_age() -> None:
    result = score(vector(age=math.nan, skills=10), DEFAULT)
    assert result.eligibility.age is None
    assert result.status == "scored"


# ------------------------------------------------------------------------------------------------ fitted
def test_a_fitted_scorecard_scores_the_sum_of_its_points_on_the_pdo_scale() -> None:
    result = score(vector(connections=120, negative_posts=0.2, skills=3), FITTED)
    assert result.total_points == pytest.approx(195 + 200 + 190)
    assert result.normalised_score == pytest.approx(585)
    assert (result.min_possible, result.max_possible) == (170 + 185 + 190, 210.25 + 215 + 190)
    assert (result.normalised_range.min, result.normalised_range.max) == (545, 615.25)
    assert result.scale is not None
    assert result.scale.kind == "fitted"
    assert result.scale.calibrated
    assert (result.scale.base_score, result.scale.base_odds, result.scale.pdo) == (600, 50, 20)
    assert "50:1" in result.scale.text
    assert row(result, FeatureId.CONNECTIONS).bin == "[50, 200)"  # type: ignore[attr-defined]
    assert row(result, FeatureId.AGE).enabled is False  # type: ignore[attr-defined]
    missing = score(vector(negative_posts=0.2), FITTED)
    assert missing.normalised_score == pytest.approx(170 + 200 + 190)  # informative Missing bin costs points


def test_the_best_score_is_the_published_maximum_exactly_whatever_the_range() -> None:
    # min + (max - min) * 1 was max + one ulp for some ranges (288.4 + 1103.8 = 1392.2000000000003).
    only_skills = {f.value: c.model_copy(update={"enabled": f == FeatureId.SKILLS}) for f, c in CHARS.items()}
    config = _with(DEFAULT, **only_skills).model_copy(
        update={
            "normalised_range": DEFAULT.normalised_range.model_copy(update={"min": 288.4, "max": 1392.2}),
            "min_scored_features": 1,
        }
    )
    result = score(vector(skills=1e5), config)
    assert result.total_points == pytest.approx(result.max_possible)
    assert result.normalised_score == 1392.2
