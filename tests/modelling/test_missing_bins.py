"""The Missing bin's own coefficient: a source whose absence says something through another characteristic
(no posts ⇔ a LinkedIn-only applicant ⇒ skills present) must not be paid twice."""

from __future__ import annotations

import math

import numpy as np
import pytest

from credscore.modelling.scorecard import Characteristic, FitOptions, Scorecard, ScorecardFitter

FloatArray = np.ndarray
TRUE_SKILLS_MISSING = 0.8  # log-odds of bad for no LinkedIn export


def confounded(seed: int, n: int = 20_000) -> tuple[dict[str, FloatArray], FloatArray]:
    """Half have LinkedIn (skills); posts are missing only for LinkedIn-only applicants. The true model: missing
    posts cost nothing (they count as the average share), missing skills cost 0.8 log-odds."""
    rng = np.random.default_rng(seed)
    linkedin = rng.random(n) < 0.5
    posts = ~linkedin | (rng.random(n) < 0.5)
    connections = np.round(rng.lognormal(5.3, 1.0, n))
    skills = np.where(linkedin, rng.integers(0, 30, n), np.nan).astype(float)
    negative = np.where(posts, rng.normal(0.25, 0.08, n), np.nan)
    logit = (
        -2.4
        - 0.6 * (np.log1p(connections) - 5.3)
        + 3.0 * np.nan_to_num(negative - 0.25)
        + TRUE_SKILLS_MISSING * ~linkedin
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    return {"connections": connections, "skills": skills, "negative_posts": negative}, y


def _mean_numeric_points(c: Characteristic, x: FloatArray) -> float:
    idx = c.binning.bin_index(x)
    return float(c.points[idx[idx < c.binning.n_bins]].mean())


def _missing_cost(card: Scorecard, cols: dict[str, FloatArray], name: str) -> float:
    c = card.characteristics[name]
    return _mean_numeric_points(c, cols[name]) - float(c.points[-1])


def test_missing_bin_gets_its_own_coefficient_and_is_not_paid_twice() -> None:
    cols, y = confounded(12)
    # unshrunk, so the costs compare with the truth's own (shrinkage, tested in test_fit.py, takes a few % of each)
    fitted = ScorecardFitter(FitOptions(missing_points="calibrated", shrinkage=False)).fit(cols, y)
    marginal = ScorecardFitter(FitOptions(missing_points="woe", shrinkage=False)).fit(cols, y)
    posts_fitted, posts_marginal = (
        fitted.characteristics["negative_posts"],
        marginal.characteristics["negative_posts"],
    )
    assert posts_fitted.missing_coef is not None
    assert posts_marginal.missing_coef is None
    n = posts_fitted.binning.n_bins
    # no posts is about average evidence given the rest, as the truth says ...
    assert abs(_missing_cost(fitted, cols, "negative_posts")) <= 3
    assert posts_fitted.points[-1] < posts_fitted.points[:n].max()
    # ... while its marginal WoE also carries the LinkedIn export the applicant has: more than the best bin
    assert posts_marginal.points[-1] > posts_marginal.points[:n].max()
    truth = TRUE_SKILLS_MISSING * 20 / math.log(2)
    assert _missing_cost(fitted, cols, "skills") == pytest.approx(truth, abs=3)
    assert abs(_missing_cost(marginal, cols, "skills") - truth) > 3


def test_fitted_missing_bins_never_pay_more_than_the_average_evidence() -> None:
    cols, y = confounded(12)
    calibrated = ScorecardFitter(FitOptions(missing_points="calibrated")).fit(cols, y)
    fitted = ScorecardFitter().fit(cols, y)
    capped = 0
    for name in fitted.selected:
        c, cal = fitted.characteristics[name], calibrated.characteristics[name]
        mean = _mean_numeric_points(c, cols[name])
        assert c.points[-1] == pytest.approx(min(cal.points[-1], mean))
        assert np.array_equal(c.points[:-1], cal.points[:-1])
        capped += cal.points[-1] > mean + 1e-9
    assert capped == 1  # no posts: a little better than average evidence before the cap


def test_scores_add_up_to_the_regression_with_missing_terms() -> None:
    cols, y = confounded(12)
    card = ScorecardFitter(FitOptions(missing_points="calibrated")).fit(cols, y)
    assert card.missing_terms == ["skills", "negative_posts"]
    rows = {k: v[:300] for k, v in cols.items()}
    expected = 600 + 20 / math.log(2) * (card.log_odds_good(rows) - math.log(50))
    assert card.score(rows) == pytest.approx(expected, abs=1e-6)


def test_a_characteristic_informative_only_by_its_missing_bin_stays_in_with_flat_bins() -> None:
    cols, y = confounded(11)
    card = ScorecardFitter().fit(cols, y)
    skills = card.characteristics["skills"]
    assert skills.selected
    assert skills.flat
    assert skills.coef == 0.0
    n = skills.binning.n_bins
    assert np.allclose(skills.points[:n], skills.points[0])
    truth = TRUE_SKILLS_MISSING * 20 / math.log(2)
    assert _missing_cost(card, cols, "skills") == pytest.approx(truth, abs=3)


def test_a_small_missing_bin_keeps_its_woe() -> None:
    cols, y = confounded(12)
    cols = dict(cols)
    rare = cols["connections"].copy()
    rare[:100] = np.nan  # 0.5% of the sample: below min_bin_share
    cols["connections"] = rare
    card = ScorecardFitter().fit(cols, y)
    assert card.characteristics["connections"].missing_coef is None
    assert "connections" not in card.missing_terms


def test_two_missing_bins_of_the_same_rows_share_one_indicator() -> None:
    cols, y = confounded(12)
    cols = dict(cols)
    cols["education"] = np.where(np.isnan(cols["skills"]), np.nan, np.arange(y.size) % 3 + 1.0)
    card = ScorecardFitter(FitOptions(missing_points="calibrated", min_iv=0.0)).fit(cols, y)
    assert "skills" in card.missing_terms
    assert "education" not in card.missing_terms  # the same rows as skills': only one indicator


def test_the_missing_coefficient_is_the_truths_effect_of_missing_evidence() -> None:
    """The WoE of a characteristic with its own Missing coefficient is centred on the rows with evidence, so
    the coefficient is the effect of missing against the average applicant with evidence (the truth's 0.8) and
    not tangled with β (an uncentred WoE column is nearly a constant times "not missing")."""
    for seed in (11, 12, 13):
        cols, y = confounded(seed)
        skills = (
            ScorecardFitter(FitOptions(missing_points="calibrated")).fit(cols, y).characteristics["skills"]
        )
        assert skills.missing_coef is not None
        assert skills.missing_coef_se is not None
        assert abs(skills.missing_coef - TRUE_SKILLS_MISSING) < 3 * skills.missing_coef_se, seed
        assert skills.missing_coef_se < 0.1, seed
