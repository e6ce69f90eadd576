"""A result as console text (rich) or JSON: the one printer of the CLI (`credscore score`) and the demo
(`python -m credscore_local demo`). Reads the typed `credscore.result.Result`, so optional or malformed fields
show as "–" or are left out rather than failing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from credscore import texts
from credscore.render.words import NO_SCORE, bound, fmt, fmt_value
from credscore.result import ApplicationInfo, FeatureRow, Result

BAR_CELLS = 20


def bar(
    points: float | None, weight: float | None, scale_max: float | None = None, cells: int = BAR_CELLS
) -> str:
    """Points (█) against the maximum (░), on a scale shared by all features so longer means heavier."""
    total = max(weight or 0.0, 0.0)
    scale = scale_max or total
    earned = min(max(points or 0.0, 0.0), total)
    if scale <= 0:
        return " " * cells
    filled = round(cells * earned / scale)
    possible = round(cells * total / scale)
    return "█" * filled + "░" * (possible - filled) + " " * (cells - possible)


def breakdown_table(rows: Iterable[FeatureRow]) -> Table:
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
    shown = [row for row in rows if row.enabled]
    scale = max((row.weight or 0.0 for row in shown), default=0.0)
    for item in shown:
        evidence = item.has_evidence
        table.add_row(
            escape(texts.feature_label(item.feature)),
            escape(item.priority or ""),
            escape(fmt_value(item.value)) if evidence else "[dim]no evidence[/dim]",
            fmt(item.points) if evidence else "–",
            fmt(item.weight, 0),
            bar(item.points, item.weight, scale)
            if evidence
            else "[dim]" + bar(0, item.weight, scale).replace("░", "╌") + "[/dim]",
        )
    return table


def _print_sources(console: Console, application: ApplicationInfo) -> None:
    if not application.sources:
        return
    table = Table(title="Sources", title_justify="left")
    for column in ("platform", "status", "reason"):
        table.add_column(column)
    for source in application.sources:
        warnings = source.warnings
        why = texts.source_reason(source.reason_code, source.reason)
        table.add_row(
            escape(source.platform),
            escape(texts.source_status(source.status))
            + (f" ({warnings} file{'s' if warnings != 1 else ''} left out)" if warnings else ""),
            escape(why or "") if source.status != "parsed" else "",
        )
    console.print(table)
    if any(source.warnings > 0 for source in application.sources):
        console.print(f"[dim]Files left out: {escape(texts.warnings_explained(1) or '')}[/dim]")


def _print_timeline(console: Console, timeline: Iterable[tuple[str, float, int]]) -> None:
    steps = Table(title="State machine (real statemachine.asl.json, real handlers)", title_justify="left")
    steps.add_column("state")
    steps.add_column("seconds", justify="right")
    steps.add_column("runs", justify="right")
    for name, seconds, count in timeline:
        steps.add_row(escape(name), f"{seconds:.2f}", str(count))
    console.print(steps)
    console.print("[dim]State times include each function's cold start.[/dim]")


def _print_score(console: Console, result: Result) -> None:
    line = f"[bold]Total[/bold] {fmt(result.total_points)} of {fmt(result.max_possible)} points"
    if result.max_configured not in (None, result.max_possible):
        line += f" ({fmt(result.max_configured, 0)} configured)"
    console.print(line)
    scale = result.normalised_range
    if result.normalised_score is not None:
        console.print(
            f"[bold]Score[/bold] {result.normalised_score:.0f} on "
            f"{bound(scale.min if scale else None)}–{bound(scale.max if scale else None)}"
            + (
                " (fitted to repayment outcomes)"
                if result.calibrated
                else " (not yet calibrated to repayment data)"
            )
        )
    elif result.status in NO_SCORE:
        console.print(f"[bold red]No score[/bold red]: {NO_SCORE[result.status]}")
    if result.eligibility and not result.eligibility.eligible:
        console.print(f"[bold red]Ineligible[/bold red]: {escape(result.eligibility.reason or '')}")
    coverage = result.coverage
    if coverage and coverage.ratio is not None:
        missing = ", ".join(escape(m) for m in coverage.missing) or "none"
        console.print(
            f"[bold]Coverage[/bold] {coverage.ratio:.0%} of enabled features had evidence; missing: {missing}"
        )


def print_result(
    console: Console,
    application: Mapping[str, Any] | ApplicationInfo,
    result: Mapping[str, Any] | Result,
    *,
    elapsed: float | None = None,
    timeline: Iterable[tuple[str, float, int]] = (),
) -> None:
    """The application, its sources, (the demo's state times,) the breakdown, the score, coverage, what was
    analysed, the reasons, failed analyses and the versions."""
    app = application if isinstance(application, ApplicationInfo) else ApplicationInfo.read(application)
    scored = result if isinstance(result, Result) else Result.read(result)
    console.print(
        f"[bold]Application[/bold] {escape(app.application_id or '?')}: "
        f"[bold green]{escape(app.status or '?')}[/bold green]"
        + (f" in {elapsed:.1f} s" if elapsed is not None else "")
    )
    _print_sources(console, app)
    timeline = list(timeline)
    if timeline:
        _print_timeline(console, timeline)
    console.print(breakdown_table(scored.breakdown))
    _print_score(console, scored)
    print_analysis_coverage(console, scored)
    console.print(
        "[bold]Reasons lowering the score[/bold]" if scored.reasons else "No reasons lowered the score."
    )
    for reason in scored.reasons:
        console.print(
            f"  • {escape(texts.reason_text(reason.code, reason.text))} [dim]\\[{escape(reason.code)}][/dim]",
            highlight=False,
        )
    for failure in scored.analysis_failures:
        console.print(
            f"[yellow]Analysis failed[/yellow]: {escape(failure.analysis)}: {escape(failure.error)}"
        )
    in_force = scored.config_parameter_version
    version = f"Configuration version {'–' if in_force is None else in_force}"
    if scored.config_version:
        version += f" ({scored.config_version})"
    if scored.rescored_from is not None:
        version += f", rescored from version {scored.rescored_from}"
    console.print(escape(f"{version}, code {scored.code_version or '–'}"), highlight=False)


def print_analysis_coverage(console: Console, result: Result) -> None:
    """What the text, name and image analyses read and can detect, one plain line each."""
    if result.analysis_coverage is None:
        return
    console.print("[bold]What was analysed[/bold]")
    for summary in result.analysis_coverage.summaries():
        console.print(f"  • {escape(summary)}", highlight=False)


def as_json(application: Mapping[str, Any], result: Mapping[str, Any] | None) -> str:
    """The application and its stored result as the API answered them (nothing dropped or renamed)."""
    return json.dumps({"application": application, "result": result}, indent=2, sort_keys=True)
