"""The one typed score result: what the Score step stores (the scorer's `ScoreResult` plus the audit fields the
score function adds) and what the API, the CLI, the demo and the HTML report show.

Reading is lenient on purpose: stored results outlive the code that wrote them (older results lack fields,
newer ones add some), so every field is optional, unknown fields are kept (`extra="allow"`), and a malformed
value (a non-finite number, a string where a number belongs, a list item that is not an object) is read as
"not available" instead of failing the page that shows it. Writing stays with the scorer's strict model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _number(value: Any) -> float | None:
    """A finite number, else None (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _scalar(value: Any) -> bool | int | float | str | None:
    """A feature's measured value as stored; anything else (a list, an object) as its text."""
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def _objects(value: Any) -> list[Any]:
    """A list's items that are objects; a value that is not a list is an empty list."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list | tuple) else []


def _texts(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list | tuple) else []


def _object_or_none(value: Any) -> Any:
    """An object, else None: an empty object says as little as a missing one."""
    return value if isinstance(value, Mapping) and value else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _words(value: Any) -> str:
    return "" if value is None else str(value)


def _name(value: Any) -> str:
    return "?" if value is None else str(value)


Number = Annotated[float | None, BeforeValidator(_number)]
Count = Annotated[int | None, BeforeValidator(_count)]
Flag = Annotated[bool, BeforeValidator(bool)]
Words = Annotated[str, BeforeValidator(_words)]
Name = Annotated[str, BeforeValidator(_name)]
Text = Annotated[str | None, BeforeValidator(_text)]
Texts = Annotated[list[str], BeforeValidator(_texts)]
Scalar = Annotated[bool | int | float | str | None, BeforeValidator(_scalar)]
Version = Annotated[int | str | None, BeforeValidator(lambda v: v if isinstance(v, int | str) else _text(v))]


class _Read(BaseModel):
    model_config = ConfigDict(extra="allow")


class ScoreRange(_Read):
    min: Number = None
    max: Number = None


class Scale(_Read):
    """What the published number is on: a hand-set scorecard rescaled, or a fitted one (points to odds)."""

    kind: Text = None
    min: Number = None
    max: Number = None
    calibrated: Flag = Field(
        default=False, description="True when the points were fitted to repayment outcomes"
    )
    base_score: Number = None
    base_odds: Number = None
    pdo: Number = None
    text: Text = None


class FeatureRow(_Read):
    """One characteristic's line of the breakdown."""

    feature: Name = "?"
    enabled: Flag = True
    priority: Text = None
    weight: Number = Field(default=None, description="the most points this characteristic can give")
    has_evidence: Flag = True
    value: Scalar = None
    points: Number = None
    points_below_max: Number = None
    min_points: Number = None
    missing_points: Number = None
    reference_points: Number = Field(default=None, description="the baseline reasons are measured from")
    points_below_reference: Number = None
    bin: Text = None
    evidence: Texts = Field(default_factory=list)
    notes: Texts = Field(default_factory=list)


class ReasonRow(_Read):
    code: Words = ""
    text: Words = ""
    feature: Text = None
    points_below_max: Number = None
    points_below_reference: Number = None
    reference_points: Number = None


class Coverage(_Read):
    """Which enabled characteristics had evidence (missing evidence lowers coverage, not the score)."""

    features_enabled: Count = None
    features_with_evidence: Count = None
    ratio: Number = None
    with_evidence: Texts = Field(default_factory=list)
    missing: Texts = Field(default_factory=list)


class Eligibility(_Read):
    eligible: Flag = True
    reason_code: Text = None
    reason: Text = None
    age: Number = None
    enforced: Flag = False
    min_age: Count = None
    max_age: Count = None


class AnalysisItem(_Read):
    """What one analysis read and can detect; `summary` is its plain sentence (credscore.coverage)."""

    analysis: Text = None
    summary: Text = None
    models: Texts = Field(default_factory=list)


class AnalysisCoverage(_Read):
    texts: Annotated[AnalysisItem | None, BeforeValidator(_object_or_none)] = None
    names: Annotated[AnalysisItem | None, BeforeValidator(_object_or_none)] = None
    images: Annotated[AnalysisItem | None, BeforeValidator(_object_or_none)] = None

    def items(self) -> list[AnalysisItem]:
        """texts, names, images: those present, in that order."""
        return [item for item in (self.texts, self.names, self.images) if item is not None]

    def summaries(self) -> list[str]:
        """What each analysis read and can see, one plain sentence each (what the pages list)."""
        return [item.summary for item in self.items() if item.summary]


class AnalysisFailure(_Read):
    analysis: Name = "?"
    error: Words = ""
    cause: Text = None


class Source(_Read):
    platform: Name = "?"
    status: Words = ""
    reason_code: Text = None
    reason: Text = None
    warnings: Annotated[int, BeforeValidator(lambda v: _count(v) or 0)] = 0

    @classmethod
    def rows(cls, value: Any) -> list[Source]:
        """Sources as a list of objects, or as the older map of platform to report (or to a bare status)."""
        if isinstance(value, Mapping):
            value = [
                {"platform": k, **(v if isinstance(v, Mapping) else {"status": v})} for k, v in value.items()
            ]
        return [cls.model_validate(item) for item in _objects(value)]


def _sources(value: Any) -> list[Source]:
    return Source.rows(value)


Sources = Annotated[list[Source], BeforeValidator(_sources)]


class Result(_Read):
    """A stored score result, typed for reading and showing."""

    application_id: Text = None
    status: Text = Field(default=None, description="scored, ineligible or insufficient_evidence")
    normalised_score: Number = Field(default=None, description="the published score; None without a score")
    normalised_range: Annotated[ScoreRange | None, BeforeValidator(_object_or_none)] = None
    total_points: Number = None
    min_possible: Number = None
    max_possible: Number = None
    max_configured: Number = None
    scale: Annotated[Scale | None, BeforeValidator(_object_or_none)] = None
    breakdown: Annotated[list[FeatureRow], BeforeValidator(_objects)] = Field(default_factory=list)
    reasons: Annotated[list[ReasonRow], BeforeValidator(_objects)] = Field(default_factory=list)
    coverage: Annotated[Coverage | None, BeforeValidator(_object_or_none)] = None
    eligibility: Annotated[Eligibility | None, BeforeValidator(_object_or_none)] = None
    analysis_coverage: Annotated[AnalysisCoverage | None, BeforeValidator(_object_or_none)] = None
    analysis_failures: Annotated[list[AnalysisFailure], BeforeValidator(_objects)] = Field(
        default_factory=list
    )
    analysis_caps: Annotated[list[dict[str, Any]], BeforeValidator(_objects)] = Field(default_factory=list)
    sources: Sources = Field(default_factory=list)
    archive_hashes: Annotated[
        dict[str, Any], BeforeValidator(lambda v: v if isinstance(v, Mapping) else {})
    ] = Field(default_factory=dict)
    config_version: Text = Field(default=None, description="the configuration's own version label")
    config_parameter_version: Version = Field(
        default=None, description="the Parameter Store version in force"
    )
    config_fallback_used: Flag = False
    config_error: Text = None
    code_version: Text = None
    scored_at: Number = Field(default=None, description="Unix seconds")
    rescored_from: Version = Field(default=None, description="the parameter version a rescore replaced")

    @classmethod
    def read(cls, document: Any) -> Result:
        """Any stored document (or None, or garbage) as a result; what cannot be read is left out."""
        return cls.model_validate(document if isinstance(document, Mapping) else {})

    @property
    def model_kind(self) -> str | None:
        """handset or fitted: the kind of scorecard that gave the score."""
        return self.scale.kind if self.scale else None

    @property
    def calibrated(self) -> bool:
        return bool(self.scale and self.scale.calibrated)

    def shown_features(self) -> list[FeatureRow]:
        """The enabled characteristics, in stored order (disabled ones are not part of the score)."""
        return [row for row in self.breakdown if row.enabled]


class ApplicationInfo(_Read):
    """The application a result belongs to, as far as a rendering needs it."""

    application_id: Text = None
    status: Text = None
    reference: Text = None
    created_at: Number = None
    updated_at: Number = None
    sources: Sources = Field(default_factory=list)

    @classmethod
    def read(cls, document: Any) -> ApplicationInfo:
        return cls.model_validate(document if isinstance(document, Mapping) else {})
