"""One characteristic of a scorecard: its curve (step `bins`, piecewise-linear `knots` or `categories`) and
its explicit Missing bin, the numbers the scorer derives from it, and the rules on its shape that JSON Schema
cannot express (checked by `credscore.scoring.config.semantic_problems`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Priority = Literal["P1", "P2", "P3"]
Direction = Literal["ascending", "descending", "none"]


class Strict(BaseModel):
    # NaN and ±Infinity are refused everywhere: json.loads accepts them, a score must never carry them
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# Bounds keep every sum and interpolation of a valid configuration finite (no overflow to inf or NaN).
_MAX_POINTS = 1e6
_MAX_EDGE = 1e12


def points_field(description: str | None = None, default: float | None = None) -> Any:
    if default is None:
        return Field(ge=-_MAX_POINTS, le=_MAX_POINTS, description=description)
    return Field(default=default, ge=-_MAX_POINTS, le=_MAX_POINTS, description=description)


class Bin(Strict):
    """A numeric bin, right-open: [previous bin's upper, upper). The first bin starts at -inf."""

    upper: float | None = Field(
        ge=-_MAX_EDGE, le=_MAX_EDGE, description="upper edge (excluded); null for the last bin (to +inf)"
    )
    points: float = points_field()


class Knot(Strict):
    """A point of a piecewise-linear curve (hand-set scorecards). Two knots at the same x make a step there:
    the value x itself takes the second one."""

    x: float = Field(ge=-_MAX_EDGE, le=_MAX_EDGE)
    points: float = points_field()


class CategoryBin(Strict):
    """A categorical bin: the characteristic's value equals one of `values`."""

    values: list[float] = Field(min_length=1)
    points: float = points_field()


class Characteristic(Strict):
    """One characteristic of the scorecard: exactly one of `bins` (step), `knots` (piecewise-linear, flat beyond
    the first and last knot) or `categories`; plus the explicit Missing bin."""

    enabled: bool = True
    direction: Direction = Field(
        default="none",
        description="declared monotone direction of the points (checked): ascending | descending",
    )
    priority: Priority | None = Field(
        default=None,
        description="hand-set label shown in the breakdown (P1 strongest); not used in the maths",
    )
    bins: list[Bin] | None = None
    knots: list[Knot] | None = None
    categories: list[CategoryBin] | None = None
    missing_points: float = points_field(
        "the explicit Missing bin: points when there is no (usable) evidence"
    )
    reference_points: float | None = Field(
        default=None,
        ge=-_MAX_POINTS,
        le=_MAX_POINTS,
        description="baseline for reasons: points below it are a reason; null = the best points of the curve",
    )

    def curve_points(self) -> list[float]:
        """Points of every bin, knot or category, in order."""
        parts: list[Bin] | list[Knot] | list[CategoryBin] = self.bins or self.knots or self.categories or []
        return [part.points for part in parts]

    def stats(self) -> CurveStats:
        """Derived numbers the scorer needs per call, computed once per characteristic object."""
        hit = _STATS.get(id(self))
        if hit is not None and hit[0] is self:
            return hit[1]
        points = self.curve_points()
        best = max(points, default=self.missing_points)
        computed = CurveStats(
            worst=min([*points, self.missing_points]),
            best=max(best, self.missing_points),
            baseline=best if self.reference_points is None else self.reference_points,
            spread=bool(points) and max(points) > min(points),
            knot_xs=tuple(k.x for k in self.knots or []),
            labels=_labels(self),
        )
        if len(_STATS) > 4096:  # configurations are few; this only bounds tests that build thousands
            _STATS.clear()
        _STATS[id(self)] = (self, computed)
        return computed

    def best_points(self) -> float:
        return max(self.curve_points(), default=self.missing_points)

    def min_points(self) -> float:
        """Lowest points this characteristic can give (the Missing bin included)."""
        return self.stats().worst

    def max_points(self) -> float:
        """Highest points this characteristic can give (the Missing bin included)."""
        return self.stats().best

    def baseline(self) -> float:
        return self.stats().baseline

    def has_spread(self) -> bool:
        return self.stats().spread


@dataclass(frozen=True, slots=True)
class CurveStats:
    worst: float
    best: float
    baseline: float
    spread: bool
    knot_xs: tuple[float, ...]
    labels: tuple[str, ...]  # per bin; or per knot segment: below the first, [x_i, x_i+1)…, from the last


def _labels(char: Characteristic) -> tuple[str, ...]:
    if char.bins:
        edges = ["-inf", *(f"{b.upper:g}" for b in char.bins[:-1] if b.upper is not None)]
        return tuple(f"[{low}, {high})" for low, high in zip(edges, [*edges[1:], "+inf"], strict=True))
    if char.knots:
        xs = [f"{k.x:g}" for k in char.knots]
        inner = [f"[{a}, {b})" for a, b in pairwise(xs)]
        return (f"below {xs[0]}", *inner, f"from {xs[-1]}")
    return tuple("{" + ", ".join(f"{v:g}" for v in c.values) + "}" for c in char.categories or [])


# id(characteristic) -> (the characteristic, its stats); holding the object keeps its id from being reused
_STATS: dict[int, tuple[Characteristic, CurveStats]] = {}


def _monotone_problem(where: str, direction: Direction, points: list[float]) -> str | None:
    pairs = list(itertools.pairwise(points))
    if direction == "ascending" and any(b < a for a, b in pairs):
        return f"{where}: points must not decrease (direction ascending)"
    if direction == "descending" and any(b > a for a, b in pairs):
        return f"{where}: points must not increase (direction descending)"
    return None


def characteristic_problems(where: str, char: Characteristic) -> list[str]:
    shapes = [name for name in ("bins", "knots", "categories") if getattr(char, name)]
    if len(shapes) != 1:
        return [f"{where}: needs exactly one non-empty of bins, knots or categories (got {shapes or 'none'})"]
    problems = []
    if char.bins:
        uppers = [b.upper for b in char.bins]
        if uppers[-1] is not None:
            problems.append(f"{where}.bins: the last bin's upper must be null (it runs to +inf)")
        inner = uppers[:-1]
        if any(u is None for u in inner):
            problems.append(f"{where}.bins: only the last bin may have a null upper")
        else:
            edges = [u for u in inner if u is not None]
            if any(b <= a for a, b in itertools.pairwise(edges)):
                problems.append(f"{where}.bins: uppers must be strictly ascending")
    if char.knots:
        xs = [k.x for k in char.knots]
        if len(xs) < 2:
            problems.append(f"{where}.knots: at least two knots")
        if any(b < a for a, b in itertools.pairwise(xs)):
            problems.append(f"{where}.knots: x must not decrease")
        if any(xs.count(x) > 2 for x in set(xs)):
            problems.append(f"{where}.knots: at most two knots (a step) at the same x")
    if char.categories:
        values = [v for c in char.categories for v in c.values]
        if len(set(values)) != len(values):
            problems.append(f"{where}.categories: a value appears in more than one category")
        if char.direction != "none":
            problems.append(f"{where}.direction: categories have no order; use 'none'")
    elif (problem := _monotone_problem(where, char.direction, char.curve_points())) is not None:
        problems.append(problem)
    return problems
