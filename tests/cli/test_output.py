from __future__ import annotations

import json
import re
from typing import Any

import pytest
from rich.console import Console

from credscore.render.console import as_json, bar, print_result
from tests.report.samples import sample_application, sample_result


def _render(application: dict[str, Any], result: dict[str, Any]) -> str:
    console = Console(record=True, width=140, color_system=None)
    print_result(console, application, result)
    return console.export_text()


def test_human_output_has_breakdown_total_score_coverage_and_reasons() -> None:
    text = _render(sample_application(), sample_result())
    assert "connections" in text
    assert "no evidence" in text  # negative_groups
    assert "21.7 of 30.0 points" in text
    assert "Score 612 on 300–900" in text
    assert "Coverage 67%" in text
    assert "Fewer professional connections than typical [FEW_CONNECTIONS]" in text
    assert "profanity" in text
    assert "the file is not a zip archive" in text
    # Disabled features are not listed.
    assert " age " not in text


def test_markup_in_data_is_printed_literally() -> None:
    result = sample_result()
    result["reasons"][0]["text"] = "[bold red]hi[/bold red]"
    assert "[bold red]hi[/bold red]" in _render(sample_application(), result)


def test_score_range_is_shown_without_needless_decimals() -> None:
    result = sample_result()
    result["normalised_range"] = {"min": 300.0, "max": 900.0}
    assert "Score 612 on 300–900" in _render(sample_application(), result)


def test_output_survives_a_minimal_result() -> None:
    text = _render({"application_id": "a", "status": "scored"}, {})
    assert "No reasons lowered the score" in text


def test_bar_is_proportional_to_a_shared_scale_and_bounded() -> None:
    assert bar(5, 10, cells=10) == "█████░░░░░"
    assert bar(6, 10, 20, cells=10) == "███░░     "  # half the scale available, 6 of 20 earned
    assert bar(50, 10, cells=10) == "█" * 10
    assert bar(None, 0, cells=4) == "    "


def test_json_output_round_trips() -> None:
    payload = json.loads(as_json(sample_application(), sample_result()))
    assert payload["result"]["total_points"] == 21.7
    assert payload["application"]["status"] == "scored"


def test_a_result_without_a_score_says_why_and_versions_are_complete() -> None:
    result = sample_result()
    result.update(status="insufficient_evidence", normalised_score=None, reasons=[], rescored_from=2)
    text = _render(sample_application(), result)
    assert "No score: too few features had evidence for a score" in text
    assert "Score 612" not in text
    assert "Configuration version 3 (2026-11-a), rescored from version 2, code 0.1.0+abc123" in text


def test_what_was_analysed_is_shown_in_plain_words() -> None:
    text = " ".join(_render(sample_application(), sample_result()).split())  # lines are wrapped
    assert "What was analysed" in text
    assert "40 analysed for sentiment (English)" in text
    assert "9 in Hindi" in text
    assert "2 in Tamil script" in text
    assert "nudity detection on 212" in text
    assert "Not checked: violence, weapons, drugs, hate symbols." in text


def test_a_result_without_analysis_coverage_still_prints() -> None:
    result = sample_result()
    del result["analysis_coverage"]
    assert "What was analysed" not in _render(sample_application(), result)


def test_a_failed_application_is_told_in_safe_words(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from rich.console import Console

    from credscore import texts
    from credscore_cli.exits import EXIT_FAILED
    from credscore_cli.score import _report_outcome

    state = {
        "application_id": "0" * 32,
        "status": "failed",
        "x_handle_requested": True,
        "error": {
            "code": "GetParameterError",
            "message": "An error occurred (ParameterNotFound) when calling…",
        },
        "sources": [
            {"platform": "instagram", "status": "rejected", "reason_code": "html_export", "reason": "html"}
        ],
    }
    args = argparse.Namespace(json=False, report=None)
    err = Console(stderr=True, width=200)
    code = _report_outcome(args, Console(width=200), err, state, None)
    printed = capsys.readouterr().err
    assert code == EXIT_FAILED
    assert "ParameterNotFound" not in printed
    assert texts.error_message("x_fetch_unavailable") in printed.replace("\n", " ")
    assert "(code x_fetch_unavailable)" in printed
    assert texts.source_reason("html_export") in printed.replace("\n", " ")


def test_the_demo_prints_through_the_same_printer_with_its_state_times() -> None:
    console = Console(record=True, width=140, color_system=None)
    print_result(
        console,
        sample_application(),
        sample_result(),
        elapsed=12.345,
        timeline=[("Ingest", 1.5, 1), ("AnalyzeImages", 0.25, 3)],
    )
    text = console.export_text()
    assert "Application 0123456789abcdef0123456789abcdef: scored in 12.3 s" in text
    assert re.search(r"Ingest\s+│\s+1\.50\s+│\s+1", text)
    assert re.search(r"AnalyzeImages\s+│\s+0\.25\s+│\s+3", text)
    assert "State times include each function's cold start." in text
    # The rest is the CLI's own rendering, word for word.
    assert (
        text.split("Score breakdown", 1)[1]
        == _render(sample_application(), sample_result()).split("Score breakdown", 1)[1]
    )
    assert "State machine" not in _render(sample_application(), sample_result())
