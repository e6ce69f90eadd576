"""The chart's one definition (credscore.render.chart): order, scale, clamping, hatching and words. The report
and the web pages only draw it (their drawings are checked in test_report and tests/web)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from credscore import texts
from credscore.render.chart import EMPTY, TITLE, chart_spec
from credscore.report import CHART_WIDTH, chart_svg
from tests.report.samples import feature_score, sample_result


def _row(feature: str, weight: Any, points: Any, **rest: Any) -> dict[str, Any]:
    return {"feature": feature, "weight": weight, "points": points, "has_evidence": True, **rest}


def test_one_bar_per_enabled_feature_in_the_breakdowns_order() -> None:
    spec = chart_spec(sample_result()["breakdown"])  # connections, positive_posts, negative_groups, age (off)
    assert [bar.feature for bar in spec.bars] == ["connections", "positive_posts", "negative_groups"]
    assert [bar.label for bar in spec.bars] == [texts.feature_label(b.feature) for b in spec.bars]
    assert spec.title == TITLE


def test_bars_share_one_scale_the_largest_maximum() -> None:
    spec = chart_spec([_row("skills", 10, 4), _row("connections", 40, 30), _row("likes", 20, 20)])
    assert spec.scale_max == 40
    assert [bar.max_share for bar in spec.bars] == [0.25, 1.0, 0.5]
    assert [bar.points_share for bar in spec.bars] == [0.1, 0.75, 0.5]
    assert [bar.max for bar in spec.bars] == [10, 40, 20]


@pytest.mark.parametrize(
    ("points", "drawn"), [(50, 10.0), (-3, 0.0), (None, 0.0), (float("nan"), 0.0), ("six", 0.0), (6, 6.0)]
)
def test_points_are_clamped_to_the_bar(points: Any, drawn: float) -> None:
    [bar] = chart_spec([_row("skills", 10, points)]).bars
    assert bar.points == drawn
    assert bar.points_share == drawn / 10
    assert bar.value_text == f"{drawn:.1f} / 10"


def test_a_feature_without_evidence_is_hatched_at_its_maximum() -> None:
    spec = chart_spec([_row("connections", 20, 15.5), feature_score("negative_groups", "P3", 5, None, None)])
    earned, missing = spec.bars
    assert (earned.kind, earned.value_text) == ("earned", "15.5 / 20")
    assert earned.tooltip == f"{texts.feature_label('connections')}: 15.5 of 20"
    assert (missing.kind, missing.points, missing.points_share, missing.max_share) == (
        "no_evidence",
        0,
        0,
        0.25,
    )
    assert missing.value_text == "no evidence"
    assert missing.tooltip == f"{texts.feature_label('negative_groups')}: no evidence"


@pytest.mark.parametrize("weights", [[0, 0], [-5, 0], ["ten", None]])
def test_no_usable_maximum_never_divides_by_zero(weights: list[Any]) -> None:
    spec = chart_spec([_row(f"f{i}", w, 1) for i, w in enumerate(weights)])
    assert spec.scale_max == 1.0
    assert all(bar.max == 0 and bar.max_share == 0 and bar.points == 0 for bar in spec.bars)


def test_reference_levels_are_carried_for_drawers_that_mark_them() -> None:
    [bar] = chart_spec([_row("skills", 10, 4, reference_points=6.5)]).bars
    assert bar.reference == 6.5


def test_no_enabled_feature_is_an_empty_chart_with_its_words() -> None:
    spec = chart_spec([_row("age", 10, 5, enabled=False)])
    assert spec.bars == []
    assert EMPTY in chart_svg(spec)


def test_the_report_draws_the_definition_as_it_is() -> None:
    spec = chart_spec(sample_result()["breakdown"])
    svg = chart_svg(spec)
    assert svg == chart_svg(sample_result()["breakdown"])
    maxes = [
        float(w) for w in re.findall(r'<rect class="(?:max|none)" x="0" y="[0-9.]+" width="([0-9.]+)"', svg)
    ]
    assert maxes == [pytest.approx(CHART_WIDTH * bar.max_share, abs=0.05) for bar in spec.bars]
    assert re.findall(r'text-anchor="end">([^<]+)<', svg) == [bar.value_text for bar in spec.bars]
