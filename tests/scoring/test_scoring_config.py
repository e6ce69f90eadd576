"""Scoring configuration: default valid, schema in step with the models, every problem reported clearly."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from credscore.scoring.config import (
    FeatureId,
    InvalidConfig,
    ScoringConfig,
    canonical_json,
    config_json_schema,
    default_config_text,
    load_default_config,
    parse_config,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "credscore"
SCHEMA_FILE = SRC / "schemas" / "scoring-config.schema.json"


def _default_dict() -> dict:
    return json.loads(default_config_text())


def _problems(doc: object) -> list[str]:
    with pytest.raises(InvalidConfig) as caught:
        parse_config(json.dumps(doc) if not isinstance(doc, str) else doc)
    return caught.value.problems


def test_default_config_is_valid_and_spells_out_every_field() -> None:
    config = load_default_config()
    assert config.scorecard.kind == "handset"
    assert config.scorecard.characteristics[FeatureId.CONNECTIONS].max_points() == 100
    assert config.eligibility.min_age == 18
    assert json.loads(canonical_json(config)) == _default_dict()


def test_default_config_validates_against_the_committed_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.validate(_default_dict(), schema)


def test_committed_schema_equals_the_generated_one() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == config_json_schema(), "run: make schemas"


def test_not_json_is_reported_with_its_position() -> None:
    (problem,) = _problems('{"version": ')
    assert "not valid JSON" in problem
    assert "line 1" in problem


def test_every_structural_problem_is_listed_with_its_path() -> None:
    doc = _default_dict()
    chars = doc["scorecard"]["characteristics"]
    doc["scorecard"]["scaling"]["pdo"] = -5
    chars["skills"]["missing_points"] = "many"
    chars["skils"] = chars.pop("likes")
    chars["age"]["priority"] = "P9"
    chars["connections"]["colour"] = "red"
    problems = _problems(doc)
    joined = "\n".join(problems)
    assert len(problems) == 5, problems
    assert "scorecard.scaling.pdo: Input should be greater than 0 (got -5)" in joined
    assert "scorecard.characteristics.skills.missing_points: Input should be a valid number" in joined
    assert "scorecard.characteristics.skils.[key]: " in joined
    assert "scorecard.characteristics.age.priority: " in joined
    assert "scorecard.characteristics.connections.colour: unknown key" in joined


def test_semantic_problems_are_all_listed() -> None:
    doc = _default_dict()
    doc["eligibility"]["min_age"] = 70
    doc["normalised_range"] = {"min": 900, "max": 300}
    doc["scorecard"]["characteristics"]["skills"]["knots"].reverse()  # x decreasing, points decreasing
    problems = _problems(doc)
    assert "eligibility: min_age (70) must be below max_age (65)" in problems
    assert "normalised_range: min must be below max" in problems
    assert "scorecard.characteristics.skills.knots: x must not decrease" in problems
    assert "scorecard.characteristics.skills: points must not decrease (direction ascending)" in problems
    assert len(problems) == 4


@pytest.mark.parametrize(
    "document",
    [
        '{"version": "x", "max_reasons": ' + "4" * 4301 + "}",  # int() refuses it (CVE-2020-10735)
        '{"version": ' + "[" * 100_000 + "]" * 100_000 + "}",  # json.loads runs out of recursion
    ],
    ids=["4301-digit number", "nested 100000 deep"],
)
def test_a_document_json_loads_cannot_take_is_reported_not_raised(document: str) -> None:
    (problem,) = _problems(document)
    assert problem.startswith("(document): not valid JSON: ")


def test_a_published_range_too_wide_to_subtract_is_refused() -> None:
    # max - min overflowed to inf and every score came out as inf or NaN (not JSON) at scoring time.
    doc = _default_dict()
    doc["normalised_range"] = {"min": -1.7e308, "max": 1.7e308}
    problems = _problems(doc)
    assert any(
        p.startswith("normalised_range.min: Input should be greater than or equal to -1000000")
        for p in problems
    )
    assert any(
        p.startswith("normalised_range.max: Input should be less than or equal to 1000000") for p in problems
    )


def test_min_age_must_be_below_max_age() -> None:
    doc = _default_dict()
    doc["eligibility"].update(min_age=70, max_age=60)
    assert any(p.startswith("eligibility: min_age (70) must be below max_age (60)") for p in _problems(doc))


def test_at_least_one_feature_must_be_enabled() -> None:
    doc = _default_dict()
    for settings in doc["scorecard"]["characteristics"].values():
        settings["enabled"] = False
    assert "scorecard.characteristics: at least one characteristic must be enabled" in _problems(doc)


def test_enabled_features_must_be_able_to_earn_points() -> None:
    doc = _default_dict()
    for settings in doc["scorecard"]["characteristics"].values():
        for knot in settings["knots"]:
            knot["points"] = 10
    assert _problems(doc) == [
        "scorecard.characteristics: at least one enabled characteristic must have points that vary"
    ]


def test_missing_version_and_non_object_documents() -> None:
    doc = _default_dict()
    del doc["version"]
    assert _problems(doc) == ["version: required but missing"]
    assert _problems("[1, 2]") == ["(document): must be a JSON object"]


def test_message_of_invalid_config_lists_each_problem() -> None:
    error = InvalidConfig(["a: bad", "b: worse"])
    assert str(error).splitlines() == ["invalid scoring configuration:", "  - a: bad", "  - b: worse"]


def test_model_construction_applies_the_semantic_rules_too() -> None:
    with pytest.raises(ValueError, match="normalised_range"):
        ScoringConfig.model_validate({"version": "x", "normalised_range": {"min": 5, "max": 5}})


def test_partial_document_takes_code_defaults() -> None:
    config = parse_config('{"version": "only-a-label"}')
    assert config.version == "only-a-label"
    assert config.model_copy(update={"version": "x"}) == load_default_config().model_copy(
        update={"version": "x"}
    )


def test_a_configuration_in_the_old_format_is_refused_with_a_pointer_to_the_new_one() -> None:
    old = {"version": "default-1", "priority_weights": {"P1": 100, "P2": 80, "P3": 50}, "features": {}}
    problems = _problems(old)
    assert problems[0].startswith("(document): written in the format before the scorecard model")
    assert "features: unknown key (not allowed here)" in problems
