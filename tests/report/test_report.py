from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from credscore.report import chart_svg, render_report

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&'


class _Collector(HTMLParser):
    """Tags and attributes as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(document: str) -> _Collector:
    collector = _Collector()
    collector.feed(document)
    return collector


def test_report_shows_score_breakdown_reasons_sources_and_versions(
    application: dict[str, Any], result: dict[str, Any]
) -> None:
    document = render_report(application, result)
    text = " ".join(_parse(document).text)
    for shown in ("612", "300", "900", "21.7", "30.0"):
        assert shown in text
    assert "67%" in text
    for feature in ("connections", "positive_posts", "negative_groups"):
        assert feature in text
    assert "FEW_CONNECTIONS" in text
    assert "Posts are mixed in tone" in text
    assert "the file is not a zip archive" in text
    assert "0.1.0+abc123" in text
    assert "profanity" in text
    assert "loan-42" in text


def test_reasons_show_the_gap_to_the_reference_level_when_the_result_has_it(
    application: dict[str, Any], result: dict[str, Any]
) -> None:
    result["reasons"][0]["points_below_reference"] = 2.25  # results of the scorecard model
    text = " ".join(_parse(render_report(application, result)).text)
    assert "(2.2 points below the reference level)" in text  # the newer gap, first reason
    assert "(3.8 points below maximum)" in text  # an older reason without it keeps its wording


def test_footer_says_whether_the_score_is_calibrated(
    application: dict[str, Any], result: dict[str, Any]
) -> None:
    assert "not yet calibrated" in render_report(application, result)
    result["scale"] = {"kind": "fitted", "min": 500, "max": 700, "calibrated": True, "text": "PDO 20"}
    document = render_report(application, result)
    assert "not yet calibrated" not in document
    assert "fitted to repayment outcomes" in document


def test_report_is_self_contained_and_printable(application: dict[str, Any], result: dict[str, Any]) -> None:
    document = render_report(application, result)
    parsed = _parse(document)
    assert "script" not in parsed.tags
    assert "link" not in parsed.tags
    assert not re.search(r"(src|href)=\"https?:", document)
    assert "@media print" in document
    assert "svg" in parsed.tags


def test_chart_draws_one_row_per_enabled_feature_with_points_proportional_to_weight(
    result: dict[str, Any],
) -> None:
    svg = chart_svg(result["breakdown"])
    # Disabled features are left out of the chart.
    assert svg.count('class="max"') == 2  # connections and positive_posts have evidence
    assert svg.count('class="none"') == 1  # negative_groups has none
    assert ">age<" not in svg
    pts = [float(w) for w in re.findall(r'<rect class="pts" x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)"', svg)]
    maxes = [
        float(w) for w in re.findall(r'<rect class="max" x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)"', svg)
    ]
    assert pts[0] / maxes[0] == pytest.approx(15.5 / 20, abs=0.01)
    assert pts[1] / maxes[1] == pytest.approx(6.2 / 10, abs=0.01)
    assert maxes[1] / maxes[0] == pytest.approx(10 / 20, abs=0.01)


def test_points_above_the_weight_are_drawn_at_the_maximum() -> None:
    svg = chart_svg([{"feature": "f", "weight": 10, "points": 50, "has_evidence": True}])
    pts = re.findall(r'<rect class="pts" x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)"', svg)
    maxes = re.findall(r'<rect class="max" x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)"', svg)
    assert pts == maxes


@pytest.mark.parametrize(
    "where",
    [
        "feature",
        "reason_text",
        "reason_code",
        "source_reason",
        "reference",
        "code_version",
        "missing",
        "platform",
        "failure",
        "notes",
        "evidence",
        "config_version",
    ],
)
def test_hostile_strings_are_escaped_everywhere(
    where: str, application: dict[str, Any], result: dict[str, Any]
) -> None:
    if where == "feature":
        result["breakdown"][0]["feature"] = HOSTILE
    elif where == "reason_text":
        result["reasons"][0]["text"] = HOSTILE
    elif where == "reason_code":
        result["reasons"][0]["code"] = HOSTILE
    elif where == "source_reason":
        application["sources"][1]["reason"] = HOSTILE
    elif where == "reference":
        application["reference"] = HOSTILE
    elif where == "code_version":
        result["code_version"] = HOSTILE
    elif where == "missing":
        result["coverage"]["missing"] = [HOSTILE]
    elif where == "platform":
        application["sources"][0]["platform"] = HOSTILE
    elif where == "notes":
        result["breakdown"][0]["notes"] = [HOSTILE]
    elif where == "evidence":
        result["breakdown"][0]["evidence"] = [HOSTILE]
    elif where == "config_version":
        result["config_version"] = HOSTILE
    elif where == "failure":
        result["analysis_failures"][0]["error"] = HOSTILE
    document = render_report(application, result)
    parsed = _parse(document)
    assert "script" not in parsed.tags
    assert "img" not in parsed.tags
    assert "onerror" not in parsed.attributes
    assert "&lt;script&gt;" in document
    # The text survives, readable, once unescaped.
    assert any('<script>alert("x")</script>' in chunk for chunk in parsed.text)


def test_renders_with_only_the_required_minimum() -> None:
    document = render_report({}, {})
    assert document.startswith("<!DOCTYPE html>")
    assert "No breakdown available" in document
    assert "No reasons lowered the score" in document
    assert "Coverage not available" in document
    assert "No sources recorded" in document


def test_renders_when_optional_fields_are_missing_or_malformed(result: dict[str, Any]) -> None:
    for key in (
        "normalised_score",
        "normalised_range",
        "coverage",
        "eligibility",
        "max_configured",
        "analysis_failures",
        "config_parameter_version",
        "code_version",
    ):
        result.pop(key)
    result["breakdown"].append({"feature": "weird", "weight": "ten", "points": float("nan"), "value": [1, 2]})
    result["reasons"].append("not a mapping")
    document = render_report({"sources": "nonsense"}, result)
    text = " ".join(_parse(document).text)
    assert "Score" not in re.findall(r'<div class="muted">(\w+)</div>', document)
    assert "weird" in text
    assert "FEW_CONNECTIONS" in text
    # result.sources (list) is used when the application carries none.
    assert "linkedin" in text


def test_ineligible_result_is_flagged(application: dict[str, Any], result: dict[str, Any]) -> None:
    result["eligibility"] = {"eligible": False, "reason": "applicant under the minimum age"}
    document = render_report(application, result)
    assert 'class="ineligible"' in document
    assert "applicant under the minimum age" in document


def test_evidence_notes_and_configuration_versions_are_shown(
    application: dict[str, Any], result: dict[str, Any]
) -> None:
    result["rescored_from"] = 2
    text = " ".join(_parse(render_report(application, result)).text)
    assert "from linkedin/Connections.csv; 420 connections counted" in text
    assert "3 (configuration 2026-11-a), rescored from version 2" in text


@pytest.mark.parametrize(
    ("status", "explained"),
    [("insufficient_evidence", "too few features had evidence"), ("ineligible", "outside the eligibility")],
)
def test_a_result_without_a_score_says_why(
    status: str, explained: str, application: dict[str, Any], result: dict[str, Any]
) -> None:
    result.update(status=status, normalised_score=None, reasons=[])
    document = render_report(application, result)
    assert explained in document
    assert "No score was given" in document
    assert "No reasons lowered the score" not in document


def test_report_says_what_was_analysed_and_what_was_not_checked(
    application: dict[str, Any], result: dict[str, Any]
) -> None:
    text = " ".join(_parse(render_report(application, result)).text)
    assert "What was analysed" in text
    assert "12 not analysed (9 in Hindi, 3 in romanized Hindi (Hinglish)" in text
    assert "18 not analysed (12 too large, 6 unreadable)" in text
    assert "Not checked: violence, weapons, drugs, hate symbols." in text
    assert "py3langid 0.4.0" in text


def test_report_escapes_the_coverage_text(application: dict[str, Any], result: dict[str, Any]) -> None:
    result["analysis_coverage"]["texts"]["summary"] = HOSTILE
    collector = _parse(render_report(application, result))
    assert "script" not in collector.tags
    assert HOSTILE in "".join(collector.text)
