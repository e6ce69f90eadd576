"""Scoring: configuration, feature extraction and the pure, bounded, explainable score.

See docs/scoring.md.
"""

from credscore.scoring.config import (
    FeatureId,
    InvalidConfig,
    ScoringConfig,
    config_json_schema,
    load_default_config,
    parse_config,
)
from credscore.scoring.features import FeatureValue, FeatureVector, extract_features
from credscore.scoring.scorer import ScoreResult, score

__all__ = [
    "FeatureId",
    "FeatureValue",
    "FeatureVector",
    "InvalidConfig",
    "ScoreResult",
    "ScoringConfig",
    "config_json_schema",
    "extract_features",
    "load_default_config",
    "parse_config",
    "score",
]
