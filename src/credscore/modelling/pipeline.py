"""Fit and validate in one call: split off a holdout, fit the scorecard, measure it, look at fairness.

What `credscore model fit` runs. The holdout is out of time when the rows carry `scored_at` dates (the latest
`holdout_share` by date), otherwise a seeded random share. Indeterminate outcomes are left out of fitting and
measuring (counted in the report).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from credscore.modelling import metrics
from credscore.modelling.configfmt import config_document, config_text, validate_config
from credscore.modelling.data import TrainingData
from credscore.modelling.fairness import cutoff_for_approval, fairness_tables
from credscore.modelling.scorecard import FitOptions, Scorecard, ScorecardFitter

IV_LABELS = ((0.02, "useless"), (0.1, "weak"), (0.3, "medium"), (0.5, "strong"))


def iv_label(iv: float) -> str:
    for limit, label in IV_LABELS:
        if iv < limit:
            return label
    return "suspect (above 0.5: check for leakage)"


@dataclass(frozen=True)
class Split:
    dev: NDArray[np.bool_]
    holdout: NDArray[np.bool_]
    kind: str  # "out-of-time" | "random"
    boundary: str | None = None  # first holdout date (out of time)


def split_holdout(data: TrainingData, share: float, seed: int = 0) -> Split:
    n = len(data)
    k = max(1, round(n * share))
    dated = ~np.isnan(data.scored_at)
    holdout = np.zeros(n, dtype=bool)
    if dated.all() and np.unique(data.scored_at).size > 1:
        order = np.argsort(data.scored_at, kind="stable")
        holdout[order[n - k :]] = True
        first = float(data.scored_at[order[n - k]])
        return Split(~holdout, holdout, "out-of-time", dt.datetime.fromtimestamp(first, dt.UTC).isoformat())
    holdout[np.random.default_rng(seed).permutation(n)[:k]] = True
    return Split(~holdout, holdout, "random")


@dataclass
class FitOutcome:
    card: Scorecard
    config: dict[str, Any]
    text: str
    report: dict[str, Any]


def _performance(score: NDArray[np.float64], y: NDArray[np.float64]) -> dict[str, float]:
    a = metrics.auc(score, y)
    return {
        "n": int(y.size),
        "bad_rate": float(y.mean()),
        "auc": a,
        "gini": 2 * a - 1,
        "ks": metrics.ks(score, y),
    }


def fit_and_validate(
    data: TrainingData,
    options: FitOptions | None = None,
    *,
    version: str | None = None,
    holdout_share: float = 0.2,
    cutoff: float | None = None,
    approval_share: float = 0.8,
    seed: int = 0,
    fairness: bool = True,
) -> FitOutcome:
    options = options or FitOptions()
    labelled = data.outcome >= 0
    if labelled.sum() < 50:
        raise ValueError(f"only {int(labelled.sum())} rows with a good or bad outcome: too few to fit")
    rows = data.subset(labelled)
    split = split_holdout(rows, holdout_share, seed)
    dev, hold = rows.subset(split.dev), rows.subset(split.holdout)
    y_dev, y_hold = dev.outcome.astype(np.float64), hold.outcome.astype(np.float64)
    card = ScorecardFitter(options).fit(dev.characteristics, y_dev)
    version = version or "fitted-" + dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    section = card.scorecard_section(dev.characteristics, y_dev)
    document = config_document(section, version)
    text = config_text(document)
    validate_config(text)

    s_dev, s_hold = card.score(dev.characteristics), card.score(hold.characteristics)
    bands = section["development"]["score_bands"]
    hold_deciles = metrics.quantile_edges(s_hold, 10)
    calib = metrics.calibration_by_band(s_hold, y_hold, card.scaler.bad_rate_from_score(s_hold), hold_deciles)
    a, b = metrics.log_odds_line(
        [r["mean_score"] for r in calib], [r["observed_log_odds"] for r in calib], [r["n"] for r in calib]
    )
    scaler = card.scaler
    characteristics = []
    for name, c in card.characteristics.items():
        table = c.binning.table()
        size = c.binning.n_bins + 1
        dev_share = metrics.index_shares(c.binning.bin_index(dev.characteristics[name]), size)
        hold_share = metrics.index_shares(c.binning.bin_index(hold.characteristics[name]), size)
        for i, row in enumerate(table):
            row["points"] = float(c.points[i])
            row["holdout_share"] = float(hold_share[i])
        characteristics.append(
            {
                "name": name,
                "iv": c.binning.iv_,
                "iv_label": iv_label(c.binning.iv_),
                "in_model": c.selected,
                "note": c.note,
                "direction": c.direction,
                "monotone": c.binning.is_monotone(),
                "coefficient": c.coef if c.selected else None,
                "standard_error": c.coef_se if c.selected else None,
                "missing_coefficient": c.missing_coef if c.selected else None,
                "missing_standard_error": c.missing_coef_se if c.selected else None,
                "psi": metrics.psi(dev_share, hold_share),
                "bins": table,
            }
        )
    report: dict[str, Any] = {
        "version": version,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data": {
            "rows": len(data),
            "labelled": int(labelled.sum()),
            "indeterminate": int((data.outcome < 0).sum()),
            "holdout": split.kind,
            "holdout_from": split.boundary,
            "development_rows": len(dev),
            "holdout_rows": len(hold),
        },
        "options": {
            "scaling": scaler.as_dict(),
            "min_bin_share": options.min_bin_share,
            "min_iv": options.min_iv,
            "holdout_share": holdout_share,
            "excluded": list(options.exclude),
            "missing_points": options.missing_points,
            "cross_fit_folds": options.cross_fit_folds,
            "shrinkage": options.shrinkage,
        },
        "model": {
            "intercept": card.regression.intercept_ if card.regression else None,
            "intercept_se": card.regression.intercept_se_ if card.regression else None,
            "converged": bool(card.regression.converged_) if card.regression else None,
            "shrinkage": card.shrinkage,
            "in_model": card.selected,
            "factor": scaler.factor,
            "offset": scaler.offset,
        },
        "performance": {"development": _performance(s_dev, y_dev), "holdout": _performance(s_hold, y_hold)},
        "calibration": {
            "deciles": calib,
            "log_odds_per_pdo": b * scaler.pdo,
            "expected_log_odds_per_pdo": math.log(2),
            "score_at_base_odds": (math.log(scaler.base_odds) - a) / b if b else None,
        },
        "stability": {
            "score_psi": metrics.psi(section["development"]["score_shares"], metrics.shares(s_hold, bands)),
            "score_bands": bands,
            "development_shares": section["development"]["score_shares"],
            "holdout_shares": [float(x) for x in metrics.shares(s_hold, bands)],
        },
        "characteristics": characteristics,
    }
    if fairness:
        report["fairness"] = fairness_section(card, dev, hold, options, cutoff, approval_share, bands)
    report["warnings"] = _warnings(report)
    return FitOutcome(card, document, text, report)


def fairness_section(
    card: Scorecard,
    dev: TrainingData,
    hold: TrainingData,
    options: FitOptions,
    cutoff: float | None,
    approval_share: float,
    bands: list[float],
) -> dict[str, Any]:
    s_hold = card.score(hold.characteristics)
    y_hold = hold.outcome.astype(np.float64)
    chosen_cutoff = cutoff if cutoff is not None else cutoff_for_approval(s_hold, approval_share)
    groups = {"age_band": hold.age_band, **hold.attributes}
    section: dict[str, Any] = {
        "cutoff": chosen_cutoff,
        "cutoff_rule": "given" if cutoff is not None else f"score at which {approval_share:.0%} are approved",
        "approval_rate": float(np.mean(s_hold >= chosen_cutoff)),
        "groups": fairness_tables(s_hold, groups, chosen_cutoff, bands),
    }
    if "age" in card.characteristics and "age" not in options.exclude:
        no_age = ScorecardFitter(options.without("age")).fit(
            dev.characteristics, dev.outcome.astype(np.float64)
        )
        s_no_age = no_age.score(hold.characteristics)
        cut_no_age = cutoff if cutoff is not None else cutoff_for_approval(s_no_age, approval_share)
        with_age = {r["group"]: r for r in section["groups"]["age_band"]}
        without = fairness_tables(s_no_age, {"age_band": hold.age_band}, cut_no_age, bands)["age_band"]
        section["age_off"] = {
            "auc_with_age": metrics.auc(s_hold, y_hold),
            "auc_without_age": metrics.auc(s_no_age, y_hold),
            "auc_change": metrics.auc(s_no_age, y_hold) - metrics.auc(s_hold, y_hold),
            "cutoff_without_age": cut_no_age,
            "bands": [
                {
                    "group": r["group"],
                    "n": r["n"],
                    "approval_with_age": with_age[r["group"]]["approval_rate"],
                    "approval_without_age": r["approval_rate"],
                    "change": r["approval_rate"] - with_age[r["group"]]["approval_rate"],
                    "adverse_impact_ratio_without_age": r["adverse_impact_ratio"],
                }
                for r in without
            ],
        }
    return section


def _warnings(report: dict[str, Any]) -> list[str]:
    out = []
    for c in report["characteristics"]:
        if c["iv"] >= 0.5:
            out.append(f"{c['name']}: information value {c['iv']:.2f} is suspiciously high (leakage?)")
        if not c["monotone"]:
            out.append(f"{c['name']}: bins are not monotone")
        if c["psi"] > 0.25:
            out.append(f"{c['name']}: PSI {c['psi']:.2f} between development and holdout (shifted)")
    if report["stability"]["score_psi"] > 0.1:
        out.append(f"score PSI {report['stability']['score_psi']:.3f} between development and holdout")
    shrinkage = report["model"].get("shrinkage")
    if shrinkage is not None and shrinkage < 0.8:
        out.append(
            f"coefficients shrunk by {shrinkage:.2f}: the model fits much of these outcomes' noise (few bads "
            "for its bins); fit on more outcomes or fewer characteristics"
        )
    if report["data"]["labelled"] < 5000:
        out.append("fewer than 5,000 labelled rows: bins and coefficients are uncertain")
    for rows in (report.get("fairness") or {}).get("groups", {}).values():
        out += [
            f"approval rate of group '{r['group']}' is {r['adverse_impact_ratio']:.2f} of the highest group's"
            for r in rows
            if r["below_four_fifths"]
        ]
    return out


def fitted_config_text(
    data: TrainingData, options: FitOptions | None = None, version: str | None = None
) -> str:
    """The fitted configuration's JSON text (validated): what a new, inactive Parameter Store version holds."""
    return fit_and_validate(data, options, version=version, fairness=False).text
