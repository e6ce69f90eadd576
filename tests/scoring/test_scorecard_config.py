"""The scorecard section of the configuration: bins, knots, categories, the Missing bin, semantic checks, the
shared format the fitter writes (kind "fitted") and the development sample."""

from __future__ import annotations

import json
from typing import Any

import pytest

from credscore.scoring.characteristic import Characteristic
from credscore.scoring.config import (
    MAX_STORED_BYTES,
    FeatureId,
    InvalidConfig,
    canonical_json,
    default_config_text,
    parse_config,
)
from credscore.scoring.curves import bin_points
from tests.scoring.fitted import FITTED, fitted_text


def _problems(doc: dict[str, Any] | str) -> list[str]:
    with pytest.raises(InvalidConfig) as caught:
        parse_config(doc if isinstance(doc, str) else json.dumps(doc))
    return caught.value.problems


def _fitted() -> dict[str, Any]:
    return json.loads(fitted_text())


def _char(**fields: Any) -> Characteristic:
    return Characteristic.model_validate({"missing_points": 0.0, **fields})


def test_the_hand_written_fitted_config_is_valid_and_round_trips() -> None:
    config = parse_config(fitted_text())
    assert config.scorecard.kind == "fitted"
    assert config.enabled_features() == [FeatureId.NEGATIVE_POSTS, FeatureId.CONNECTIONS, FeatureId.SKILLS]
    assert config.scorecard.development is not None
    assert config.scorecard.development.characteristics[FeatureId.CONNECTIONS].missing_share == 0.1
    assert parse_config(canonical_json(config)) == config
    stored = json.loads(canonical_json(config))["scorecard"]["characteristics"]["connections"]
    assert stored["bins"] == FITTED["scorecard"]["characteristics"]["connections"]["bins"]


def test_default_fits_a_standard_ssm_parameter() -> None:
    compact = json.dumps(json.loads(default_config_text()), separators=(",", ":"))
    assert len(compact.encode()) <= 4096


@pytest.mark.parametrize(
    ("value", "points", "label"),
    [
        (-1e9, 180.5, "[-inf, 50)"),
        (49.999, 180.5, "[-inf, 50)"),
        (50.0, 195.0, "[50, 200)"),  # right-open: the edge belongs to the next bin
        (199.9, 195.0, "[50, 200)"),
        (200.0, 210.25, "[200, +inf)"),
        (1e12, 210.25, "[200, +inf)"),
    ],
)
def test_bins_are_right_open(value: float, points: float, label: str) -> None:
    config = parse_config(fitted_text())
    char = config.scorecard.characteristics[FeatureId.CONNECTIONS]
    assert bin_points(char, value) == (points, label)


def test_knots_interpolate_are_flat_beyond_the_ends_and_two_knots_make_a_step() -> None:
    char = _char(knots=[{"x": 18, "points": 0}, {"x": 18, "points": 50}, {"x": 35, "points": 100}])
    assert bin_points(char, 17.9) == (0, "below 18")
    assert bin_points(char, 18) == (50, "[18, 35)")
    assert bin_points(char, 26.5)[0] == pytest.approx(75)
    assert bin_points(char, 35) == (100, "from 35")
    assert bin_points(char, 99) == (100, "from 35")


def test_categories_match_listed_values_only() -> None:
    char = _char(categories=[{"values": [0, 1], "points": 5}, {"values": [2], "points": 9}])
    assert bin_points(char, 1) == (5, "{0, 1}")
    assert bin_points(char, 2) == (9, "{2}")
    assert bin_points(char, 3) is None


def test_bin_rules_are_checked() -> None:
    doc = _fitted()
    chars = doc["scorecard"]["characteristics"]
    chars["connections"]["bins"][1]["upper"] = 40.0  # not ascending
    chars["negative_posts"]["bins"][-1]["upper"] = 1.0  # last upper not null
    chars["skills"]["bins"] = [{"upper": None, "points": 1}, {"upper": None, "points": 2}]
    problems = _problems(doc)
    assert "scorecard.characteristics.connections.bins: uppers must be strictly ascending" in problems
    assert (
        "scorecard.characteristics.negative_posts.bins: the last bin's upper must be null (it runs to +inf)"
        in problems
    )
    assert "scorecard.characteristics.skills.bins: only the last bin may have a null upper" in problems
    assert len(problems) == 3


def test_points_must_be_monotone_in_the_declared_direction() -> None:
    doc = _fitted()
    chars = doc["scorecard"]["characteristics"]
    chars["connections"]["bins"][2]["points"] = 100.0
    chars["negative_posts"]["bins"][0]["points"] = 1.0
    assert _problems(doc) == [
        "scorecard.characteristics.connections: points must not decrease (direction ascending)",
        "scorecard.characteristics.negative_posts: points must not increase (direction descending)",
    ]
    chars["connections"]["direction"] = "none"  # undeclared: any shape
    chars["negative_posts"]["direction"] = "none"
    parse_config(json.dumps(doc))


def test_exactly_one_shape_per_characteristic_and_categories_have_no_direction() -> None:
    doc = _fitted()
    chars = doc["scorecard"]["characteristics"]
    chars["skills"]["knots"] = [{"x": 0, "points": 0}, {"x": 1, "points": 1}]
    chars["negative_posts"]["bins"] = []
    chars["connections"] = {
        "direction": "ascending",
        "categories": [{"values": [1, 2], "points": 1}, {"values": [2], "points": 3}],
        "missing_points": 0,
    }
    problems = _problems(doc)
    assert (
        "scorecard.characteristics.skills: needs exactly one non-empty of bins, knots or categories "
        "(got ['bins', 'knots'])" in problems
    )
    assert any(p.startswith("scorecard.characteristics.negative_posts: needs exactly one") for p in problems)
    assert (
        "scorecard.characteristics.connections.categories: a value appears in more than one category"
        in problems
    )
    assert "scorecard.characteristics.connections.direction: categories have no order; use 'none'" in problems


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_refused(literal: str) -> None:
    text = fitted_text().replace('"missing_points": 170.0', f'"missing_points": {literal}', 1)
    assert literal in text
    (problem,) = _problems(text)
    assert problem.startswith("scorecard.characteristics.connections.missing_points: ")
    assert "finite" in problem


def test_points_and_edges_are_bounded_so_sums_stay_finite() -> None:
    doc = _fitted()
    doc["scorecard"]["characteristics"]["skills"]["missing_points"] = 1e300
    doc["scorecard"]["characteristics"]["connections"]["bins"][0]["upper"] = -1e300
    problems = _problems(doc)
    assert any(
        p.startswith("scorecard.characteristics.skills.missing_points: Input should be less")
        for p in problems
    )
    assert any(
        p.startswith("scorecard.characteristics.connections.bins.0.upper: Input should be") for p in problems
    )


def test_development_sample_is_checked_against_the_bins() -> None:
    doc = _fitted()
    dev = doc["scorecard"]["development"]
    dev["score_bands"] = [600.0, 580.0, 620.0]
    dev["score_shares"] = [0.5, 0.5]
    dev["characteristics"]["connections"]["bin_shares"] = [0.5, 1.5]
    dev["characteristics"]["likes"] = {"bin_shares": [1.0], "missing_share": 0.0}
    problems = _problems(doc)
    where = "scorecard.development"
    assert f"{where}.score_bands: must be strictly ascending" in problems
    assert f"{where}.score_shares: needs len(score_bands) + 1 = 4 shares" in problems
    assert f"{where}: every share must lie in [0, 1]" in problems
    assert f"{where}.characteristics.connections.bin_shares: needs one share per bin (3)" in problems
    assert f"{where}.characteristics.likes: not a characteristic of the scorecard" in problems


def test_handset_defaults_fix_the_issues_found() -> None:
    config = parse_config(default_config_text())
    chars = config.scorecard.characteristics
    # connections saturate in the low thousands, on a concave (log-shaped) curve
    conn = chars[FeatureId.CONNECTIONS]
    assert bin_points(conn, 2000)[0] == 100
    assert bin_points(conn, 1435)[0] > 90
    assert bin_points(conn, 8)[0] < 10
    assert (
        bin_points(conn, 100)[0] - bin_points(conn, 0)[0]
        > bin_points(conn, 1100)[0] - bin_points(conn, 1000)[0]
    )
    # characteristics that hardly vary in practice are off
    assert not chars[FeatureId.NEGATIVE_GROUPS].enabled
    assert not chars[FeatureId.NEGATIVE_PAGES].enabled
    # every enabled characteristic has a neutral Missing bin inside its range and a baseline
    for feature in config.enabled_features():
        char = chars[feature]
        assert min(char.curve_points()) < char.missing_points < max(char.curve_points()), feature
        assert char.reference_points is not None
        assert char.missing_points <= char.reference_points, feature


def test_a_configuration_too_large_for_its_parameter_is_refused_with_its_size() -> None:
    # It passed validation and SSM then refused the write with a raw AWS error (Advanced parameters hold 8 KB).
    doc = json.loads(fitted_text())
    many = [{"upper": float(i), "points": 180.0 + i / 1000} for i in range(1, 400)] + [
        {"upper": None, "points": 181.0}
    ]
    doc["scorecard"]["characteristics"]["connections"]["bins"] = many
    doc["scorecard"]["development"]["characteristics"]["connections"]["bin_shares"] = [1 / 400] * 400
    with pytest.raises(InvalidConfig) as refused:
        parse_config(json.dumps(doc))
    (problem,) = refused.value.problems
    assert problem.startswith("(document): stored, it takes ")
    assert "bytes; the configuration's parameter holds at most 8,192" in problem
    doc["scorecard"]["characteristics"]["connections"]["bins"] = many[-50:]
    doc["scorecard"]["development"]["characteristics"]["connections"]["bin_shares"] = [1 / 50] * 50
    assert len(canonical_json(parse_config(json.dumps(doc))).encode()) <= MAX_STORED_BYTES
