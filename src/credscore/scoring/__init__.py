"""Scoring: configuration, feature extraction and the pure, bounded, explainable score.

See docs/scoring.md. Names are re-exported lazily, so that `python -m credscore.scoring.config` runs the
module once (an eager import here would load it before runpy executes it as __main__).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOME = {
    "FeatureId": "config",
    "InvalidConfig": "config",
    "ScoringConfig": "config",
    "config_json_schema": "config",
    "load_default_config": "config",
    "parse_config": "config",
    "FeatureValue": "features",
    "FeatureVector": "features",
    "extract_features": "features",
    "ScoreResult": "scorer",
    "score": "scorer",
}

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


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'credscore.scoring' has no attribute {name!r}")
    return getattr(importlib.import_module(f"credscore.scoring.{_HOME[name]}"), name)
