"""Champion/challenger: score kept feature values under the active and a candidate configuration, and summarise
what would change (score shift, PSI, approval rate at a cut-off, reasons). Pure, no AWS: the shadow job's page
and report functions call it.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from credscore.monitoring import distribution, psi, quantile_edges, stability
from credscore.scoring.config import FeatureId, ScoringConfig
from credscore.scoring.features import FeatureValue, FeatureVector
from credscore.scoring.scorer import score


def feature_vector(values: Mapping[str, float | None]) -> FeatureVector:
    """A vector from kept feature values (numbers only; unknown names are ignored, absent ones are missing)."""
    known = {f.value for f in FeatureId}
    return FeatureVector(
        values={FeatureId(k): FeatureValue(value=v) for k, v in values.items() if k in known}
    )


def headline_score(result: Mapping[str, Any]) -> float | None:
    """The score a lender cuts on. One place to read it, whichever scale the configuration uses."""
    for key in ("score", "normalised_score"):
        value = result.get(key)
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
    return None


def _summary(result: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": str(result.get("status")),
        "score": headline_score(result) if result.get("status") == "scored" else None,
        "reasons": [str(r.get("code")) for r in result.get("reasons") or []],
    }


def shadow_row(
    values: Mapping[str, float | None], active: ScoringConfig, candidate: ScoringConfig
) -> dict[str, Any]:
    """One application's outcome under both configurations (statuses, scores, reason codes; no personal data)."""
    vector = feature_vector(values)
    return {
        "active": _summary(score(vector, active).model_dump(mode="json")),
        "candidate": _summary(score(vector, candidate).model_dump(mode="json")),
    }


def _quantiles(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "mean": statistics.fmean(ordered),
        "min": ordered[0],
        "p10": at(0.1),
        "median": statistics.median(ordered),
        "p90": at(0.9),
        "max": ordered[-1],
    }


def compare(
    rows: Iterable[Mapping[str, Any]], cutoff: float | None = None, candidate_cutoff: float | None = None
) -> dict[str, Any]:
    """The comparison report over shadow rows. Approval = scored and score ≥ cut-off; without a cut-off the
    active model's median score is used (and the report says so). `candidate_cutoff` defaults to `cutoff` (give
    it when the candidate scores on another scale)."""
    n = 0
    status_changes: Counter[str] = Counter()
    active_scores: list[float | None] = []
    candidate_scores: list[float | None] = []
    shifts: list[float] = []
    any_reason: dict[str, Counter[str]] = {"active": Counter(), "candidate": Counter()}
    first_reason: dict[str, Counter[str]] = {"active": Counter(), "candidate": Counter()}
    reasons_changed = top_reason_changed = 0
    for row in rows:
        n += 1
        a, c = row["active"], row["candidate"]
        if a["status"] != c["status"]:
            status_changes[f"{a['status']} -> {c['status']}"] += 1
        active_scores.append(a["score"])
        candidate_scores.append(c["score"])
        if a["score"] is not None and c["score"] is not None:
            shifts.append(c["score"] - a["score"])
        for side, summary in (("active", a), ("candidate", c)):
            any_reason[side].update(set(summary["reasons"]))
            if summary["reasons"]:
                first_reason[side][summary["reasons"][0]] += 1
        if set(a["reasons"]) != set(c["reasons"]):
            reasons_changed += 1
        if a["reasons"][:1] != c["reasons"][:1]:
            top_reason_changed += 1

    scored_active = [s for s in active_scores if s is not None]
    scored_candidate = [s for s in candidate_scores if s is not None]
    cutoff_note = "given"
    if cutoff is None:
        cutoff = statistics.median(scored_active) if scored_active else 0.0
        cutoff_note = "the active model's median score (no cut-off given)"
    cand_cut = cutoff if candidate_cutoff is None else candidate_cutoff
    approved_active = [s is not None and s >= cutoff for s in active_scores]
    approved_candidate = [s is not None and s >= cand_cut for s in candidate_scores]
    swap_in = sum(1 for a, c in zip(approved_active, approved_candidate, strict=True) if c and not a)
    swap_out = sum(1 for a, c in zip(approved_active, approved_candidate, strict=True) if a and not c)

    # PSI of the candidate's scores against the active's, over the active's deciles plus a "no score" bin.
    edges = quantile_edges(scored_active, 10)
    expected = distribution(active_scores, edges)
    actual = distribution(candidate_scores, edges)
    score_psi = psi(expected.shares(), actual.shares()) if n else 0.0

    codes = sorted(set(any_reason["active"]) | set(any_reason["candidate"]))
    return {
        "applications": n,
        "scored": {"active": len(scored_active), "candidate": len(scored_candidate)},
        "status_changes": dict(sorted(status_changes.items())),
        "scores": {"active": _quantiles(scored_active), "candidate": _quantiles(scored_candidate)},
        "score_shift": _quantiles(shifts),
        "psi": {
            "value": score_psi,
            "reading": stability(score_psi),
            "bins": "deciles of the active model's scores, plus a bin for no score",
            "edges": edges,
            "active_shares": expected.shares(),
            "candidate_shares": actual.shares(),
        },
        "approval": {
            "cutoff": cutoff,
            "candidate_cutoff": cand_cut,
            "cutoff_source": cutoff_note,
            "active_rate": sum(approved_active) / n if n else 0.0,
            "candidate_rate": sum(approved_candidate) / n if n else 0.0,
            "change": (sum(approved_candidate) - sum(approved_active)) / n if n else 0.0,
            "swap_in": swap_in,
            "swap_out": swap_out,
        },
        "reasons": {
            "applications_whose_reasons_change": reasons_changed,
            "applications_whose_first_reason_changes": top_reason_changed,
            "by_code": {
                code: {
                    "active": any_reason["active"][code],
                    "candidate": any_reason["candidate"][code],
                    "active_first": first_reason["active"][code],
                    "candidate_first": first_reason["candidate"][code],
                }
                for code in codes
            },
        },
    }
