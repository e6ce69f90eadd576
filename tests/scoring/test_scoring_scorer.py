"""score(): bounded, monotone, deterministic, missing evidence neutral; eligibility edges; reasons ranking."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import credscore
from credscore.scoring.config import FeatureId, ScoringConfig, load_default_config
from credscore.scoring.curves import points_for
from credscore.scoring.features import FeatureValue, FeatureVector
from credscore.scoring.scorer import score

DEFAULT = load_default_config()
ALL_ON = DEFAULT.model_copy(
    update={
        "features": DEFAULT.features.model_copy(
            update={
                "education": DEFAULT.features.education.model_copy(update={"enabled": True}),
                "interaction_frequency": DEFAULT.features.interaction_frequency.model_copy(
                    update={"enabled": True}
                ),
            }
        )
    }
)

UP = [
    FeatureId.POSITIVE_POSTS,
    FeatureId.COMMENTS,
    FeatureId.EDUCATION,
    FeatureId.INTERACTION_FREQUENCY,
    FeatureId.CONNECTIONS,
    FeatureId.SKILLS,
    FeatureId.LIKES,
    FeatureId.INVITATIONS,
]
DOWN = [FeatureId.NEGATIVE_POSTS, FeatureId.NEGATIVE_GROUPS, FeatureId.NEGATIVE_PAGES, FeatureId.IMAGES]

# value ranges each feature can take (shares in [0,1], balance in [-1,1], counts ≥ 0, age in years)
RANGES: dict[FeatureId, tuple[float, float]] = {
    FeatureId.AGE: (18, 64.99),
    FeatureId.POSITIVE_POSTS: (0, 1),
    FeatureId.NEGATIVE_POSTS: (0, 1),
    FeatureId.NEGATIVE_GROUPS: (0, 1),
    FeatureId.NEGATIVE_PAGES: (0, 1),
    FeatureId.IMAGES: (0, 1),
    FeatureId.COMMENTS: (-1, 1),
    FeatureId.EDUCATION: (0, 10),
    FeatureId.INTERACTION_FREQUENCY: (0, 20),
    FeatureId.CONNECTIONS: (0, 200_000),
    FeatureId.SKILLS: (0, 60),
    FeatureId.LIKES: (0, 500),
    FeatureId.INVITATIONS: (0, 3),
}


def vector(**values: float | None) -> FeatureVector:
    return FeatureVector(values={f: FeatureValue(value=values.get(f.value)) for f in FeatureId})


@st.composite
def vectors(draw: st.DrawFn) -> FeatureVector:
    values: dict[str, float | None] = {}
    for f, (low, high) in RANGES.items():
        if draw(st.booleans()):
            values[f.value] = draw(st.floats(low, high, allow_nan=False))
    return vector(**values)


@st.composite
def configs(draw: st.DrawFn) -> ScoringConfig:
    weights = {p: draw(st.floats(0, 500, allow_nan=False)) for p in ("P1", "P2", "P3")}
    assume(weights["P1"] > 0)
    shape = draw(st.sampled_from(["linear", "log"]))
    features = ALL_ON.features.model_copy(
        update={
            "connections": ALL_ON.features.connections.model_copy(
                update={"saturation": draw(st.floats(1, 1e6)), "shape": shape}
            ),
            "likes": ALL_ON.features.likes.model_copy(update={"saturation": draw(st.floats(0.1, 1e3))}),
        }
    )
    return ALL_ON.model_copy(
        update={"priority_weights": ALL_ON.priority_weights.model_validate(weights), "features": features}
    )


# ----------------------------------------------------------------------------------------------- curves
@settings(deadline=None)  # shared CI cores: no timing in tests
@given(st.sampled_from(UP + DOWN), st.data(), configs())
def test_every_curve_is_bounded_and_monotone_in_its_direction(
    feature: FeatureId, data: st.DataObject, config: ScoringConfig
) -> None:
    low, high = RANGES[feature]
    a, b = sorted(data.draw(st.lists(st.floats(low - 5, high * 2 + 5), min_size=2, max_size=2)))
    weight = config.weight_of(feature)
    pa, pb = points_for(feature, a, config), points_for(feature, b, config)
    assert 0 <= pa <= weight
    assert 0 <= pb <= weight
    if feature in UP:
        assert pa <= pb + 1e-9
    else:
        assert pa >= pb - 1e-9


@settings(deadline=None)  # shared CI cores: no timing in tests
@given(st.floats(0, 120), st.floats(0, 120))
def test_age_curve_rises_to_the_peak_then_falls_and_is_zero_outside_the_range(a: float, b: float) -> None:
    a, b = sorted((a, b))
    pa, pb = points_for(FeatureId.AGE, a, DEFAULT), points_for(FeatureId.AGE, b, DEFAULT)
    assert 0 <= pa <= 100
    if b <= 35:
        assert pa <= pb
    if a >= 35:
        assert pa >= pb
    if a < 18 or a >= 65:
        assert pa == 0


def test_curve_formulas_at_known_points() -> None:
    assert points_for(FeatureId.CONNECTIONS, 40_000, DEFAULT) == pytest.approx(50)
    assert points_for(FeatureId.CONNECTIONS, 1e9, DEFAULT) == pytest.approx(100)
    assert points_for(FeatureId.SKILLS, 5, DEFAULT) == pytest.approx(10)
    assert points_for(FeatureId.NEGATIVE_GROUPS, 0.25, DEFAULT) == pytest.approx(60)
    assert points_for(FeatureId.COMMENTS, 0.0, DEFAULT) == pytest.approx(40)
    assert points_for(FeatureId.IMAGES, 0.1, DEFAULT) == pytest.approx(90)
    assert points_for(FeatureId.INVITATIONS, 0.25, DEFAULT) == pytest.approx(25)
    log = DEFAULT.model_copy(
        update={
            "features": DEFAULT.features.model_copy(
                update={"connections": DEFAULT.features.connections.model_copy(update={"shape": "log"})}
            )
        }
    )
    assert points_for(FeatureId.CONNECTIONS, 1000, log) == pytest.approx(
        100 * math.log1p(1000) / math.log1p(80000)
    )


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
    age_row = next(b for b in result.breakdown if b.feature == FeatureId.AGE)
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
    assert result.total_points == pytest.approx(100)
    assert result.max_possible == pytest.approx(200)


def test_unknown_age_is_eligible_unless_required() -> None:
    assert score(vector(skills=10), DEFAULT).status == "scored"
    strict = DEFAULT.model_copy(
        update={"eligibility": DEFAULT.eligibility.model_copy(update={"require_known_age": True})}
    )
    result = score(vector(skills=10), strict)
    assert result.status == "ineligible"
    assert result.eligibility.reason_code == "age_unknown"


def test_disabled_age_feature_is_not_scored_but_eligibility_still_applies() -> None:
    no_age = DEFAULT.model_copy(
        update={
            "features": DEFAULT.features.model_copy(
                update={"age": DEFAULT.features.age.model_copy(update={"enabled": False})}
            )
        }
    )
    result = score(vector(age=40, skills=25), no_age)
    row = next(b for b in result.breakdown if b.feature == FeatureId.AGE)
    assert (row.enabled, row.points, row.value) == (False, None, None)
    assert result.max_possible == 50
    assert result.normalised_score == pytest.approx(900)
    assert score(vector(age=16, skills=25), no_age).status == "ineligible"


# ----------------------------------------------------------------------------------------------- totals
def test_known_totals_and_normalisation() -> None:
    result = score(vector(age=35, positive_posts=0.5, skills=5, connections=None), DEFAULT)
    assert result.total_points == pytest.approx(100 + 50 + 10)
    assert result.max_possible == pytest.approx(250)
    assert result.max_configured == pytest.approx(5 * 100 + 3 * 80 + 3 * 50)
    assert result.normalised_score == pytest.approx(300 + 600 * 160 / 250)
    assert result.coverage.features_with_evidence == 3
    assert result.coverage.features_enabled == 11
    assert result.coverage.ratio == pytest.approx(3 / 11)
    assert FeatureId.CONNECTIONS in result.coverage.missing
    assert FeatureId.EDUCATION not in result.coverage.missing  # disabled, so not expected
    assert result.config_version == DEFAULT.version
    assert result.code_version == credscore.__version__


def test_no_evidence_gives_no_score() -> None:
    result = score(vector(), DEFAULT)
    assert result.status == "insufficient_evidence"
    assert result.normalised_score is None
    assert result.max_possible == 0
    assert result.coverage.ratio == 0


def test_minimum_number_of_scored_features() -> None:
    picky = DEFAULT.model_copy(update={"min_scored_features": 3})
    assert score(vector(age=30, skills=3), picky).status == "insufficient_evidence"
    assert score(vector(age=30, skills=3, likes=1), picky).status == "scored"


@settings(deadline=None, max_examples=150)
@given(vectors(), configs())
def test_score_is_bounded(fv: FeatureVector, config: ScoringConfig) -> None:
    result = score(fv, config)
    assert -1e-9 <= result.total_points <= result.max_possible + 1e-6
    assert result.max_possible <= result.max_configured + 1e-9
    for row in result.breakdown:
        if row.points is not None:
            assert 0 <= row.points <= row.weight
            assert row.points_below_max == pytest.approx(row.weight - row.points)
    if result.normalised_score is not None:
        assert 300 - 1e-6 <= result.normalised_score <= 900 + 1e-6


# (A former "independent of feature order" property held by construction: the scorer looks features up by id.)
@settings(deadline=None)  # shared CI cores: no timing in tests
@given(vectors(), vectors(), configs(), st.sets(st.sampled_from([f for f in RANGES if f != FeatureId.AGE])))
def test_disabled_features_never_change_the_score(
    fv: FeatureVector, other: FeatureVector, config: ScoringConfig, disabled: set[FeatureId]
) -> None:
    """Whatever evidence a disabled feature has (or lacks), the score is the same. Age is left out: eligibility
    reads it even when it earns no points."""
    features = config.features.model_copy(
        update={f.value: config.features.get(f).model_copy(update={"enabled": False}) for f in disabled}
    )
    config = config.model_copy(update={"features": features})
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
@given(vectors(), st.sampled_from(UP + DOWN), st.floats(0, 1))
def test_a_better_value_never_lowers_the_score(fv: FeatureVector, feature: FeatureId, step: float) -> None:
    low, high = RANGES[feature]
    current = fv.get(feature).value
    base = current if current is not None else low
    better = base + step * (high - low) if feature in UP else base - step * (high - low)
    improved = FeatureVector(values={**fv.values, feature: FeatureValue(value=better)})
    before, after = (
        score(FeatureVector(values={**fv.values, feature: FeatureValue(value=base)}), ALL_ON),
        score(improved, ALL_ON),
    )
    if before.normalised_score is not None:
        assert after.normalised_score is not None
        assert after.normalised_score >= before.normalised_score - 1e-9


@settings(deadline=None)  # shared CI cores: no timing in tests
@given(vectors())
def test_missing_evidence_is_neutral_at_the_average(fv: FeatureVector) -> None:
    """Removing a feature that scored exactly the others' average leaves the normalised score unchanged."""
    others = score(fv.without(FeatureId.POSITIVE_POSTS), ALL_ON)
    assume(others.status == "scored")
    average = others.total_points / others.max_possible
    with_it = score(
        FeatureVector(values={**fv.values, FeatureId.POSITIVE_POSTS: FeatureValue(value=average)}), ALL_ON
    )
    assert with_it.normalised_score == pytest.approx(others.normalised_score)
    assert with_it.max_possible == pytest.approx(others.max_possible + 100)
    assert with_it.coverage.features_with_evidence == others.coverage.features_with_evidence + 1


@settings(deadline=None)  # shared CI cores: no timing in tests
@given(vectors(), st.sampled_from(list(FeatureId)))
def test_removing_evidence_shrinks_max_possible_by_that_weight(fv: FeatureVector, feature: FeatureId) -> None:
    assume(fv.get(feature).value is not None)
    full, reduced = score(fv, ALL_ON), score(fv.without(feature), ALL_ON)
    assert reduced.max_possible == pytest.approx(full.max_possible - ALL_ON.weight_of(feature))
    assert feature in reduced.coverage.missing
    assert reduced.max_configured == full.max_configured


def test_missing_source_is_not_punished_compared_to_the_seed() -> None:
    """Someone with only excellent evidence keeps an excellent score; a lack of evidence shows in coverage."""
    result = score(vector(age=35, negative_posts=0.0), DEFAULT)
    assert result.normalised_score == pytest.approx(900)
    assert result.coverage.ratio < 0.2


# ---------------------------------------------------------------------------------------------- reasons
def test_reasons_rank_by_points_below_max_ties_by_feature_id() -> None:
    result = score(
        vector(
            age=35,  # at max: never a reason
            images=0.5,  # 50 below
            negative_posts=0.5,  # 50 below (tie: 'images' < 'negative_posts')
            skills=0,  # 50 below (tie)
            connections=8000,  # 90 below
            comments=1.0,  # at max
            likes=45,  # 5 below
        ),
        DEFAULT,
    )
    assert [r.feature.value for r in result.reasons] == ["connections", "images", "negative_posts", "skills"]
    assert [r.points_below_max for r in result.reasons] == pytest.approx([90, 50, 50, 50])
    assert result.reasons[0].code == "few_connections"
    assert all(r.text for r in result.reasons)


def test_reasons_name_only_scored_features_and_respect_max_reasons() -> None:
    config = DEFAULT.model_copy(update={"max_reasons": 1})
    result = score(vector(skills=0, images=0.1), config)
    assert [r.feature for r in result.reasons] == [FeatureId.SKILLS]
    assert score(vector(age=35, skills=30), DEFAULT).reasons == []


def test_reason_codes_are_unique_per_feature() -> None:
    from credscore.scoring.scorer import REASONS

    assert set(REASONS) == set(FeatureId)
    assert len({code for code, _ in REASONS.values()}) == len(REASONS)
