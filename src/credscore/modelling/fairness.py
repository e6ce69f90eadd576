"""Fairness views of a score: distributions and approval rates by group, adverse impact ratios at a cut-off.

The adverse impact ratio of a group is its approval rate over the highest group's; below 0.8 (the "four-fifths
rule" of US practice) is flagged. Groups come from `age_band` and every `attr_*` column of the training rows;
an empty value is shown as "(unknown)".
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from credscore.modelling.metrics import shares

FOUR_FIFTHS = 0.8
UNKNOWN = "(unknown)"


def cutoff_for_approval(score: Any, approval_share: float) -> float:
    """The score at and above which `approval_share` of the applicants are approved."""
    return float(np.quantile(np.asarray(score, dtype=np.float64), 1.0 - approval_share, method="lower"))


def group_table(
    score: NDArray[np.float64], groups: NDArray[np.str_], cutoff: float, bands: Any
) -> list[dict[str, Any]]:
    labels = np.where(groups == "", UNKNOWN, groups)
    rows = []
    for value in sorted(set(labels.tolist())):
        mask = labels == value
        s = score[mask]
        rows.append(
            {
                "group": value,
                "n": int(mask.sum()),
                "mean_score": float(s.mean()),
                "p10": float(np.quantile(s, 0.1)),
                "median": float(np.median(s)),
                "p90": float(np.quantile(s, 0.9)),
                "approval_rate": float(np.mean(s >= cutoff)),
                "band_shares": [round(float(x), 6) for x in shares(s, bands)],
            }
        )
    best = max((r["approval_rate"] for r in rows), default=0.0)
    for r in rows:
        r["adverse_impact_ratio"] = r["approval_rate"] / best if best > 0 else None
        r["below_four_fifths"] = (
            r["adverse_impact_ratio"] is not None and r["adverse_impact_ratio"] < FOUR_FIFTHS
        )
    return rows


def fairness_tables(
    score: NDArray[np.float64], attributes: dict[str, NDArray[np.str_]], cutoff: float, bands: Any
) -> dict[str, list[dict[str, Any]]]:
    return {name: group_table(score, values, cutoff, bands) for name, values in attributes.items()}
