"""Points curves: each maps a feature value to points in [0, weight], monotone in one explainable direction
(age is the one peaked curve). Pure functions, no configuration lookups."""

from __future__ import annotations

import math

from credscore.scoring.config import (
    AgeFeature,
    CurveShape,
    Eligibility,
    FeatureId,
    SaturatingFeature,
    ScoringConfig,
)


def _clamp(x: float, low: float, high: float) -> float:
    return min(max(x, low), high)


def share_up(share: float, weight: float) -> float:
    """More is better: w·s."""
    return weight * _clamp(share, 0.0, 1.0)


def share_down(share: float, weight: float) -> float:
    """Less is better (penalties): w·(1 − s)."""
    return weight * (1.0 - _clamp(share, 0.0, 1.0))


def balance(value: float, weight: float) -> float:
    """[-1, 1] → [0, w] linearly: w·(v + 1)/2."""
    return weight * _clamp((value + 1.0) / 2.0, 0.0, 1.0)


def saturating(value: float, weight: float, saturation: float, shape: CurveShape) -> float:
    """Rises with the value, flat from `saturation` on: w·min(v,s)/s, or w·ln(1+min(v,s))/ln(1+s) for log."""
    capped = _clamp(value, 0.0, saturation)
    share = math.log1p(capped) / math.log1p(saturation) if shape == "log" else capped / saturation
    return weight * _clamp(share, 0.0, 1.0)  # share first: w·s/sat can round above w


def age_points(age: float, weight: float, curve: AgeFeature, eligibility: Eligibility) -> float:
    """0 outside [min_age, max_age); linear from share_at_min_age·w at min_age up to w at peak_age, then
    linear down towards share_at_max_age·w at max_age (itself excluded, so the curve drops to 0 there)."""
    low, high, peak = eligibility.min_age, eligibility.max_age, curve.peak_age
    if age < low or age >= high:
        return 0.0
    if age <= peak:
        share = curve.share_at_min_age + (1.0 - curve.share_at_min_age) * (age - low) / (peak - low)
    else:
        share = 1.0 - (1.0 - curve.share_at_max_age) * (age - peak) / (high - peak)
    return weight * _clamp(share, 0.0, 1.0)


_UP = {FeatureId.POSITIVE_POSTS}
_DOWN = {FeatureId.NEGATIVE_POSTS, FeatureId.NEGATIVE_GROUPS, FeatureId.NEGATIVE_PAGES, FeatureId.IMAGES}


def points_for(feature: FeatureId, value: float, config: ScoringConfig) -> float:
    weight = config.weight_of(feature)
    settings = config.features.get(feature)
    if feature == FeatureId.AGE:
        assert isinstance(settings, AgeFeature)
        return age_points(value, weight, settings, config.eligibility)
    if feature in _UP:
        return share_up(value, weight)
    if feature in _DOWN:
        return share_down(value, weight)
    if feature == FeatureId.COMMENTS:
        return balance(value, weight)
    assert isinstance(settings, SaturatingFeature), feature
    return saturating(value, weight, settings.saturation, settings.shape)
