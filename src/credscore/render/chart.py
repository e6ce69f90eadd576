"""The bar chart of a result, defined once: which bars, in which order, on which scale, hatched or not, and
their words. The HTML report draws it as SVG and the web pages draw the same definition (the API sends it as
`chart`), so neither holds a rule of its own; only the geometry (row height, pixels) is the drawer's.

Rules: one bar per enabled characteristic in the breakdown's order; a bar's length is its maximum (weight) on a
scale shared by all bars (the largest weight), the earned part its points clamped to [0, weight]; a
characteristic without evidence is drawn hatched at its maximum (it lowers coverage, not the score).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from credscore import texts
from credscore.result import FeatureRow

TITLE = "Points earned against the maximum of each feature"
CHART_DESCRIPTION = (
    "The bar chart of the breakdown as the report draws it: one bar per enabled feature, in order, each a "
    "share of the largest maximum; the web pages draw it as it is."
)
EMPTY = "No enabled features."


class Bar(BaseModel):
    model_config = ConfigDict(frozen=True)

    feature: str = Field(description="the characteristic's code")
    label: str = Field(description="its name in plain words")
    kind: Literal["earned", "no_evidence"] = Field(
        description="earned: the points drawn over the pale maximum; no_evidence: hatched at the maximum"
    )
    points: float = Field(description="points earned, clamped to [0, max]; 0 without evidence")
    max: float = Field(description="the most points it can give (its weight), at least 0")
    reference: float | None = Field(default=None, description="the baseline reasons are measured from")
    points_share: float = Field(description="the earned bar's length as a share of the chart's width, 0..1")
    max_share: float = Field(description="the maximum's length as a share of the chart's width, 0..1")
    value_text: str = Field(description='shown at the row\'s end: "15.5 / 20" or "no evidence"')
    tooltip: str = Field(description='the bar\'s title: "Connections: 15.5 of 20" or "...: no evidence"')


class Chart(BaseModel):
    """What a drawer needs: a title, the words for no bars, and the bars."""

    model_config = ConfigDict(frozen=True)

    title: str = TITLE
    empty_text: str = EMPTY
    scale_max: float = Field(description="the length of a full-width bar, in points")
    bars: list[Bar]


def _row(item: FeatureRow | Mapping[str, Any]) -> FeatureRow:
    return item if isinstance(item, FeatureRow) else FeatureRow.model_validate(item)


def chart_spec(breakdown: Iterable[FeatureRow | Mapping[str, Any]]) -> Chart:
    """The chart of a breakdown (typed rows, or stored rows as they come)."""
    rows = [row for row in map(_row, breakdown) if row.enabled]
    scale_max = max((max(row.weight or 0.0, 0.0) for row in rows), default=0.0) or 1.0
    bars = []
    for row in rows:
        weight = max(row.weight or 0.0, 0.0)
        label = texts.feature_label(row.feature)
        if row.has_evidence:
            points = min(max(row.points or 0.0, 0.0), weight)
            kind: Literal["earned", "no_evidence"] = "earned"
            value_text, tooltip = f"{points:.1f} / {weight:g}", f"{label}: {points:.1f} of {weight:g}"
        else:
            points, kind = 0.0, "no_evidence"
            value_text, tooltip = "no evidence", f"{label}: no evidence"
        bars.append(
            Bar(
                feature=row.feature,
                label=label,
                kind=kind,
                points=points,
                max=weight,
                reference=row.reference_points,
                points_share=points / scale_max,
                max_share=weight / scale_max,
                value_text=value_text,
                tooltip=tooltip,
            )
        )
    return Chart(scale_max=scale_max, bars=bars)
