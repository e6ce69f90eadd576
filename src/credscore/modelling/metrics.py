"""Discrimination, stability and calibration measures (numpy only). Scores are 'higher is better'; `y` is 1 for
bad, 0 for good."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
PSI_FLOOR = 1e-4  # an empty band would make PSI infinite; floor its share as monitoring tools do


def _average_ranks(values: FloatArray) -> FloatArray:
    """Ranks 1..n with ties given their average rank."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    starts = ends - counts + 1
    ranks: FloatArray = ((starts + ends) / 2.0)[inverse]
    return ranks


def auc(score: Any, y: Any) -> float:
    """Probability that a random good scores above a random bad (ties count half): Mann–Whitney."""
    score = np.asarray(score, dtype=np.float64)
    bad = np.asarray(y, dtype=np.float64) > 0.5
    n_bad, n_good = int(bad.sum()), int((~bad).sum())
    if n_bad == 0 or n_good == 0:
        return float("nan")
    ranks = _average_ranks(score)
    return float((ranks[~bad].sum() - n_good * (n_good + 1) / 2) / (n_good * n_bad))


def auc_weighted(score: Any, p_bad: Any) -> float:
    """AUC against fractional outcomes (each row is p bad and 1 − p good): the AUC the scores would have on
    infinite outcomes drawn from those probabilities."""
    score = np.asarray(score, dtype=np.float64)
    p = np.asarray(p_bad, dtype=np.float64)
    order = np.argsort(score, kind="stable")
    s, pb = score[order], p[order]
    pg = 1.0 - pb
    _uniq, start = np.unique(s, return_index=True)
    bad_per = np.add.reduceat(pb, start)
    good_per = np.add.reduceat(pg, start)
    bads_below = np.cumsum(bad_per) - bad_per
    total = float(np.sum(good_per * (bads_below + bad_per / 2)))
    return total / (pb.sum() * pg.sum())


def ks(score: Any, y: Any) -> float:
    """Largest gap between the cumulative score distributions of bads and goods."""
    score = np.asarray(score, dtype=np.float64)
    bad = np.asarray(y, dtype=np.float64) > 0.5
    if bad.all() or not bad.any():
        return float("nan")
    order = np.argsort(score, kind="stable")
    s, b = score[order], bad[order]
    _, last = np.unique(s[::-1], return_index=True)
    ends = s.size - 1 - last  # last index of each distinct score in ascending order
    cum_b = np.cumsum(b)[ends] / b.sum()
    cum_g = np.cumsum(~b)[ends] / (~b).sum()
    return float(np.max(np.abs(cum_b - cum_g)))


def shares(values: Any, edges: Any) -> FloatArray:
    """Shares of values in the right-open bands cut at `edges` (len(edges) + 1 bands)."""
    idx = np.searchsorted(np.asarray(edges, dtype=np.float64), np.asarray(values, dtype=np.float64), "right")
    counts = np.bincount(idx, minlength=len(edges) + 1).astype(np.float64)
    out: FloatArray = counts / max(counts.sum(), 1.0)
    return out


def index_shares(index: Any, size: int) -> FloatArray:
    """Shares of each bin index 0..size-1."""
    counts = np.bincount(np.asarray(index, dtype=np.int64), minlength=size).astype(np.float64)
    out: FloatArray = counts / max(float(counts.sum()), 1.0)
    return out


def psi(expected: Any, actual: Any) -> float:
    """Population stability index Σ (a − e)·ln(a / e) over shares (each floored at 1e-4)."""
    e = np.maximum(np.asarray(expected, dtype=np.float64), PSI_FLOOR)
    a = np.maximum(np.asarray(actual, dtype=np.float64), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def quantile_edges(values: Any, bands: int = 10) -> FloatArray:
    """Distinct inner quantile edges for `bands` bands (fewer when values repeat)."""
    values = np.asarray(values, dtype=np.float64)
    qs = np.quantile(values, np.linspace(0, 1, bands + 1)[1:-1], method="lower")
    edges = np.unique(qs)
    out: FloatArray = edges[edges > values.min()]
    return out


def calibration_by_band(score: Any, y: Any, predicted_bad: Any, edges: Any) -> list[dict[str, Any]]:
    """Per score band: count, mean score, predicted vs observed bad rate and observed ln(good:bad odds)."""
    score = np.asarray(score, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    predicted_bad = np.asarray(predicted_bad, dtype=np.float64)
    idx = np.searchsorted(np.asarray(edges, dtype=np.float64), score, side="right")
    rows = []
    for band in range(len(edges) + 1):
        mask = idx == band
        n = int(mask.sum())
        if n == 0:
            continue
        bads = float(y[mask].sum())
        observed = bads / n
        rows.append(
            {
                "band": band,
                "n": n,
                "score_min": float(score[mask].min()),
                "score_max": float(score[mask].max()),
                "mean_score": float(score[mask].mean()),
                "predicted_bad_rate": float(predicted_bad[mask].mean()),
                "observed_bad_rate": observed,
                "observed_log_odds": float(np.log((n - bads + 0.5) / (bads + 0.5))),
            }
        )
    return rows


def log_odds_line(mean_score: Any, log_odds: Any, weights: Any) -> tuple[float, float]:
    """Weighted least-squares line ln(odds) = a + b·score through band points: (a, b)."""
    x = np.asarray(mean_score, dtype=np.float64)
    z = np.asarray(log_odds, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    xm, zm = np.average(x, weights=w), np.average(z, weights=w)
    b = float(np.sum(w * (x - xm) * (z - zm)) / np.sum(w * (x - xm) ** 2))
    return float(zm - b * xm), b
