"""Applying a characteristic's bins, knots or categories to a value: plain Python (no numpy in the score Lambda),
pure, no configuration lookups."""

from __future__ import annotations

from bisect import bisect_right

from credscore.scoring.characteristic import Characteristic


def bin_points(char: Characteristic, value: float) -> tuple[float, str] | None:
    """(points, label of the bin or segment) for a finite value; None when no category holds it."""
    stats = char.stats()
    if char.bins:
        for i, b in enumerate(char.bins):
            if b.upper is None or value < b.upper:  # right-open: [previous upper, upper)
                return b.points, stats.labels[i]
        return char.bins[-1].points, stats.labels[-1]  # unreachable after validation: the last upper is null
    if char.knots:
        knots = char.knots
        i = bisect_right(stats.knot_xs, value) - 1  # last knot at or left of the value
        if i < 0:
            return knots[0].points, stats.labels[0]
        if i == len(knots) - 1:
            return knots[-1].points, stats.labels[-1]
        left, right = knots[i], knots[i + 1]
        share = (value - left.x) / (right.x - left.x)  # right.x > value ≥ left.x, so no division by 0
        return left.points + (right.points - left.points) * share, stats.labels[i + 1]
    for i, category in enumerate(char.categories or []):
        if value in category.values:
            return category.points, stats.labels[i]
    return None
