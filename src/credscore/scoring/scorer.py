"""The score: pure and deterministic. Points per characteristic from the scorecard's bins (or hand-set knots); a
characteristic without usable evidence earns its explicit Missing bin's points (neutral by construction, so
withholding a source does not pay); reasons are the characteristics furthest below their baseline; eligibility
from age. Non-finite or out-of-range values never reach the score: they count as missing, with a note."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

import credscore
from credscore.coverage import AnalysisCoverage
from credscore.scoring.characteristic import Priority
from credscore.scoring.config import FeatureId, ScorecardKind, ScoringConfig
from credscore.scoring.curves import bin_points
from credscore.scoring.features import FeatureVector

ScoreStatus = Literal["scored", "ineligible", "insufficient_evidence"]

# (reason code, plain-language text) used when a characteristic scored below its baseline. Codes are stable.
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
        "Connections, friends or followers are fewer than this scorecard's reference level.",
    ),
    FeatureId.SKILLS: ("few_skills", "Fewer skills are listed than this scorecard's reference level."),
    FeatureId.LIKES: (
        "few_likes",
        "Own posts received fewer likes on average than this scorecard's reference level.",
    ),
    FeatureId.INVITATIONS: (
        "few_invitations",
        "Fewer invitations or friend requests were received than this scorecard's reference level.",
    ),
}

ELIGIBILITY_TEXT = {
    "age_below_minimum": "The applicant is younger than the minimum age for a score.",
    "age_above_maximum": "The applicant is at or above the age limit for a score.",
    "age_unknown": "No usable birth date was found and this deployment requires one.",
}

# Values a feature can truly take (shares, balance, counts, years); anything else is a defect upstream and is
# treated as missing evidence rather than scored.
_SHARE, _COUNT = (0.0, 1.0), (0.0, 1e12)
VALID_RANGE: dict[FeatureId, tuple[float, float]] = {
    FeatureId.AGE: (0.0, 150.0),
    FeatureId.EDUCATION: _COUNT,
    FeatureId.POSITIVE_POSTS: _SHARE,
    FeatureId.NEGATIVE_POSTS: _SHARE,
    FeatureId.COMMENTS: (-1.0, 1.0),
    FeatureId.NEGATIVE_GROUPS: _SHARE,
    FeatureId.NEGATIVE_PAGES: _SHARE,
    FeatureId.INTERACTION_FREQUENCY: _COUNT,
    FeatureId.IMAGES: _SHARE,
    FeatureId.CONNECTIONS: _COUNT,
    FeatureId.SKILLS: _COUNT,
    FeatureId.LIKES: _COUNT,
    FeatureId.INVITATIONS: _COUNT,
}

_GAP_EPSILON = 1e-9  # float noise is not a reason


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeatureScore(_Out):
    feature: FeatureId
    enabled: bool
    priority: Priority | None = Field(default=None, description="hand-set label; None for a fitted scorecard")
    weight: float = Field(description="the most points this characteristic can give")
    has_evidence: bool
    value: float | None = Field(description="value scored; None when disabled or without usable evidence")
    points: float | None = Field(
        description="points earned; the Missing bin's points when there is no evidence; None when disabled"
    )
    points_below_max: float | None
    min_points: float | None = Field(default=None, description="the fewest points it can give")
    missing_points: float | None = Field(default=None, description="the explicit Missing bin's points")
    reference_points: float | None = Field(default=None, description="baseline for reasons")
    points_below_reference: float | None = None
    bin: str | None = Field(
        default=None, description="the bin or curve segment the value fell in, or 'missing'"
    )
    evidence: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Reason(_Out):
    feature: FeatureId
    code: str
    text: str
    points_below_max: float
    points_below_reference: float | None = Field(
        default=None, description="the gap the reasons are ranked by: baseline minus points"
    )
    reference_points: float | None = None


class Coverage(_Out):
    features_enabled: int
    features_with_evidence: int
    ratio: float = Field(description="features with evidence / enabled features")
    with_evidence: list[FeatureId] = Field(description="enabled features that had evidence and were scored")
    missing: list[FeatureId] = Field(description="enabled features without evidence (Missing bin's points)")


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


class ScoreScale(_Out):
    """What the published number is on."""

    kind: ScorecardKind
    min: float
    max: float
    calibrated: bool = Field(description="True when the points were fitted to repayment outcomes")
    base_score: float | None = None
    base_odds: float | None = None
    pdo: float | None = None
    text: str


class ScoreResult(_Out):
    status: ScoreStatus
    normalised_score: float | None = Field(
        description="the published score on `normalised_range`: hand-set, min + (max − min)·(total − "
        "min_possible)/(max_possible − min_possible); fitted, the sum of points (PDO scale). None when "
        "ineligible or without evidence"
    )
    normalised_range: ScoreRange
    total_points: float
    min_possible: float = Field(default=0.0, description="fewest total points of the enabled characteristics")
    max_possible: float = Field(description="most total points of the enabled characteristics")
    max_configured: float = Field(description="same as max_possible (kept for older readers)")
    scale: ScoreScale | None = None
    breakdown: list[FeatureScore]
    reasons: list[Reason]
    coverage: Coverage
    eligibility: EligibilityResult
    config_version: str
    code_version: str
    analysis_coverage: AnalysisCoverage | None = Field(
        default=None, description="what the text, name and image analyses read, and what they can detect"
    )


def check_eligibility(age: float | None, config: ScoringConfig) -> dict[str, Any]:
    """The EligibilityResult fields."""
    rules = config.eligibility
    code: str | None = None
    if age is None:
        code = "age_unknown" if rules.require_known_age else None
    elif age < rules.min_age:
        code = "age_below_minimum"
    elif age >= rules.max_age:
        code = "age_above_maximum"
    return {
        "eligible": code is None or not rules.enforce,
        "reason_code": code,
        "reason": ELIGIBILITY_TEXT.get(code or ""),
        "age": age,
        "enforced": rules.enforce,
        "min_age": rules.min_age,
        "max_age": rules.max_age,
    }


def usable_value(feature: FeatureId, value: float | None) -> tuple[float | None, str | None]:
    """The value if it can be scored, else None with a note saying why (never the value itself: no content)."""
    if value is None:
        return None, None
    if not math.isfinite(value):
        return None, "value not a finite number; treated as missing"
    low, high = VALID_RANGE[feature]
    if not low <= value <= high:
        return None, f"value outside [{low:g}, {high:g}]; treated as missing"
    return value, None


# Rows, reasons and the result are built as plain dicts and validated once by ScoreResult (one pass in
# pydantic-core is several times cheaper than a Python-level model construction per row).
def _feature_row(feature: FeatureId, features: FeatureVector, config: ScoringConfig) -> dict[str, Any]:
    char = config.characteristic(feature)
    fv = features.get(feature)
    if char is None or not char.enabled:
        return {
            "feature": feature,
            "enabled": False,
            "priority": char.priority if char else None,
            "weight": char.max_points() if char else 0.0,
            "has_evidence": fv.value is not None,
            "value": None,
            "points": None,
            "points_below_max": None,
        }
    value, note = usable_value(feature, fv.value)
    notes = [*fv.notes, note] if note else fv.notes
    applied = bin_points(char, value) if value is not None else None
    if value is not None and applied is None:
        notes = [*notes, "value in no category of the scorecard; treated as missing"]
    if applied is None:
        value, points, label = None, char.missing_points, "missing"
    else:
        points, label = applied
    stats = char.stats()
    points = min(max(points, stats.worst), stats.best)  # interpolation rounding never leaves the bins' range
    return {
        "feature": feature,
        "enabled": True,
        "priority": char.priority,
        "weight": stats.best,
        "has_evidence": value is not None,
        "value": value,
        "points": points,
        "points_below_max": stats.best - points,
        "min_points": stats.worst,
        "missing_points": char.missing_points,
        "reference_points": stats.baseline,
        "points_below_reference": stats.baseline - points,
        "bin": label,
        "evidence": fv.evidence,
        "notes": notes,
    }


def rank_reasons(rows: list[dict[str, Any]], config: ScoringConfig, limit: int) -> list[dict[str, Any]]:
    """Characteristics scored on evidence whose points fall below their baseline, largest gap first, ties by
    feature id. One whose points cannot vary is never a reason; a missing one is not either (it is coverage)."""
    chars = config.scorecard.characteristics
    below = [
        r
        for r in rows
        if r["enabled"]
        and r["has_evidence"]
        and r["points_below_reference"] > _GAP_EPSILON
        and chars[r["feature"]].has_spread()
    ]
    below.sort(key=lambda r: (-r["points_below_reference"], r["feature"].value))
    return [
        {
            "feature": r["feature"],
            "code": REASONS[r["feature"]][0],
            "text": REASONS[r["feature"]][1],
            "points_below_max": r["points_below_max"],
            "points_below_reference": r["points_below_reference"],
            "reference_points": r["reference_points"],
        }
        for r in below[:limit]
    ]


def _scale(config: ScoringConfig, low: float, high: float) -> dict[str, Any]:
    card = config.scorecard
    if card.kind == "fitted":
        s = card.scaling
        return dict(
            kind="fitted",
            min=low,
            max=high,
            calibrated=True,
            base_score=s.base_score,
            base_odds=s.base_odds,
            pdo=s.pdo,
            text=(
                f"Sum of points fitted to repayment outcomes: {s.base_score:g} points at good:bad odds of "
                f"{s.base_odds:g}:1, odds double every {s.pdo:g} points; possible range {low:.0f} to {high:.0f}."
            ),
        )
    return dict(
        kind="handset",
        min=low,
        max=high,
        calibrated=False,
        text=(
            f"Hand-set points rescaled onto {low:g} to {high:g}, higher is better; not calibrated to repayment "
            "data, so there are no odds behind a score."
        ),
    )


def score(
    features: FeatureVector, config: ScoringConfig, analysis_coverage: AnalysisCoverage | None = None
) -> ScoreResult:
    rows = [_feature_row(f, features, config) for f in FeatureId]
    enabled = [r for r in rows if r["enabled"]]
    with_evidence = [r["feature"] for r in enabled if r["has_evidence"]]
    total = math.fsum(r["points"] for r in enabled)
    low = math.fsum(r["min_points"] for r in enabled)
    high = math.fsum(r["weight"] for r in enabled)
    # Eligibility reads the usable age whether the scorecard scores it or not: an age in no category of the
    # scorecard earns the Missing points but is still known (taking the row's value made it unknown, so an
    # applicant under the minimum age was scored).
    age = usable_value(FeatureId.AGE, features.get(FeatureId.AGE).value)[0]
    eligibility = check_eligibility(age, config)

    status: ScoreStatus = "scored"
    if not eligibility["eligible"]:
        status = "ineligible"
    elif len(with_evidence) < config.min_scored_features:
        status = "insufficient_evidence"
    fitted = config.scorecard.kind == "fitted"
    published = (low, high) if fitted else (config.normalised_range.min, config.normalised_range.max)
    normalised = None
    if status == "scored" and fitted:
        normalised = min(max(total, low), high)  # the sum of points is the score
    elif status == "scored":
        share = (total - low) / (high - low) if high > low else 0.5
        share = min(max(share, 0.0), 1.0)  # float sums may stray by an ulp
        # min + (max - min) * 1 can be max + one ulp (288.4 + 1103.8 = 1392.2000000000003): clamp again.
        normalised = min(
            max(published[0] + (published[1] - published[0]) * share, published[0]), published[1]
        )
    return ScoreResult.model_validate(
        {
            "status": status,
            "normalised_score": normalised,
            "normalised_range": {"min": published[0], "max": published[1]},
            "total_points": total,
            "min_possible": low,
            "max_possible": high,
            "max_configured": high,
            "scale": _scale(config, *published),
            "breakdown": rows,
            "reasons": rank_reasons(rows, config, config.max_reasons) if status == "scored" else [],
            "coverage": {
                "features_enabled": len(enabled),
                "features_with_evidence": len(with_evidence),
                "ratio": len(with_evidence) / len(enabled) if enabled else 0.0,
                "with_evidence": with_evidence,
                "missing": [r["feature"] for r in enabled if not r["has_evidence"]],
            },
            "eligibility": eligibility,
            "config_version": config.version,
            "code_version": credscore.__version__,
            "analysis_coverage": analysis_coverage,
        }
    )
