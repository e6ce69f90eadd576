"""The score: pure and deterministic. Points per feature, bounded by the feature's weight; a normalised score
over the features that had evidence (missing evidence is neutral: it lowers coverage, not the score); reasons
ranked by points below maximum; eligibility from age."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

import credscore
from credscore.coverage import AnalysisCoverage
from credscore.scoring.config import FeatureId, Priority, ScoringConfig
from credscore.scoring.curves import points_for
from credscore.scoring.features import FeatureVector

ScoreStatus = Literal["scored", "ineligible", "insufficient_evidence"]

# (reason code, plain-language text) used when a feature scored below its maximum
REASONS: dict[FeatureId, tuple[str, str]] = {
    FeatureId.AGE: ("age_away_from_peak", "Age is away from the peak of this scorecard's age curve."),
    FeatureId.EDUCATION: ("few_completed_education", "Few completed education entries were found."),
    FeatureId.POSITIVE_POSTS: (
        "few_positive_posts",
        "A small share of the analysed (English) posts read as positive.",
    ),
    FeatureId.NEGATIVE_POSTS: ("negative_posts", "Some of the analysed (English) posts read as negative."),
    FeatureId.COMMENTS: ("comment_tone", "The analysed comments were not mostly positive in tone."),
    FeatureId.NEGATIVE_GROUPS: ("flagged_groups", "Some joined groups have names flagged as offensive."),
    FeatureId.NEGATIVE_PAGES: (
        "flagged_pages",
        "Some liked pages or followed accounts have names flagged as offensive.",
    ),
    FeatureId.INTERACTION_FREQUENCY: ("low_activity", "Few interactions per day were found."),
    FeatureId.IMAGES: (
        "flagged_images",
        "Some analysed photos were flagged by image moderation (see what was analysed for the categories checked).",
    ),
    FeatureId.CONNECTIONS: (
        "few_connections",
        "Connections, friends or followers are below the level of full points.",
    ),
    FeatureId.SKILLS: ("few_skills", "Fewer skills are listed than the level of full points."),
    FeatureId.LIKES: (
        "few_likes",
        "Own posts received fewer likes on average than the level of full points.",
    ),
    FeatureId.INVITATIONS: (
        "few_invitations",
        "Few invitations or friend requests were received per connection.",
    ),
}

ELIGIBILITY_TEXT = {
    "age_below_minimum": "The applicant is younger than the minimum age for a score.",
    "age_above_maximum": "The applicant is at or above the age limit for a score.",
    "age_unknown": "No usable birth date was found and this deployment requires one.",
}


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeatureScore(_Out):
    feature: FeatureId
    enabled: bool
    priority: Priority
    weight: float = Field(description="points of this feature at its best (its priority's weight)")
    has_evidence: bool
    value: float | None = Field(description="feature value; None when disabled or without evidence")
    points: float | None = Field(description="in [0, weight]; None when disabled or without evidence")
    points_below_max: float | None
    evidence: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Reason(_Out):
    feature: FeatureId
    code: str
    text: str
    points_below_max: float


class Coverage(_Out):
    features_enabled: int
    features_with_evidence: int
    ratio: float = Field(description="features with evidence / enabled features")
    with_evidence: list[FeatureId] = Field(description="enabled features that had evidence and were scored")
    missing: list[FeatureId] = Field(description="enabled features without evidence")


class EligibilityResult(_Out):
    eligible: bool
    reason_code: str | None = None
    reason: str | None = None
    age: float | None = None
    enforced: bool
    min_age: int
    max_age: int


class ScoreRange(_Out):
    min: float
    max: float


class ScoreResult(_Out):
    status: ScoreStatus
    normalised_score: float | None = Field(
        description="min + (max − min)·total_points/max_possible; None when ineligible or without evidence"
    )
    normalised_range: ScoreRange
    total_points: float
    max_possible: float = Field(description="sum of the weights of enabled features that had evidence")
    max_configured: float = Field(description="sum of the weights of all enabled features")
    breakdown: list[FeatureScore]
    reasons: list[Reason]
    coverage: Coverage
    eligibility: EligibilityResult
    config_version: str
    code_version: str
    analysis_coverage: AnalysisCoverage | None = Field(
        default=None, description="what the text, name and image analyses read, and what they can detect"
    )


def check_eligibility(age: float | None, config: ScoringConfig) -> EligibilityResult:
    rules = config.eligibility
    code: str | None = None
    if age is None:
        code = "age_unknown" if rules.require_known_age else None
    elif age < rules.min_age:
        code = "age_below_minimum"
    elif age >= rules.max_age:
        code = "age_above_maximum"
    eligible = code is None or not rules.enforce
    return EligibilityResult(
        eligible=eligible,
        reason_code=code,
        reason=ELIGIBILITY_TEXT.get(code or ""),
        age=age,
        enforced=rules.enforce,
        min_age=rules.min_age,
        max_age=rules.max_age,
    )


def _feature_score(feature: FeatureId, features: FeatureVector, config: ScoringConfig) -> FeatureScore:
    settings = config.features.get(feature)
    weight = config.weight_of(feature)
    fv = features.get(feature)
    has_evidence = fv.value is not None
    if not settings.enabled or fv.value is None:
        return FeatureScore(
            feature=feature,
            enabled=settings.enabled,
            priority=settings.priority,
            weight=weight,
            has_evidence=has_evidence,
            value=None,
            points=None,
            points_below_max=None,
            evidence=fv.evidence if settings.enabled else [],
            notes=fv.notes if settings.enabled else [],
        )
    points = min(max(points_for(feature, fv.value, config), 0.0), weight)
    return FeatureScore(
        feature=feature,
        enabled=True,
        priority=settings.priority,
        weight=weight,
        has_evidence=True,
        value=fv.value,
        points=points,
        points_below_max=weight - points,
        evidence=fv.evidence,
        notes=fv.notes,
    )


def rank_reasons(breakdown: list[FeatureScore], limit: int) -> list[Reason]:
    """Scored features that lost points, most points below maximum first; ties by feature id."""
    lost = [b for b in breakdown if b.points_below_max is not None and b.points_below_max > 0]
    lost.sort(key=lambda b: (-(b.points_below_max or 0.0), b.feature.value))
    return [
        Reason(
            feature=b.feature,
            code=REASONS[b.feature][0],
            text=REASONS[b.feature][1],
            points_below_max=b.points_below_max or 0.0,
        )
        for b in lost[:limit]
    ]


def score(
    features: FeatureVector, config: ScoringConfig, analysis_coverage: AnalysisCoverage | None = None
) -> ScoreResult:
    breakdown = [_feature_score(f, features, config) for f in FeatureId]
    enabled = [b for b in breakdown if b.enabled]
    scored = [b for b in enabled if b.points is not None]
    total = sum(b.points or 0.0 for b in scored)
    max_possible = sum(b.weight for b in scored)
    eligibility = check_eligibility(features.get(FeatureId.AGE).value, config)

    status: ScoreStatus = "scored"
    if not eligibility.eligible:
        status = "ineligible"
    elif len(scored) < config.min_scored_features or max_possible <= 0:
        status = "insufficient_evidence"
    score_range = config.normalised_range
    normalised = None
    if status == "scored":
        share = min(max(total / max_possible, 0.0), 1.0)  # float sums may stray by an ulp
        normalised = score_range.min + (score_range.max - score_range.min) * share
    return ScoreResult(
        status=status,
        normalised_score=normalised,
        normalised_range=ScoreRange(min=score_range.min, max=score_range.max),
        total_points=total,
        max_possible=max_possible,
        max_configured=sum(b.weight for b in enabled),
        breakdown=breakdown,
        reasons=rank_reasons(breakdown, config.max_reasons) if status == "scored" else [],
        coverage=Coverage(
            features_enabled=len(enabled),
            features_with_evidence=len(scored),
            ratio=len(scored) / len(enabled) if enabled else 0.0,
            with_evidence=[b.feature for b in scored],
            missing=[b.feature for b in enabled if b.points is None],
        ),
        eligibility=eligibility,
        config_version=config.version,
        code_version=credscore.__version__,
        analysis_coverage=analysis_coverage,
    )
