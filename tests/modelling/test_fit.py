"""The whole fit on a small deterministic population: signs, IV, monotone points, exact scaling, the config
document (applied bin by bin as the scorer will) and the validation report."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace

import numpy as np
import pytest

from credscore.modelling.configfmt import validate_config
from credscore.modelling.data import TrainingData
from credscore.modelling.pipeline import fit_and_validate, split_holdout
from credscore.modelling.report import render_html, report_json
from credscore.modelling.scaling import ScorecardScaler
from credscore.modelling.scorecard import FitOptions, ScorecardFitter
from tests.modelling.conftest import simulated


def _apply_config(section: dict, columns: dict[str, np.ndarray]) -> np.ndarray:
    """Score rows from the JSON alone, as the scorer applies bins: right-open uppers, Missing bin."""
    n = len(next(iter(columns.values())))
    total = np.zeros(n)
    for name, c in section["characteristics"].items():
        if not c["enabled"]:
            continue
        for i, value in enumerate(columns[name]):
            if math.isnan(value):
                total[i] += c["missing_points"]
                continue
            total[i] += next(b["points"] for b in c["bins"] if b["upper"] is None or value < b["upper"])
    return total


@pytest.fixture(scope="module")
def outcome(population: tuple[TrainingData, np.ndarray]):  # type: ignore[no-untyped-def]
    data, _ = population
    return fit_and_validate(data, version="test-1")


def test_signs_iv_and_monotone_points(outcome) -> None:  # type: ignore[no-untyped-def]
    chars = {c["name"]: c for c in outcome.report["characteristics"]}
    for name in ("connections", "age", "skills"):
        assert chars[name]["in_model"], name
        assert chars[name]["coefficient"] < 0  # higher WoE (better) → lower odds of bad
        assert chars[name]["monotone"]
        assert chars[name]["iv"] > 0.05
    assert chars["likes"]["iv"] < 0.02
    assert not chars["likes"]["in_model"]
    section = outcome.config["scorecard"]
    conn = [b["points"] for b in section["characteristics"]["connections"]["bins"]]
    assert section["characteristics"]["connections"]["direction"] == "ascending"
    assert all(b > a for a, b in itertools.pairwise(conn))
    skills = section["characteristics"]["skills"]
    assert skills["missing_points"] < min(b["points"] for b in skills["bins"])  # no LinkedIn costs points


def test_config_is_valid_and_applies_exactly_as_the_model_scores(outcome, population) -> None:  # type: ignore[no-untyped-def]
    data, _ = population
    document = validate_config(outcome.text)
    assert document["version"] == "test-1"
    assert document["scorecard"]["kind"] == "fitted"
    assert document["scorecard"]["scaling"] == {"base_score": 600.0, "base_odds": 50.0, "pdo": 20.0}
    rows = {k: v[:500] for k, v in data.characteristics.items()}
    assert _apply_config(document["scorecard"], rows) == pytest.approx(outcome.card.score(rows), abs=1e-4)
    dev = document["scorecard"]["development"]
    assert sum(dev["score_shares"]) == pytest.approx(1.0, abs=1e-4)
    for name, shares in dev["characteristics"].items():
        assert sum(shares["bin_shares"]) + shares["missing_share"] == pytest.approx(1.0, abs=1e-4), name
        assert len(shares["bin_shares"]) == len(document["scorecard"]["characteristics"][name]["bins"])


def test_scaling_is_exact_at_base_odds(outcome, population) -> None:  # type: ignore[no-untyped-def]
    data, _ = population
    card = outcome.card
    rows = {k: v[:200] for k, v in data.characteristics.items()}
    log_odds = card.log_odds_good(rows)
    expected = 600 + 20 / math.log(2) * (log_odds - math.log(50))
    assert card.score(rows) == pytest.approx(expected, abs=1e-6)


def test_other_scaling_moves_every_point_consistently(population) -> None:  # type: ignore[no-untyped-def]
    data, _ = population
    y = (data.outcome[data.outcome >= 0]).astype(float)
    cols = {k: v[data.outcome >= 0] for k, v in data.characteristics.items()}
    a = ScorecardFitter(FitOptions()).fit(cols, y)
    b = ScorecardFitter(FitOptions(scaler=ScorecardScaler(500, 20, 40))).fit(cols, y)
    # same model, other scale: score_b = 500 + 40/ln2·(ln odds − ln 20)
    log_odds = (a.score(cols) - a.scaler.offset) / a.scaler.factor
    assert b.score(cols) == pytest.approx(500 + 40 / math.log(2) * (log_odds - math.log(20)), abs=1e-6)


def test_a_collinear_copy_with_the_wrong_sign_is_dropped(population) -> None:  # type: ignore[no-untyped-def]
    data, _ = population
    keep = data.outcome >= 0
    y = data.outcome[keep].astype(float)
    conn = data.characteristics["connections"][keep]
    rng = np.random.default_rng(0)
    cols = {"connections": conn, "skills": conn * (1 + 0.01 * rng.random(conn.size))}  # a near copy
    card = ScorecardFitter().fit(cols, y)
    assert len(card.selected) == 1
    dropped = next(c for c in card.characteristics.values() if not c.selected)
    assert "wrong sign" in dropped.note


def _labelled(population):  # type: ignore[no-untyped-def]
    data, _ = population
    keep = data.outcome >= 0
    return {n: v[keep] for n, v in data.characteristics.items()}, data.outcome[keep].astype(float)


@pytest.mark.parametrize("folds", [5, 0])
def test_shrinkage_takes_the_fits_optimism_out_of_every_coefficient(population, folds: int) -> None:  # type: ignore[no-untyped-def]
    cols, y = _labelled(population)
    options = FitOptions(missing_points="calibrated", cross_fit_folds=folds)  # no cap on the Missing points
    raw = ScorecardFitter(replace(options, shrinkage=False)).fit(cols, y)
    card = ScorecardFitter(options).fit(cols, y)
    assert raw.shrinkage == 1.0
    assert raw.regression is not None
    assert card.regression is not None
    # df counted independently: the distinct points each characteristic gives the applicants, less one
    df = 0
    for name in card.selected:
        c = card.characteristics[name]
        df += np.unique(np.round(c.points[np.unique(c.binning.bin_index(cols[name]))], 9)).size - 1
    p = y.mean()
    chi2 = 2 * (raw.regression.loglik_ - y.size * (p * math.log(p) + (1 - p) * math.log(1 - p)))
    assert card.shrinkage == pytest.approx((chi2 - df) / chi2)
    assert 0.8 < card.shrinkage < 1.0  # 6,000 rows: a few % of optimism
    assert np.allclose(card.regression.coef_, raw.regression.coef_ * card.shrinkage)
    # the intercept is refitted (also without cross-fitting): the mean predicted bad rate is the observed one
    predicted = 1 / (1 + np.exp(card.log_odds_good(cols)))
    assert predicted.mean() == pytest.approx(y.mean(), rel=1e-6)
    # every characteristic's points, its Missing bin's included, move toward each other by the same factor
    for name in card.selected:
        spread, raw_spread = (
            np.ptp(card.characteristics[name].points),
            np.ptp(raw.characteristics[name].points),
        )
        assert spread == pytest.approx(raw_spread * card.shrinkage, rel=1e-6), name


def test_characteristics_that_say_nothing_beyond_chance_are_refused_not_scored_alike() -> None:
    rng = np.random.default_rng(3)
    n = 4000
    cols = {"likes": rng.random(n) * 40, "comments": rng.normal(size=n)}
    y = (rng.random(n) < 0.08).astype(float)  # outcomes independent of both
    assert ScorecardFitter(FitOptions(min_iv=0.0, shrinkage=False)).fit(cols, y).selected  # fits noise
    with pytest.raises(ValueError, match="no better than"):
        ScorecardFitter(FitOptions(min_iv=0.0)).fit(cols, y)


def test_holdout_is_the_latest_share_when_dated_and_random_otherwise(population) -> None:  # type: ignore[no-untyped-def]
    data, _ = population
    split = split_holdout(data, 0.2)
    assert split.kind == "out-of-time"
    assert data.scored_at[split.holdout].min() > data.scored_at[split.dev].max()
    assert split.holdout.sum() == round(len(data) * 0.2)
    undated = data.subset(np.ones(len(data), dtype=bool))
    undated.scored_at = np.full(len(data), np.nan)
    assert split_holdout(undated, 0.2).kind == "random"


def test_report_has_validation_and_fairness(outcome) -> None:  # type: ignore[no-untyped-def]
    r = outcome.report
    assert r["data"]["indeterminate"] > 0
    assert r["data"]["holdout"] == "out-of-time"
    hold = r["performance"]["holdout"]
    assert 0.6 < hold["auc"] < 0.9
    assert hold["gini"] == pytest.approx(2 * hold["auc"] - 1)
    assert 0 < hold["ks"] < 1
    assert len(r["calibration"]["deciles"]) == 10
    assert r["stability"]["score_psi"] < 0.1
    fair = r["fairness"]
    assert fair["approval_rate"] == pytest.approx(0.8, abs=0.02)
    bands = {g["group"]: g for g in fair["groups"]["age_band"]}
    assert set(bands) == {"18-29", "30-44", "45-64", "(unknown)"}
    assert max(g["adverse_impact_ratio"] for g in bands.values()) == 1.0
    assert bands["18-29"]["approval_rate"] < bands["45-64"]["approval_rate"]  # age is informative here
    assert "attr_group" in fair["groups"]
    off = fair["age_off"]
    assert off["auc_change"] < 0  # age carried information
    young = next(b for b in off["bands"] if b["group"] == "18-29")
    assert young["change"] > 0  # without age the young are approved more often
    parsed = json.loads(report_json(r))
    assert parsed["version"] == "test-1"
    html = render_html(r)
    assert "<h2>Fairness</h2>" in html
    assert "connections" in html
    assert "Switching age off" in html


def test_too_few_labelled_rows_is_an_error() -> None:
    data, _ = simulated(n=40)
    with pytest.raises(ValueError, match="too few"):
        fit_and_validate(data)


def test_out_of_fold_woe_of_a_row_ignores_its_own_outcome(population) -> None:  # type: ignore[no-untyped-def]
    from credscore.modelling.binning import WoEEncoder
    from credscore.modelling.scorecard import _out_of_fold_woe

    data, _ = population
    keep = data.outcome >= 0
    cols = {k: v[keep] for k, v in data.characteristics.items()}
    y = data.outcome[keep].astype(float)
    encoder = WoEEncoder().fit(cols, y)
    before = _out_of_fold_woe(encoder, cols, ["connections", "age"], y, 5)
    flipped = y.copy()
    flipped[17] = 1 - flipped[17]
    after = _out_of_fold_woe(encoder, cols, ["connections", "age"], flipped, 5)
    assert np.array_equal(before[17], after[17])  # its own fold's counts are left out
    assert not np.array_equal(before, after)  # the other folds' rows do see it
    in_sample = _out_of_fold_woe(encoder, cols, ["connections", "age"], y, 0)
    assert np.array_equal(in_sample, encoder.transform(cols, ["connections", "age"]))


def test_worst_bin_policy_caps_missing_points(population) -> None:  # type: ignore[no-untyped-def]
    data, _ = population
    keep = data.outcome >= 0
    cols = {k: v[keep] for k, v in data.characteristics.items()}
    y = data.outcome[keep].astype(float)
    fitted = ScorecardFitter().fit(cols, y)
    capped = ScorecardFitter(FitOptions(missing_points="worst_bin")).fit(cols, y)
    age_fitted, age_capped = fitted.characteristics["age"], capped.characteristics["age"]
    n = age_fitted.binning.n_bins
    assert age_fitted.points[-1] > age_fitted.points[:n].min()  # missing age is about average risk here
    assert age_capped.points[-1] == pytest.approx(age_capped.points[:n].min())
    assert np.array_equal(age_capped.points[:n], age_fitted.points[:n])


def test_fitted_config_text_is_the_validated_document(population) -> None:  # type: ignore[no-untyped-def]
    from credscore.modelling.pipeline import fitted_config_text

    data, _ = population
    text = fitted_config_text(data, version="push-me")
    document = validate_config(text)
    assert document["version"] == "push-me"
    assert document["scorecard"]["characteristics"]["connections"]["enabled"] is True
