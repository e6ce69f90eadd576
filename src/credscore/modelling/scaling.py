"""Points-to-double-the-odds scaling: score = offset + factor · ln(good:bad odds).

factor = PDO / ln 2 and offset = base_score − factor · ln(base_odds); with a logistic regression of *bad* on the
WoE-coded characteristics (logit P(bad) = intercept + Σ βⱼ·WoEⱼ), ln(good:bad odds) = −(intercept + Σ βⱼ·WoEⱼ),
so the points of bin i of characteristic j are −(βⱼ·WoEᵢⱼ + intercept/n)·factor + offset/n and the points of an
applicant's bins add up to the score exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ScorecardScaler:
    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    def __post_init__(self) -> None:
        if not (self.base_odds > 0 and self.pdo > 0 and math.isfinite(self.base_score)):
            raise ValueError("base_odds and pdo must be positive and base_score finite")

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def points(self, woe: FloatArray, coef: float, intercept: float, n_characteristics: int) -> FloatArray:
        """Points of each bin of one characteristic (WoE per bin, its coefficient in the model of bad)."""
        out: FloatArray = (
            -(coef * np.asarray(woe, dtype=np.float64) + intercept / n_characteristics) * self.factor
            + self.offset / n_characteristics
        )
        return out

    def score_from_log_odds(self, log_odds_good: FloatArray) -> FloatArray:
        out: FloatArray = self.offset + self.factor * np.asarray(log_odds_good, dtype=np.float64)
        return out

    def log_odds_from_score(self, score: FloatArray) -> FloatArray:
        out: FloatArray = (np.asarray(score, dtype=np.float64) - self.offset) / self.factor
        return out

    def bad_rate_from_score(self, score: FloatArray) -> FloatArray:
        out: FloatArray = 1.0 / (1.0 + np.exp(np.clip(self.log_odds_from_score(score), -35, 35)))
        return out

    def as_dict(self) -> dict[str, float]:
        return {"base_score": self.base_score, "base_odds": self.base_odds, "pdo": self.pdo}
