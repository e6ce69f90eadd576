"""Applying a characteristic's bins, knots or categories to a value: plain Python (no numpy in the score Lambda),
pure, no configuration lookups."""

from __future__ import annotations

from bisect import bisect_right

from credscore.scoring.config import Characteristic


def _fmt(x: float) -> str:
    return f"{x:g}"


def bin_points(char: Characteristic, value: float) -> tuple[float, str] | None:
    """(points, label of the bin or segment) for a finite value; None when no category holds it."""
    if char.bins:
        lower: float | None = None
        for b in char.bins:
            if b.upper is None or value < b.upper:  # right-open: [lower, upper)
                low = "-inf" if lower is None else _fmt(lower)
                high = "+inf)" if b.upper is None else f"{_fmt(b.upper)})"
                return b.points, f"[{low}, {high}"
            lower = b.upper
        return char.bins[-1].points, "[+inf)"  # unreachable after validation: the last upper is null
    if char.knots:
        knots = char.knots
        i = bisect_right(char.stats().knot_xs, value) - 1  # last knot at or left of the value
        if i < 0:
            return knots[0].points, f"below {_fmt(knots[0].x)}"
        if i == len(knots) - 1:
            return knots[-1].points, f"from {_fmt(knots[-1].x)}"
        left, right = knots[i], knots[i + 1]
        share = (value - left.x) / (right.x - left.x)  # right.x > value ≥ left.x, so no division by 0
        return left.points + (right.points - left.points) * share, f"[{_fmt(left.x)}, {_fmt(right.x)})"
    for category in char.categories or []:
        if value in category.values:
            return category.points, "{" + ", ".join(_fmt(v) for v in category.values) + "}"
    return None
