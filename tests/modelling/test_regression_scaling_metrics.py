from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from credscore.modelling import metrics
from credscore.modelling.regression import LogisticRegression
from credscore.modelling.scaling import ScorecardScaler


def test_one_binary_covariate_gives_the_log_odds_ratio_and_its_textbook_standard_error() -> None:
    # 2x2 table: x=0: 900 good 100 bad; x=1: 700 good 300 bad
    x = np.repeat([0.0, 0.0, 1.0, 1.0], [900, 100, 700, 300])
    y = np.repeat([0.0, 1.0, 0.0, 1.0], [900, 100, 700, 300])
    model = LogisticRegression().fit(x[:, None], y)
    assert model.converged_
    assert model.intercept_ == pytest.approx(math.log(100 / 900), abs=1e-8)
    assert model.coef_[0] == pytest.approx(math.log((300 / 700) / (100 / 900)), abs=1e-8)
    assert model.coef_se_[0] == pytest.approx(math.sqrt(1 / 900 + 1 / 100 + 1 / 700 + 1 / 300), rel=1e-6)


def test_recovers_coefficients_within_three_standard_errors() -> None:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(20000, 3))
    truth = np.array([-0.8, 0.0, 0.5])
    p = 1 / (1 + np.exp(-(-2.0 + X @ truth)))
    y = (rng.random(20000) < p).astype(float)
    model = LogisticRegression().fit(X, y)
    assert np.all(np.abs(model.coef_ - truth) < 3 * model.coef_se_)
    assert abs(model.intercept_ + 2.0) < 3 * model.intercept_se_


def test_fractional_outcomes_recover_the_generating_model_exactly() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3000, 2))
    p = 1 / (1 + np.exp(-(0.3 + X @ np.array([1.0, -0.5]))))
    model = LogisticRegression().fit(X, p)
    assert model.coef_ == pytest.approx([1.0, -0.5], abs=1e-6)
    assert model.intercept_ == pytest.approx(0.3, abs=1e-6)


def test_pdo_scaling_is_exact_at_the_base_odds_and_per_doubling() -> None:
    s = ScorecardScaler(600, 50, 20)
    assert s.factor == pytest.approx(20 / math.log(2))
    assert s.score_from_log_odds(np.array([math.log(50)]))[0] == pytest.approx(600.0, abs=1e-9)
    assert s.score_from_log_odds(np.array([math.log(100)]))[0] == pytest.approx(620.0, abs=1e-9)
    assert s.bad_rate_from_score(np.array([600.0]))[0] == pytest.approx(1 / 51)
    other = ScorecardScaler(500, 20, 40)
    assert other.score_from_log_odds(np.array([math.log(10)]))[0] == pytest.approx(460.0)


def test_bin_points_add_up_to_the_scaled_log_odds() -> None:
    s = ScorecardScaler()
    woe = [np.array([-0.5, 0.1, 0.7]), np.array([-0.2, 0.4])]
    coef, intercept = [-0.9, -1.1], -3.0
    points = [s.points(w, c, intercept, 2) for w, c in zip(woe, coef, strict=True)]
    for i, j in itertools.product(range(3), range(2)):
        log_odds_good = -(intercept + coef[0] * woe[0][i] + coef[1] * woe[1][j])
        assert points[0][i] + points[1][j] == pytest.approx(
            600 + 20 / math.log(2) * (log_odds_good - math.log(50))
        )
    assert np.all(np.diff(points[0]) > 0)  # better WoE, more points (negative coefficient of bad)


def _brute_auc(score: np.ndarray, y: np.ndarray) -> float:
    good, bad = score[y == 0], score[y == 1]
    wins = (good[:, None] > bad[None, :]).sum() + 0.5 * (good[:, None] == bad[None, :]).sum()
    return float(wins / (good.size * bad.size))


def test_auc_and_ks_against_brute_force() -> None:
    rng = np.random.default_rng(5)
    score = rng.integers(0, 30, 400).astype(float)  # many ties
    y = (rng.random(400) < 1 / (1 + np.exp((score - 15) / 5))).astype(float)
    assert metrics.auc(score, y) == pytest.approx(_brute_auc(score, y))
    assert metrics.auc_weighted(score, y) == pytest.approx(metrics.auc(score, y))
    thresholds = np.unique(score)
    gaps = [abs((score[y == 1] <= t).mean() - (score[y == 0] <= t).mean()) for t in thresholds]
    assert metrics.ks(score, y) == pytest.approx(max(gaps))


def test_psi_and_shares() -> None:
    assert metrics.psi([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert metrics.psi([0.5, 0.5], [0.8, 0.2]) == pytest.approx(0.3 * math.log(1.6) - 0.3 * math.log(0.4))
    assert metrics.shares([1, 2, 3, 4], [2.0, 4.0]).tolist() == [0.25, 0.5, 0.25]
