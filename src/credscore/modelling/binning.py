"""Monotone weight-of-evidence binning of one characteristic, and the WoE encoder over all of them.

Convention throughout the package: `y` is 1 for a bad outcome and 0 for a good one; WoE = ln(share of goods in
the bin / share of bads in the bin), so a higher WoE is a better bin. A bin is right-open, [previous upper, upper),
as in the scoring configuration; the first bin starts at -inf, the last ends at +inf, and missing values (NaN)
have their own bin, kept out of the monotonicity constraint.

The algorithm (what optbinning's `OptimalBinning(monotonic_trend=...)` solves with a MIP, done here greedily):
1. pre-bin the non-missing values at quantiles (at most `max_prebins`, distinct edges only, so a value with a
   mass point such as 0 gets a bin of its own);
2. pool adjacent violators: walk the pre-bins left to right and merge the newest block into the previous one
   while the two violate the declared direction (equal bad rates are merged too, so WoE is strictly monotone);
3. merge the smallest bin into its closer neighbour (by odds) until every bin holds `min_bin_share` of the
   sample; steps 2 and 3 repeat until neither changes anything (with smoothed odds a merge of two small bins
   can break the order), so the result is both strictly monotone and large enough.
`direction="auto"` runs both directions and keeps the one with the larger information value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

Direction = Literal["ascending", "descending", "none"]
DirectionOrAuto = Literal["ascending", "descending", "none", "auto"]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_SMOOTH = 0.5  # added to each count in WoE: a bin without goods or bads gets a finite WoE


def woe_and_iv(goods: FloatArray, bads: FloatArray) -> tuple[FloatArray, float]:
    """WoE per bin (0 for an empty bin: no evidence either way) and the information value."""
    goods = np.asarray(goods, dtype=np.float64)
    bads = np.asarray(bads, dtype=np.float64)
    total_g, total_b = goods.sum(), bads.sum()
    if total_g <= 0 or total_b <= 0:
        return np.zeros_like(goods), 0.0
    share_g = (goods + _SMOOTH) / (total_g + _SMOOTH)
    share_b = (bads + _SMOOTH) / (total_b + _SMOOTH)
    woe = np.where(goods + bads > 0, np.log(share_g / share_b), 0.0)
    iv = float(np.sum((goods / total_g - bads / total_b) * woe))
    return woe, iv


def _prebin_edges(x: FloatArray, max_prebins: int) -> FloatArray:
    """Distinct quantile cut points strictly above the minimum (so no pre-bin is empty by construction)."""
    if x.size == 0 or max_prebins < 2:
        return np.empty(0)
    qs = np.quantile(x, np.linspace(0, 1, max_prebins + 1)[1:-1], method="lower")
    edges = np.unique(qs)
    # right-open bins: an edge equal to the minimum would leave the first bin empty
    return edges[edges > x.min()]


def _pool_violators(blocks: list[list[float]], direction: Direction) -> list[list[float]]:
    """PAVA over [goods, bads, upper] blocks: merge each new block into the previous one while the two break
    the direction (ties too), keeping the upper edge of the merged block."""
    if direction == "none":
        return blocks
    out: list[list[float]] = []
    for block in blocks:
        out.append(list(block))
        while len(out) > 1:
            pg, pb, _ = out[-2]
            lg, lb, lu = out[-1]
            prev_rate, last_rate = _odds_bad(pg, pb), _odds_bad(lg, lb)
            if prev_rate > last_rate if direction == "ascending" else prev_rate < last_rate:
                break
            out.pop()
            out[-1] = [pg + lg, pb + lb, lu]
    return out


def _merge_small(blocks: list[list[float]], min_count: float) -> list[list[float]]:
    """Merge the smallest block into the neighbour with the closer odds until every block has `min_count`."""
    blocks = [list(b) for b in blocks]
    while len(blocks) > 1:
        sizes = [g + b for g, b, _ in blocks]
        i = int(np.argmin(sizes))
        if sizes[i] >= min_count:
            break
        rate = _odds_bad(blocks[i][0], blocks[i][1])
        if i == 0:
            j = 1
        elif i == len(blocks) - 1:
            j = i - 1
        else:
            left = abs(math.log(_odds_bad(blocks[i - 1][0], blocks[i - 1][1]) / rate))
            right = abs(math.log(_odds_bad(blocks[i + 1][0], blocks[i + 1][1]) / rate))
            j = i - 1 if left <= right else i + 1
        lo, hi = min(i, j), max(i, j)
        blocks[lo] = [blocks[lo][0] + blocks[hi][0], blocks[lo][1] + blocks[hi][1], blocks[hi][2]]
        del blocks[hi]
    return blocks


def _odds_bad(goods: float, bads: float) -> float:
    """Bad:good odds with the WoE's smoothing, so the order PAVA enforces is exactly the order of WoE."""
    return (bads + _SMOOTH) / (goods + _SMOOTH)


@dataclass(frozen=True)
class _Fit:
    edges: FloatArray  # finite upper edges, len = bins - 1
    goods: FloatArray  # per numeric bin
    bads: FloatArray
    iv: float


class MonotoneBinning:
    """Fit bins of one numeric characteristic so that WoE is monotone in `direction`; then transform values to
    bin indices or WoE. Missing values (NaN) get the last index, `n_bins`."""

    def __init__(
        self,
        name: str = "x",
        direction: DirectionOrAuto = "auto",
        min_bin_share: float = 0.05,
        max_prebins: int = 20,
    ) -> None:
        if not 0 < min_bin_share < 0.5:
            raise ValueError("min_bin_share must lie in (0, 0.5)")
        self.name = name
        self.direction = direction
        self.min_bin_share = min_bin_share
        self.max_prebins = max_prebins

    # ----------------------------------------------------------------------------------------------- fitting
    def fit(self, x: Any, y: Any) -> MonotoneBinning:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if x.shape != y.shape:
            raise ValueError("x and y differ in length")
        missing = np.isnan(x)
        xv, yv = x[~missing], y[~missing]
        self.n_ = int(x.size)
        self.missing_goods_ = float(np.sum(1.0 - y[missing]))
        self.missing_bads_ = float(np.sum(y[missing]))
        min_count = self.min_bin_share * x.size
        candidates: list[Direction] = (
            ["ascending", "descending"] if self.direction == "auto" else [self.direction]
        )
        if y.size == 0 or y.min() == y.max():
            # only goods or only bads: WoE is undefined (taken as 0 everywhere), so no bin can be told apart
            one = _Fit(np.empty(0), np.array([float(np.sum(1.0 - yv))]), np.array([float(np.sum(yv))]), 0.0)
            fits = dict.fromkeys(candidates, one)
        else:
            fits = {d: self._fit_direction(xv, yv, d, min_count) for d in candidates}
        best = max(candidates, key=lambda d: fits[d].iv)
        fit = fits[best]
        # A single bin has no direction: say "none" rather than claim a trend that was never tested.
        self.direction_: Direction = best if fit.goods.size > 1 else "none"
        self.edges_ = fit.edges
        self.goods_ = np.append(fit.goods, self.missing_goods_)
        self.bads_ = np.append(fit.bads, self.missing_bads_)
        self.woe_, self.iv_ = woe_and_iv(self.goods_, self.bads_)
        return self

    def _fit_direction(self, xv: FloatArray, yv: FloatArray, direction: Direction, min_count: float) -> _Fit:
        edges = _prebin_edges(xv, self.max_prebins)
        idx = np.searchsorted(edges, xv, side="right")
        bads = np.bincount(idx, weights=yv, minlength=edges.size + 1)
        goods = np.bincount(idx, minlength=edges.size + 1) - bads
        uppers = [*edges.tolist(), np.inf]
        keep = (goods + bads) > 0
        g_list, b_list = goods[keep].tolist(), bads[keep].tolist()
        up_list = [u for u, k in zip(uppers, keep, strict=True) if k]
        if not g_list:
            return _Fit(np.empty(0), np.zeros(1), np.zeros(1), 0.0)
        blocks = [[g, b, u] for g, b, u in zip(g_list, b_list, up_list, strict=True)]  # [goods, bads, upper]
        # With smoothed odds a merge of two small bins can land outside them, so repeat both passes until
        # neither changes anything.
        while True:
            count = len(blocks)
            blocks = _merge_small(_pool_violators(blocks, direction), min_count)
            if len(blocks) == count:
                break
        goods_arr = np.array([blk[0] for blk in blocks])
        bads_arr = np.array([blk[1] for blk in blocks])
        edges_arr = np.array([blk[2] for blk in blocks[:-1]], dtype=np.float64)
        _, iv = woe_and_iv(goods_arr, bads_arr)
        return _Fit(edges_arr, goods_arr, bads_arr, iv)

    # -------------------------------------------------------------------------------------------- applying
    @property
    def n_bins(self) -> int:
        """Numeric bins (the Missing bin not counted)."""
        return int(self.edges_.size + 1)

    def bin_index(self, x: Any) -> IntArray:
        x = np.asarray(x, dtype=np.float64)
        idx = np.searchsorted(self.edges_, x, side="right").astype(np.int64)
        idx[np.isnan(x)] = self.n_bins
        return idx

    def transform(self, x: Any) -> FloatArray:
        woe: FloatArray = self.woe_[self.bin_index(x)]
        return woe

    def is_monotone(self) -> bool:
        """WoE of the numeric bins strictly monotone in the fitted direction (always true for 'none')."""
        steps = np.diff(self.woe_[: self.n_bins])
        if self.direction_ == "ascending":
            return bool(np.all(steps > 0))
        if self.direction_ == "descending":
            return bool(np.all(steps < 0))
        return True

    @property
    def has_spread(self) -> bool:
        """More than one populated bin (Missing included): a characteristic that can tell applicants apart."""
        return int(np.sum((self.goods_ + self.bads_) > 0)) > 1

    def table(self) -> list[dict[str, Any]]:
        """One row per bin (numeric bins then Missing): range, counts, bad rate, WoE, IV contribution."""
        total_g, total_b = self.goods_.sum(), self.bads_.sum()
        lowers = [-np.inf, *self.edges_.tolist()]
        uppers = [*self.edges_.tolist(), np.inf]
        rows = []
        for i in range(self.n_bins + 1):
            g, b = float(self.goods_[i]), float(self.bads_[i])
            n = g + b
            iv_part = (
                (g / total_g - b / total_b) * float(self.woe_[i]) if total_g > 0 and total_b > 0 else 0.0
            )
            rows.append(
                {
                    "bin": "Missing" if i == self.n_bins else _range_label(lowers[i], uppers[i]),
                    "lower": None if i == self.n_bins or lowers[i] == -np.inf else lowers[i],
                    "upper": None if i == self.n_bins or uppers[i] == np.inf else uppers[i],
                    "missing": i == self.n_bins,
                    "count": round(n),
                    "share": n / self.n_ if self.n_ else 0.0,
                    "goods": round(g),
                    "bads": round(b),
                    "bad_rate": b / n if n else None,
                    "woe": float(self.woe_[i]),
                    "iv": iv_part,
                }
            )
        return rows


def _range_label(lo: float, hi: float) -> str:
    if lo == -np.inf and hi == np.inf:
        return "(-inf, inf)"
    if lo == -np.inf:
        return f"(-inf, {hi:.6g})"
    if hi == np.inf:
        return f"[{lo:.6g}, inf)"
    return f"[{lo:.6g}, {hi:.6g})"


class WoEEncoder:
    """One `MonotoneBinning` per characteristic; `transform` gives the WoE-coded design matrix (columns in the
    order of `names_`)."""

    def __init__(
        self,
        directions: dict[str, DirectionOrAuto] | None = None,
        min_bin_share: float = 0.05,
        max_prebins: int = 20,
    ) -> None:
        self.directions = directions or {}
        self.min_bin_share = min_bin_share
        self.max_prebins = max_prebins

    def fit(self, columns: dict[str, Any], y: Any) -> WoEEncoder:
        self.binnings_: dict[str, MonotoneBinning] = {}
        for name, x in columns.items():
            self.binnings_[name] = MonotoneBinning(
                name, self.directions.get(name, "auto"), self.min_bin_share, self.max_prebins
            ).fit(x, y)
        self.names_ = list(self.binnings_)
        return self

    def transform(self, columns: dict[str, Any], names: list[str] | None = None) -> FloatArray:
        names = self.names_ if names is None else names
        n = len(next(iter(columns.values()))) if columns else 0
        out = np.empty((n, len(names)), dtype=np.float64)
        for j, name in enumerate(names):
            out[:, j] = self.binnings_[name].transform(columns[name])
        return out

    def iv(self) -> dict[str, float]:
        return {name: b.iv_ for name, b in self.binnings_.items()}
