"""The score for a terminal (rich) or as JSON. Tolerant of optional fields the result may not have."""

from __future__ import annotations

import json
import math
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from credscore import texts

BAR_CELLS = 20
NO_SCORE = {
    "ineligible": "the applicant is outside the eligibility rules",
    "insufficient_evidence": "too few features had evidence for a score",
}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _fmt(value: Any, digits: int = 1) -> str:
    number = _number(value)
    return "–" if number is None else f"{number:.{digits}f}"


def _bound(value: Any) -> str:
    number = _number(value)
    return "?" if number is None else f"{number:g}"


def _value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    return escape(str(value))


def bar(points: Any, weight: Any, scale_max: Any = None, cells: int = BAR_CELLS) -> str:
    """Points (█) against the maximum (░), on a scale shared by all features so longer means heavier."""
    total = max(_number(weight) or 0.0, 0.0)
    scale = _number(scale_max) or total
    earned = min(max(_number(points) or 0.0, 0.0), total)
    if scale <= 0:
        return " " * cells
    filled = round(cells * earned / scale)
    possible = round(cells * total / scale)
    return "█" * filled + "░" * (possible - filled) + " " * (cells - possible)


def breakdown_table(result: dict[str, Any]) -> Table:
    table = Table(title="Score breakdown", title_justify="left")
    for column, justify in (
        ("feature", "left"),
        ("priority", "left"),
        ("value", "right"),
        ("points", "right"),
        ("max", "right"),
        ("", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    shown = [i for i in result.get("breakdown") or [] if isinstance(i, dict) and i.get("enabled", True)]
    scale = max((_number(i.get("weight")) or 0.0 for i in shown), default=0.0)
    for item in shown:
        evidence = bool(item.get("has_evidence", True))
        table.add_row(
            escape(texts.feature_label(str(item.get("feature", "?")))),
            escape(str(item.get("priority", ""))),
            _value(item.get("value")) if evidence else "[dim]no evidence[/dim]",
            _fmt(item.get("points")) if evidence else "–",
            _fmt(item.get("weight"), 0),
            bar(item.get("points"), item.get("weight"), scale)
            if evidence
            else "[dim]" + bar(0, item.get("weight"), scale).replace("░", "╌") + "[/dim]",
        )
    return table


def print_result(console: Console, application: dict[str, Any], result: dict[str, Any]) -> None:
    console.print(
        f"[bold]Application[/bold] {escape(str(application.get('application_id', '?')))}: "
        f"[bold green]{escape(str(application.get('status', '?')))}[/bold green]"
    )
    sources = application.get("sources") or []
    if sources:
        table = Table(title="Sources", title_justify="left")
        for column in ("platform", "status", "reason"):
            table.add_column(column)
        warned = False
        for source in sources:
            warnings = int(source.get("warnings") or 0)
            warned = warned or warnings > 0
            why = texts.source_reason(source.get("reason_code"), source.get("reason"))
            table.add_row(
                escape(str(source.get("platform", "?"))),
                escape(texts.source_status(str(source.get("status", ""))))
                + (f" ({warnings} file{'s' if warnings != 1 else ''} left out)" if warnings else ""),
                escape(why or "") if source.get("status") != "parsed" else "",
            )
        console.print(table)
        if warned:
            console.print(f"[dim]Files left out: {escape(texts.warnings_explained(1) or '')}[/dim]")
    console.print(breakdown_table(result))
    line = (
        f"[bold]Total[/bold] {_fmt(result.get('total_points'))} of {_fmt(result.get('max_possible'))} points"
    )
    if _number(result.get("max_configured")) not in (None, _number(result.get("max_possible"))):
        line += f" ({_fmt(result.get('max_configured'), 0)} configured)"
    console.print(line)
    score = _number(result.get("normalised_score"))
    scale = result.get("normalised_range") or {}
    if score is not None:
        console.print(
            f"[bold]Score[/bold] {score:.0f} on {_bound(scale.get('min'))}–{_bound(scale.get('max'))}"
            + (
                " (fitted to repayment outcomes)"
                if (result.get("scale") or {}).get("calibrated")
                else " (not yet calibrated to repayment data)"
            )
        )
    elif result.get("status") in NO_SCORE:
        console.print(f"[bold red]No score[/bold red]: {NO_SCORE[result['status']]}")
    eligibility = result.get("eligibility") or {}
    if eligibility and not eligibility.get("eligible", True):
        console.print(f"[bold red]Ineligible[/bold red]: {escape(str(eligibility.get('reason') or ''))}")
    coverage = result.get("coverage") or {}
    if _number(coverage.get("ratio")) is not None:
        missing = ", ".join(escape(str(m)) for m in coverage.get("missing") or []) or "none"
        console.print(
            f"[bold]Coverage[/bold] {coverage['ratio']:.0%} of enabled features had evidence; "
            f"missing: {missing}"
        )
    print_analysis_coverage(console, result)
    reasons = [r for r in result.get("reasons") or [] if isinstance(r, dict)]
    console.print("[bold]Reasons lowering the score[/bold]" if reasons else "No reasons lowered the score.")
    for reason in reasons:
        console.print(
            f"  • {escape(texts.reason_text(str(reason.get('code', '')), str(reason.get('text', ''))))}"
            f" [dim]\\[{escape(str(reason.get('code', '')))}][/dim]",
            highlight=False,
        )
    for failure in result.get("analysis_failures") or []:
        console.print(
            f"[yellow]Analysis failed[/yellow]: {escape(str(failure.get('analysis')))}: "
            f"{escape(str(failure.get('error')))}"
        )
    version = f"Configuration version {result.get('config_parameter_version', '–')}"
    if result.get("config_version"):
        version += f" ({result['config_version']})"
    if result.get("rescored_from") is not None:
        version += f", rescored from version {result['rescored_from']}"
    console.print(escape(f"{version}, code {result.get('code_version', '–')}"), highlight=False)


def print_analysis_coverage(console: Console, result: dict[str, Any]) -> None:
    """What the text, name and image analyses read and can detect, one plain line each."""
    coverage = result.get("analysis_coverage")
    if not isinstance(coverage, dict):
        return
    console.print("[bold]What was analysed[/bold]")
    for key in ("texts", "names", "images"):
        item = coverage.get(key)
        if isinstance(item, dict) and item.get("summary"):
            console.print(f"  • {escape(str(item['summary']))}", highlight=False)


def as_json(application: dict[str, Any], result: dict[str, Any] | None) -> str:
    return json.dumps({"application": application, "result": result}, indent=2, sort_keys=True)
