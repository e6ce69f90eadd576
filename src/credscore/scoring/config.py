"""The scoring configuration: a scorecard (points per bin of each characteristic), eligibility and the published
scale, as validated data.

The configuration lives in SSM Parameter Store as JSON and is versioned there; this module only knows how
to validate it. `parse_config` reports every problem at once (path + what is wrong), structural and
semantic, so an administrator can fix a file in one go. The JSON Schema in
`schemas/scoring-config.schema.json` is generated from these models (`config_json_schema()`, written by
`make schemas`); the semantic rules it cannot express are listed in its description. One characteristic's
curve and its shape rules are in `credscore.scoring.characteristic`.

The `scorecard` section follows the format shared with the fitter (`credscore.modelling`, kind "fitted") and the
monitoring job (which reads `development`). The hand-set scorecard (kind "handset", the default) is the same model:
its continuous curves are piecewise-linear `knots` instead of step `bins` (docs/scoring.md).
"""

from __future__ import annotations

import itertools
import json
import math
from enum import StrEnum
from importlib import resources
from typing import Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, model_validator

from credscore.scoring.characteristic import (
    Characteristic,
    Direction,
    Knot,
    Priority,
    Strict,
    characteristic_problems,
    points_field,
)

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


ScorecardKind = Literal["handset", "fitted"]


class InvalidConfig(ValueError):
    """A configuration that must not be used. `problems` lists each one as 'path: what is wrong'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid scoring configuration:\n" + "\n".join(f"  - {p}" for p in problems))


# ------------------------------------------------------------------------------------------------- scorecard
class Scaling(Strict):
    """Points-to-double-the-odds: score = offset + factor·ln(odds good:bad), factor = pdo/ln 2,
    offset = base_score − factor·ln(base_odds). A fitted scorecard's points sum to that score."""

    base_score: float = points_field(default=600.0)
    base_odds: float = Field(default=50.0, gt=0)
    pdo: float = Field(default=20.0, gt=0)


class DevelopmentCharacteristic(Strict):
    bin_shares: list[float] = Field(description="share of the development sample per bin, in bin order")
    missing_share: float = Field(ge=0, le=1)


class Development(Strict):
    """The development sample, for stability (PSI) monitoring."""

    n: int = Field(ge=0)
    bad_rate: float = Field(ge=0, le=1)
    score_bands: list[float] = Field(description="ascending band edges, right-open like bins")
    score_shares: list[float] = Field(description="len(score_bands) + 1 shares")
    characteristics: dict[FeatureId, DevelopmentCharacteristic] = Field(default_factory=dict)


def _knots(*pairs: tuple[float, float]) -> list[Knot]:
    return [Knot(x=x, points=p) for x, p in pairs]


def _hand(
    priority: Priority,
    direction: Direction,
    knots: list[Knot],
    missing: float,
    reference: float | None,
    enabled: bool = True,
) -> Characteristic:
    return Characteristic(
        enabled=enabled,
        direction=direction,
        priority=priority,
        knots=knots,
        missing_points=missing,
        reference_points=reference,
    )


def default_characteristics() -> dict[FeatureId, Characteristic]:
    """The hand-set defaults (docs/scoring.md explains each). `missing_points` is the neutral value: the lower of
    the reference population's mean and median points, rounded down (`python -m credscore_cli.population`),
    so withholding a source does not raise the score in expectation; `reference_points` (the reasons' baseline)
    is that population's mean, rounded. Features off by default without reference data take half their points."""
    f = FeatureId
    return {
        # 0 below 18 and from 65 (ineligible anyway), 50 at 18 up to 100 at 35, down towards 50 at 65
        f.AGE: _hand("P1", "none", _knots((18, 0), (18, 50), (35, 100), (65, 50), (65, 0)), 76.0, 76.0),
        f.EDUCATION: _hand("P3", "ascending", _knots((0, 0), (3, 50)), 25.0, 25.0, enabled=False),
        f.POSITIVE_POSTS: _hand("P1", "ascending", _knots((0, 0), (1, 100)), 42.0, 43.0),
        f.NEGATIVE_POSTS: _hand("P1", "descending", _knots((0, 100), (1, 0)), 80.0, 80.0),
        f.COMMENTS: _hand("P2", "ascending", _knots((-1, 0), (1, 80)), 49.0, 49.0),
        f.NEGATIVE_GROUPS: _hand("P2", "descending", _knots((0, 80), (1, 0)), 79.0, 79.0, enabled=False),
        f.NEGATIVE_PAGES: _hand("P2", "descending", _knots((0, 80), (1, 0)), 79.0, 79.0, enabled=False),
        f.INTERACTION_FREQUENCY: _hand("P3", "ascending", _knots((0, 0), (2, 50)), 1.0, 2.0, enabled=False),
        f.IMAGES: _hand("P1", "descending", _knots((0, 100), (1, 0)), 98.0, 98.0),
        # log-shaped: 100·ln(1 + c/20)/ln(101), full points from 2,000 (real networks, not 80,000)
        f.CONNECTIONS: _hand(
            "P1",
            "ascending",
            _knots(
                (0, 0),
                (10, 8.8),
                (25, 17.6),
                (50, 27.1),
                (100, 38.8),
                (200, 52.0),
                (300, 60.1),
                (500, 70.6),
                (750, 79.1),
                (1000, 85.2),
                (1500, 93.8),
                (2000, 100),
            ),
            63.0,
            64.0,
        ),
        f.SKILLS: _hand("P3", "ascending", _knots((0, 0), (25, 50)), 20.0, 24.0),
        f.LIKES: _hand("P3", "ascending", _knots((0, 0), (50, 50)), 4.0, 8.0),
        # count received (not per connection, so more connections never lower the score): 50·ln(1 + r/5)/ln 21
        f.INVITATIONS: _hand(
            "P3",
            "ascending",
            _knots((0, 0), (2, 5.5), (5, 11.4), (10, 18), (20, 26.4), (35, 34.2), (50, 39.4), (100, 50)),
            26.0,
            27.0,
        ),
    }


class Scorecard(Strict):
    """Semantic rules (checked too): bins with ascending uppers and only the last one null; knots with
    non-decreasing x (at most two per x); categories with distinct values and direction 'none'; points monotone
    in the declared direction; development shares consistent with the bins."""

    kind: ScorecardKind = Field(
        default="handset",
        description="'handset': published on normalised_range; 'fitted': the sum of points on the PDO scale",
    )
    scaling: Scaling = Scaling()
    characteristics: dict[FeatureId, Characteristic] = Field(
        default_factory=default_characteristics,
        description="keys are feature ids; a feature not listed is not scored",
    )
    development: Development | None = None


class Eligibility(Strict):
    min_age: int = Field(default=18, ge=0)
    max_age: int = Field(
        default=65, ge=0, description="first ineligible age (excluded, as in the seed: ≥ 65)"
    )
    enforce: bool = Field(default=True, description="age outside [min_age, max_age) → ineligible, no score")
    require_known_age: bool = Field(default=False, description="no birth date → ineligible")


class NormalisedRange(Strict):
    # Bounded like points: max - min of ±1.7e308 overflowed to inf and made every score inf or NaN.
    min: float = points_field(default=300.0)
    max: float = points_field(default=900.0)


class ScoringConfig(Strict):
    """Semantic rules (checked too): those of the scorecard; normalised_range.min < max; min_age < max_age; at
    least one characteristic enabled whose points vary; min_scored_features ≤ enabled characteristics."""

    version: str = Field(
        min_length=1, max_length=100, description="label of this configuration, e.g. '2025-06-a'"
    )
    scorecard: Scorecard = Scorecard()
    eligibility: Eligibility = Eligibility()
    normalised_range: NormalisedRange = Field(
        default=NormalisedRange(),
        description="published range of a hand-set scorecard (fitted: the PDO scale)",
    )
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

    def characteristic(self, feature: FeatureId) -> Characteristic | None:
        return self.scorecard.characteristics.get(feature)

    def enabled_features(self) -> list[FeatureId]:
        chars = self.scorecard.characteristics
        return [f for f in FeatureId if f in chars and chars[f].enabled]


def _development_problems(scorecard: Scorecard) -> list[str]:
    dev = scorecard.development
    if dev is None:
        return []
    problems = []
    where = "scorecard.development"
    bands = dev.score_bands
    if any(b <= a for a, b in itertools.pairwise(bands)):
        problems.append(f"{where}.score_bands: must be strictly ascending")
    if len(dev.score_shares) != len(bands) + 1:
        problems.append(f"{where}.score_shares: needs len(score_bands) + 1 = {len(bands) + 1} shares")
    shares = [*dev.score_shares, *(s for c in dev.characteristics.values() for s in c.bin_shares)]
    if any(not 0 <= s <= 1 for s in shares):
        problems.append(f"{where}: every share must lie in [0, 1]")
    for feature, dev_char in dev.characteristics.items():
        char = scorecard.characteristics.get(feature)
        parts = (char.bins or char.knots or char.categories or []) if char else None
        if parts is None:
            problems.append(f"{where}.characteristics.{feature.value}: not a characteristic of the scorecard")
        elif char is not None and char.bins and len(dev_char.bin_shares) != len(parts):
            problems.append(
                f"{where}.characteristics.{feature.value}.bin_shares: needs one share per bin ({len(parts)})"
            )
    return problems


def semantic_problems(config: ScoringConfig) -> list[str]:
    """Rules across fields that JSON Schema cannot express."""
    problems = []
    elig = config.eligibility
    if not elig.min_age < elig.max_age:
        problems.append(f"eligibility: min_age ({elig.min_age}) must be below max_age ({elig.max_age})")
    if not config.normalised_range.min < config.normalised_range.max:
        problems.append("normalised_range: min must be below max")
    chars = config.scorecard.characteristics
    shape_problems = [
        problem
        for feature, char in chars.items()
        for problem in characteristic_problems(f"scorecard.characteristics.{feature.value}", char)
    ]
    problems.extend(shape_problems)
    problems.extend(_development_problems(config.scorecard))
    enabled = config.enabled_features()
    if not enabled:
        problems.append("scorecard.characteristics: at least one characteristic must be enabled")
    elif not shape_problems and not any(chars[f].has_spread() for f in enabled):
        problems.append(
            "scorecard.characteristics: at least one enabled characteristic must have points that vary"
        )
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
    if isinstance(got, float) and not math.isfinite(got):
        return f"{where}: must be a finite number (got {got})"
    shown = "" if isinstance(got, dict | list) else f" (got {json.dumps(got)[:60]})"
    return f"{where}: {error['msg']}{shown}"


_LEGACY = (
    "(document): written in the format before the scorecard model (priority_weights/features); "
    "express its curves as scorecard.characteristics (docs/scoring.md)"
)


# What an SSM parameter holds (Advanced tier; Standard holds 4,096 and is used while the document fits).
MAX_STORED_BYTES = 8_192


def parse_config(text: str) -> ScoringConfig:
    """Validate a configuration document; raise `InvalidConfig` listing every problem."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidConfig(
            [f"(document): not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]
        ) from None
    except RecursionError:
        raise InvalidConfig(["(document): not valid JSON: nested too deeply"]) from None
    except ValueError:
        # int() refuses numbers of more than 4,300 digits (CVE-2020-10735); no field takes anything near.
        raise InvalidConfig(["(document): not valid JSON: a number has too many digits"]) from None
    if not isinstance(data, dict):
        raise InvalidConfig(["(document): must be a JSON object"])
    try:
        config = ScoringConfig.model_validate(data, context={_SKIP_SEMANTIC: True})
    except ValidationError as exc:
        problems = [_describe(e) for e in exc.errors()]
        if {"priority_weights", "features"} & set(data):
            problems.insert(0, _LEGACY)
        raise InvalidConfig(problems) from None
    problems = semantic_problems(config)
    stored = len(canonical_json(config).encode("utf-8"))
    if stored > MAX_STORED_BYTES:
        # SSM Parameter Store's Advanced tier holds 8 KB: a bigger document is refused there with a raw AWS error.
        problems.append(
            f"(document): stored, it takes {stored:,} bytes; the configuration's parameter holds at most "
            f"{MAX_STORED_BYTES:,} (fewer bins or characteristics, e.g. a larger --min-bin-share when fitting)"
        )
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
