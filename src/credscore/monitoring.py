"""Population stability: distributions over bins and the PSI between two of them. Pure, no AWS.

Bins follow the scorecard convention (see docs/scoring.md): ascending edges e1 < e2 < … < ek make k + 1
right-open bins (-inf, e1), [e1, e2), …, [ek, +inf). A missing value (None) is its own bin, kept apart so a
source that stops arriving shows up as a shift too.

PSI = Σ (a − e) · ln(a / e) over the bins, with a and e the actual and expected shares. A bin empty on one side
would make the sum infinite; its share is floored at `SHARE_FLOOR` (a common convention; the floor is small enough
that an emptied bin which held 5 % still adds about 0.4). Read: < 0.1 stable, 0.1–0.25 watch, > 0.25 significant.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

SHARE_FLOOR = 1e-4
PSI_ALERT = 0.25
PSI_WATCH = 0.1

AGE_BANDS: tuple[tuple[int, str], ...] = (
    (18, "<18"),
    (25, "18-24"),
    (35, "25-34"),
    (45, "35-44"),
    (55, "45-54"),
)


def age_band(age: float | None) -> str:
    """The band of an age in completed years ('' when unknown): <18, 18-24, …, 55-64, 65+."""
    if age is None or not math.isfinite(age):
        return ""
    for upper, label in AGE_BANDS:
        if age < upper:
            return label
    return "55-64" if age < 65 else "65+"


def bin_index(value: float, edges: Sequence[float]) -> int:
    """0 for (-inf, e1), i for [e_i, e_i+1), len(edges) for [ek, +inf)."""
    return bisect_right(edges, value)


@dataclass(frozen=True)
class Distribution:
    edges: tuple[float, ...]
    counts: tuple[int, ...]  # len(edges) + 1
    missing: int

    @property
    def n(self) -> int:
        return sum(self.counts) + self.missing

    def shares(self, with_missing: bool = True) -> list[float]:
        """Shares of every value (the missing bin last when `with_missing`); all zeros for an empty sample."""
        cells = [*self.counts, self.missing] if with_missing else list(self.counts)
        total = sum(cells)
        return [c / total if total else 0.0 for c in cells]

    def as_dict(self) -> dict[str, object]:
        return {"edges": list(self.edges), "counts": list(self.counts), "missing": self.missing, "n": self.n}


def distribution(values: Iterable[float | None], edges: Sequence[float]) -> Distribution:
    ordered = tuple(float(e) for e in edges)
    if any(b <= a for a, b in pairwise(ordered)):
        raise ValueError("bin edges must be strictly ascending")
    counts = [0] * (len(ordered) + 1)
    missing = 0
    for value in values:
        if value is None or not math.isfinite(value):
            missing += 1
        else:
            counts[bin_index(value, ordered)] += 1
    return Distribution(edges=ordered, counts=tuple(counts), missing=missing)


def psi(expected: Sequence[float], actual: Sequence[float], floor: float = SHARE_FLOOR) -> float:
    """Population stability index of `actual` against `expected` (shares over the same bins)."""
    if len(expected) != len(actual):
        raise ValueError(f"different bins: {len(expected)} expected shares, {len(actual)} actual")
    if not expected:
        raise ValueError("no bins")
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        if e < 0 or a < 0:
            raise ValueError("shares cannot be negative")
        e, a = max(e, floor), max(a, floor)
        total += (a - e) * math.log(a / e)
    return total


def stability(value: float) -> str:
    return "significant" if value > PSI_ALERT else "watch" if value >= PSI_WATCH else "stable"


def quantile_edges(values: Iterable[float | None], bins: int = 10) -> list[float]:
    """Edges that cut the present values into about `bins` equally filled right-open bins (fewer when values
    repeat: edges are distinct). Used when no development sample defines the bins."""
    present = sorted(v for v in values if v is not None and math.isfinite(v))
    if bins < 2 or len(present) < 2:
        return []
    edges: list[float] = []
    for i in range(1, bins):
        cut = present[min(len(present) - 1, (i * len(present)) // bins)]
        if cut > present[0] and (not edges or cut > edges[-1]):
            edges.append(cut)
    return edges


def expected_shares(bin_shares: Sequence[float], missing_share: float | None) -> list[float]:
    """A development sample's characteristic shares as one vector over the bins plus the missing bin.
    `bin_shares` may be shares of all applicants (they then sum to 1 − missing_share) or of those with a value
    (they sum to 1); both read the same here."""
    present = sum(bin_shares)
    missing = float(missing_share or 0.0)
    if present <= 0:
        return [0.0] * len(bin_shares) + [1.0 if missing else 0.0]
    return [s / present * (1.0 - missing) for s in bin_shares] + [missing]


def previous_week(now: dt.datetime) -> tuple[dt.datetime, dt.datetime, str]:
    """The last complete ISO week (Monday 00:00 UTC to the next Monday) before `now`, and its label."""
    now = now.astimezone(dt.UTC)
    this_monday = dt.datetime.combine(now.date() - dt.timedelta(days=now.weekday()), dt.time(), tzinfo=dt.UTC)
    start = this_monday - dt.timedelta(days=7)
    year, week, _ = start.isocalendar()
    return start, this_monday, f"{year}-W{week:02d}"
