"""The scoring configuration: weights, feature switches and curve parameters, as validated data.

The configuration lives in SSM Parameter Store as JSON and is versioned there; this module only knows how
to validate it. `parse_config` reports every problem at once (path + what is wrong), structural and
semantic, so an administrator can fix a file in one go. The JSON Schema in
`schemas/scoring-config.schema.json` is generated from these models (`config_json_schema()`); the semantic
rules it cannot express are listed in its description.
"""

from __future__ import annotations

import argparse
import json
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

_SKIP_SEMANTIC = "skip_semantic_checks"


class FeatureId(StrEnum):
    AGE = "age"
    EDUCATION = "education"
    POSITIVE_POSTS = "positive_posts"
    NEGATIVE_POSTS = "negative_posts"
    COMMENTS = "comments"
    NEGATIVE_GROUPS = "negative_groups"
    NEGATIVE_PAGES = "negative_pages"
    INTERACTION_FREQUENCY = "interaction_frequency"
    IMAGES = "images"
    CONNECTIONS = "connections"
    SKILLS = "skills"
    LIKES = "likes"
    INVITATIONS = "invitations"


Priority = Literal["P1", "P2", "P3"]
CurveShape = Literal["linear", "log"]


class InvalidConfig(ValueError):
    """A configuration that must not be used. `problems` lists each one as 'path: what is wrong'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid scoring configuration:\n" + "\n".join(f"  - {p}" for p in problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PriorityWeights(_Strict):
    P1: float = Field(default=100.0, ge=0, description="points of a P1 feature at its best")
    P2: float = Field(default=80.0, ge=0)
    P3: float = Field(default=50.0, ge=0)

    def of(self, priority: Priority) -> float:
        return float(getattr(self, priority))


class _Feature(_Strict):
    enabled: bool = True
    priority: Priority = Field(description="which priority weight this feature earns at its best")


class AgeFeature(_Feature):
    """Peaked: rises linearly from min_age to peak_age, then declines linearly towards max_age (excluded)."""

    peak_age: float = Field(default=35.0, gt=0)
    share_at_min_age: float = Field(default=0.5, ge=0, le=1, description="share of the weight at min_age")
    share_at_max_age: float = Field(
        default=0.5, ge=0, le=1, description="share the decline aims at, at max_age"
    )


class ShareFeature(_Feature):
    """A share in [0, 1]; the feature id decides the direction (positive share up, flagged share down)."""


class BalanceFeature(_Feature):
    """A balance in [-1, 1] (positive share − negative share), mapped linearly onto [0, weight]."""


class SaturatingFeature(_Feature):
    """A count or rate: points rise with the value and stop rising at `saturation` (never unbounded)."""

    saturation: float = Field(gt=0, description="value at and above which the feature earns its full weight")
    shape: CurveShape = Field(
        default="linear",
        description="'linear': w·min(v,s)/s; 'log': w·ln(1+min(v,s))/ln(1+s) (early units count more)",
    )


class FeaturesConfig(_Strict):
    age: AgeFeature = AgeFeature(priority="P1")
    education: SaturatingFeature = SaturatingFeature(enabled=False, priority="P3", saturation=3)
    positive_posts: ShareFeature = ShareFeature(priority="P1")
    negative_posts: ShareFeature = ShareFeature(priority="P1")
    comments: BalanceFeature = BalanceFeature(priority="P2")
    negative_groups: ShareFeature = ShareFeature(priority="P2")
    negative_pages: ShareFeature = ShareFeature(priority="P2")
    interaction_frequency: SaturatingFeature = SaturatingFeature(enabled=False, priority="P3", saturation=2)
    images: ShareFeature = ShareFeature(priority="P1")
    connections: SaturatingFeature = SaturatingFeature(priority="P1", saturation=80000)
    skills: SaturatingFeature = SaturatingFeature(priority="P3", saturation=25)
    likes: SaturatingFeature = SaturatingFeature(priority="P3", saturation=50)
    invitations: SaturatingFeature = SaturatingFeature(priority="P3", saturation=0.5)

    def get(self, feature: FeatureId) -> _Feature:
        settings: _Feature = getattr(self, feature.value)
        return settings


class Eligibility(_Strict):
    min_age: int = Field(default=18, ge=0)
    max_age: int = Field(
        default=65, ge=0, description="first ineligible age (excluded, as in the seed: ≥ 65)"
    )
    enforce: bool = Field(default=True, description="age outside [min_age, max_age) → ineligible, no score")
    require_known_age: bool = Field(default=False, description="no birth date → ineligible")


class NormalisedRange(_Strict):
    min: float = 300.0
    max: float = 900.0


class ScoringConfig(_Strict):
    """Semantic rules (checked too): min_age < peak_age < max_age, normalised_range.min < max, at least one
    feature enabled with a positive weight."""

    version: str = Field(
        min_length=1, max_length=100, description="label of this configuration, e.g. '2025-06-a'"
    )
    priority_weights: PriorityWeights = PriorityWeights()
    features: FeaturesConfig = FeaturesConfig()
    eligibility: Eligibility = Eligibility()
    normalised_range: NormalisedRange = NormalisedRange()
    max_reasons: int = Field(default=4, ge=0, le=10)
    min_scored_features: int = Field(
        default=1,
        ge=1,
        description="fewer features with evidence than this → no score (insufficient evidence)",
    )

    @model_validator(mode="after")
    def _semantic(self, info: ValidationInfo) -> ScoringConfig:
        if not (info.context or {}).get(_SKIP_SEMANTIC):
            problems = semantic_problems(self)
            if problems:
                raise ValueError("; ".join(problems))
        return self

    def weight_of(self, feature: FeatureId) -> float:
        return self.priority_weights.of(self.features.get(feature).priority)

    def enabled_features(self) -> list[FeatureId]:
        return [f for f in FeatureId if self.features.get(f).enabled]


def semantic_problems(config: ScoringConfig) -> list[str]:
    """Rules across fields that JSON Schema cannot express."""
    problems = []
    elig, age = config.eligibility, config.features.age
    if not elig.min_age < elig.max_age:
        problems.append(f"eligibility: min_age ({elig.min_age}) must be below max_age ({elig.max_age})")
    if not elig.min_age < age.peak_age < elig.max_age:
        problems.append(
            f"features.age.peak_age: must lie strictly between eligibility.min_age ({elig.min_age}) and "
            f"eligibility.max_age ({elig.max_age}), got {age.peak_age:g}"
        )
    if not config.normalised_range.min < config.normalised_range.max:
        problems.append("normalised_range: min must be below max")
    enabled = config.enabled_features()
    if not enabled:
        problems.append("features: at least one feature must be enabled")
    elif all(config.weight_of(f) == 0 for f in enabled):
        problems.append("features: at least one enabled feature must have a priority with a weight above 0")
    if config.min_scored_features > len(enabled) > 0:
        problems.append(
            f"min_scored_features: {config.min_scored_features} exceeds the {len(enabled)} enabled features"
        )
    return problems


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _describe(error: Any) -> str:
    where = _location(tuple(error["loc"]))
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key (not allowed here)"
    if error["type"] == "missing":
        return f"{where}: required but missing"
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) else f" (got {json.dumps(got)[:60]})"
    return f"{where}: {error['msg']}{shown}"


def parse_config(text: str) -> ScoringConfig:
    """Validate a configuration document; raise `InvalidConfig` listing every problem."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidConfig(
            [f"(document): not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]
        ) from None
    if not isinstance(data, dict):
        raise InvalidConfig(["(document): must be a JSON object"])
    try:
        config = ScoringConfig.model_validate(data, context={_SKIP_SEMANTIC: True})
    except ValidationError as exc:
        raise InvalidConfig([_describe(e) for e in exc.errors()]) from None
    problems = semantic_problems(config)
    if problems:
        raise InvalidConfig(problems)
    return config


def config_json_schema() -> dict[str, Any]:
    schema = ScoringConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://credscore.example/schemas/scoring-config.schema.json"
    return schema


def canonical_json(config: ScoringConfig, indent: int | None = None) -> str:
    """Every field spelled out (defaults included), so a stored version means the same thing forever."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(config.model_dump(mode="json"), indent=indent, separators=separators, sort_keys=True)


def default_config_text() -> str:
    return (
        resources.files("credscore").joinpath("data/default-scoring-config.json").read_text(encoding="utf-8")
    )


def load_default_config() -> ScoringConfig:
    return parse_config(default_config_text())


SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "scoring-config.schema.json"


def schema_text() -> str:
    """The schema file's exact content (what `--write-schema` writes and a test compares)."""
    return json.dumps(config_json_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m credscore.scoring.config", description="Scoring configuration tools."
    )
    parser.add_argument("--write-schema", action="store_true", help=f"rewrite {SCHEMA_PATH.name}")
    parser.add_argument("--check-schema", action="store_true", help="exit 1 if the schema file is stale")
    args = parser.parse_args(argv)
    if args.write_schema:
        SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
        return 0
    if args.check_schema:
        fresh = SCHEMA_PATH.exists() and SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()
        print(f"{SCHEMA_PATH.name}: " + ("up to date" if fresh else "stale; run with --write-schema"))
        return 0 if fresh else 1
    parser.print_help()
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
