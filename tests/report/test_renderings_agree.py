"""The console text (CLI and demo) and the HTML report of one result say the same: score, reasons (in order, in
the same words), coverage and what was analysed."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from rich.console import Console

from credscore import texts
from credscore.render.console import print_result
from credscore.render.words import NO_SCORE
from credscore.report import render_report
from credscore.result import Result
from tests.report.samples import sample_application, sample_result
from tests.report.stored import stored_results

CASES = {**stored_results(), "report_sample": sample_result()}


def _console(application: dict[str, Any], result: dict[str, Any]) -> str:
    console = Console(record=True, width=400, color_system=None, file=io.StringIO())
    print_result(console, application, result)
    return console.export_text()


def _tile(document: str, label: str) -> str | None:
    found = re.search(rf'<div class="muted">{label}</div><div class="big">(.*?)</div>', document)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else None


def _html_reasons(document: str) -> list[tuple[str, str]]:
    listed = re.search(r'<ol class="reasons">(.*?)</ol>', document)
    items = re.findall(r"<li>(.*?) <code>(.*?)</code>", listed.group(1)) if listed else []
    return [(html.unescape(text), html.unescape(code)) for text, code in items]


def _console_reasons(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^  • (.*) \[([^\]]+)\]$", text, flags=re.MULTILINE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_console_and_report_agree(name: str) -> None:
    application, document = sample_application(), CASES[name]
    result = Result.read(document)
    console, report = _console(application, document), render_report(application, document)

    if result.normalised_score is not None:
        shown = f"{result.normalised_score:.0f}"
        assert re.search(r"^Score (\d+) on", console, flags=re.MULTILINE).group(1) == shown  # type: ignore[union-attr]
        assert _tile(report, "Score") == shown
    else:
        assert result.status in NO_SCORE
        assert f"No score: {NO_SCORE[result.status]}" in console
        assert f"No score was given: {NO_SCORE[result.status]}." in report
        assert _tile(report, "Score") == "none"

    expected = [(texts.reason_text(r.code, r.text), r.code) for r in result.reasons]
    assert _console_reasons(console) == expected
    assert _html_reasons(report) == expected
    if not expected:
        assert "No reasons lowered the score." in console

    assert result.coverage is not None
    assert result.coverage.ratio is not None
    ratio = f"{result.coverage.ratio:.0%}"
    assert f"Coverage {ratio} of enabled features had evidence" in console
    assert _tile(report, "Coverage") == ratio
    assert f"<p>{ratio} of the enabled features had evidence." in report

    assert result.analysis_coverage is not None
    for item in result.analysis_coverage.items():
        assert item.summary
        assert item.summary in console
        assert html.escape(item.summary) in report
