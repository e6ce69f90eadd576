"""Edges of score() the broader scorer tests pass over (written for the survivors of `make mutate`, see
MUTATION.md)."""

from __future__ import annotations

from typing import Any

from credscore.scoring.config import FeatureId, load_default_config
from credscore.scoring.scorer import _GAP_EPSILON, rank_reasons

DEFAULT = load_default_config()


def _row(feature: FeatureId, gap: float) -> dict[str, Any]:
    return {
        "feature": feature,
        "enabled": True,
        "has_evidence": True,
        "points_below_reference": gap,
        "points_below_max": gap,
        "reference_points": 10.0,
    }


def test_a_gap_of_float_noise_is_no_reason() -> None:
    assert DEFAULT.scorecard.characteristics[FeatureId.SKILLS].has_spread()
    rows = [_row(FeatureId.SKILLS, _GAP_EPSILON), _row(FeatureId.CONNECTIONS, 2 * _GAP_EPSILON)]
    assert [r["feature"] for r in rank_reasons(rows, DEFAULT, limit=5)] == [FeatureId.CONNECTIONS]
