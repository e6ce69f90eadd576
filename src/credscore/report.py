"""A self-contained, printable HTML report of one scored application.

Pure Python and dependency-free so the API, the CLI and tests can all render it. It reads the stored result as
the typed `credscore.result.Result` (lenient: older results, failed analyses and malformed fields show as "not
available" rather than failing) and draws the chart from `credscore.render.chart`, the definition the web pages
draw too. Every string that comes from the application or the result is escaped: feature names, reasons and
source reasons may echo user-controlled text, and the report is opened in a browser.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from credscore import texts
from credscore.render.chart import Chart, chart_spec
from credscore.render.words import NO_SCORE, fmt, fmt_value
from credscore.result import ApplicationInfo, FeatureRow, Result, Source

# The chart's own units: one row per feature, its name and points on a line and the bar below across the whole
# width. Drawn at most 420 px wide (see _CSS) and shrunk to the page below that: at 390 px (a phone, 16 px
# margins) the 13-unit labels are still drawn at about 13 px.
CHART_WIDTH = 360
ROW_HEIGHT = 42
TEXT_Y = 15
BAR_Y = 22
BAR_HEIGHT = 13

_CSS = """
:root { --ink:#1b1f24; --muted:#5b6470; --line:#d5dae1; --bar:#2f6fb3; --max:#e6ebf1; --warn:#a4471b; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 900px; padding: 24px; overflow-wrap: break-word; }
@media (max-width: 640px) { body { padding: 16px; } td.notes { min-width: 10em; } }
.table-scroll { overflow-x: auto; }
svg.chart { display: block; width: 100%; max-width: 420px; height: auto; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.muted { color: var(--muted); }
.summary { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 150px; }
.tile .big { font-size: 24px; font-weight: 600; }
.ineligible { color: var(--warn); font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { white-space: nowrap; }
td.notes { overflow-wrap: anywhere; min-width: 14em; }
th { font-weight: 600; background: #f5f7fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.disabled td { color: var(--muted); }
svg text { font: 13px system-ui, sans-serif; fill: var(--ink); }
svg text.value { fill: var(--muted); }
svg .max { fill: var(--max); }
svg .pts { fill: var(--bar); }
svg .none { fill: url(#noevidence); }
ol.reasons li { margin-bottom: 4px; }
code { font: 12px ui-monospace, monospace; }
footer { margin-top: 32px; font-size: 12px; color: var(--muted); }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; }
  table, svg, .tile { break-inside: avoid; }
  th { background: none; }
  a { color: inherit; text-decoration: none; }
  @page { margin: 16mm; }
}
"""


def _e(value: Any) -> str:
    """Escape anything for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "–"
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def chart_svg(chart: Chart | Iterable[FeatureRow | Mapping[str, Any]]) -> str:
    """Horizontal bars: the pale bar is a feature's maximum (its weight), the dark bar the points it earned.

    Features without evidence are drawn hatched at their maximum, because they lower coverage, not the score.
    """
    spec = chart if isinstance(chart, Chart) else chart_spec(chart)
    if not spec.bars:
        return f'<p class="muted">{_e(spec.empty_text)}</p>'
    height = len(spec.bars) * ROW_HEIGHT
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="chart-title" width="{CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{_e(spec.title)}</title>',
        '<defs><pattern id="noevidence" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#eef1f5"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#8a94a3" stroke-width="2"/></pattern></defs>',
    ]
    for index, bar in enumerate(spec.bars):
        top = index * ROW_HEIGHT
        y = top + BAR_Y
        text_y = top + TEXT_Y
        max_width = CHART_WIDTH * bar.max_share
        parts.append(f'<text x="0" y="{text_y}">{_e(bar.label)}</text>')
        if bar.kind == "earned":
            parts.append(f'<rect class="max" x="0" y="{y}" width="{max_width:.1f}" height="{BAR_HEIGHT}"/>')
            parts.append(
                f'<rect class="pts" x="0" y="{y}" width="{CHART_WIDTH * bar.points_share:.1f}" '
                f'height="{BAR_HEIGHT}"><title>{_e(bar.tooltip)}</title></rect>'
            )
        else:
            parts.append(
                f'<rect class="none" x="0" y="{y}" width="{max_width:.1f}" '
                f'height="{BAR_HEIGHT}"><title>{_e(bar.tooltip)}</title></rect>'
            )
        parts.append(
            f'<text class="value" x="{CHART_WIDTH}" y="{text_y}" text-anchor="end">{_e(bar.value_text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _summary(application: ApplicationInfo, result: Result) -> str:
    tiles = []
    scale = result.normalised_range
    if result.normalised_score is not None:
        tiles.append(
            (
                "Score",
                f"{result.normalised_score:.0f}",
                f"on {fmt(scale.min, 0)}–{fmt(scale.max, 0)}" if scale else "",
            )
        )
    elif result.status in NO_SCORE:
        tiles.append(("Score", '<span class="ineligible">none</span>', _e(NO_SCORE[result.status])))
    tiles.append(
        (
            "Points",
            fmt(result.total_points),
            f"of {fmt(result.max_possible)} possible"
            + (
                f" ({fmt(result.max_configured, 0)} configured)"
                if result.max_configured not in (None, result.max_possible)
                else ""
            ),
        )
    )
    if result.coverage and result.coverage.ratio is not None:
        tiles.append(("Coverage", f"{result.coverage.ratio:.0%}", "of enabled features had evidence"))
    eligibility = result.eligibility
    if eligibility:
        tiles.append(
            (
                "Eligibility",
                "eligible" if eligibility.eligible else '<span class="ineligible">ineligible</span>',
                _e(eligibility.reason or eligibility.reason_code or ""),
            )
        )
    tiles.append(("Status", _e(application.status or "–"), ""))
    return (
        '<div class="summary">'
        + "".join(
            f'<div class="tile"><div class="muted">{label}</div><div class="big">{big}</div>'
            f'<div class="muted">{small}</div></div>'
            for label, big, small in tiles
        )
        + "</div>"
    )


def _scrolling(table: str, label: str) -> str:
    """A wide table scrolls sideways inside its own keyboard-reachable box; the page itself never does."""
    return f'<div class="table-scroll" tabindex="0" role="region" aria-label="{_e(label)}">{table}</div>'


def _notes(item: FeatureRow) -> str:
    """Where a feature's value came from and what the scorer noted about it, as small print."""
    evidence = [_e(e) for e in item.evidence]
    notes = [_e(n) for n in item.notes]
    parts = ([f"from {', '.join(evidence)}"] if evidence else []) + notes
    return f'<span class="muted">{"; ".join(parts)}</span>' if parts else ""


def _breakdown_table(features: list[FeatureRow]) -> str:
    if not features:
        return '<p class="muted">No breakdown available.</p>'
    rows = []
    for item in features:
        scored = item.has_evidence and item.enabled
        value = _e(fmt_value(item.value)) if item.has_evidence else "no evidence"
        css = ' class="disabled"' if not item.enabled else ""
        rows.append(
            f"<tr{css}><td>{_e(texts.feature_label(item.feature))}"
            f' <code class="muted">{_e(item.feature)}</code>{"" if item.enabled else " (disabled)"}</td>'
            f'<td>{_e(item.priority or "")}</td><td class="num">{value}</td>'
            f'<td class="num">{fmt(item.points) if scored else "–"}</td>'
            f'<td class="num">{fmt(item.weight, 0)}</td>'
            f'<td class="num">{fmt(item.points_below_max) if scored else "–"}</td>'
            f'<td class="notes">{_notes(item)}</td></tr>'
        )
    return _scrolling(
        '<table><thead><tr><th scope="col">Feature</th><th scope="col">Priority</th>'
        '<th scope="col" class="num">Value</th><th scope="col" class="num">Points</th>'
        '<th scope="col" class="num">Maximum</th><th scope="col" class="num">Below maximum</th>'
        '<th scope="col">Evidence and notes</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>",
        "Breakdown (scrolls sideways)",
    )


def _reasons(result: Result) -> str:
    if not result.reasons:
        if result.status in NO_SCORE:
            return f'<p class="muted">No score was given: {_e(NO_SCORE[result.status])}.</p>'
        return '<p class="muted">No reasons lowered the score.</p>'
    items = []
    for reason in result.reasons:
        # newer results rank reasons by the gap to the scorecard's reference level; older ones by the maximum
        gap = reason.points_below_reference
        lost = gap if gap is not None else reason.points_below_max
        level = "the reference level" if gap is not None else "maximum"
        detail = f' <span class="muted">({lost:.1f} points below {level})</span>' if lost is not None else ""
        items.append(
            f"<li>{_e(texts.reason_text(reason.code, reason.text))}"
            f" <code>{_e(reason.code)}</code>{detail}</li>"
        )
    return f'<ol class="reasons">{"".join(items)}</ol>'


def _coverage(result: Result) -> str:
    coverage = result.coverage
    if not coverage:
        return '<p class="muted">Coverage not available.</p>'
    missing = [_e(m) for m in coverage.missing]
    shown = f"{coverage.ratio:.0%}" if coverage.ratio is not None else "–"
    return (
        f"<p>{shown} of the enabled features had evidence. "
        "Missing evidence lowers coverage, not the score."
        f"</p><p>Missing: {', '.join(missing) if missing else 'none'}</p>"
    )


def _analysis_coverage(result: Result) -> str:
    """What the text, name and image analyses read and what they can detect, in plain words."""
    items = result.analysis_coverage.items() if result.analysis_coverage else []
    lines = [
        f"<li>{_e(item.summary)}"
        + (f' <span class="muted">(models: {_e(", ".join(item.models))})</span>' if item.models else "")
        + "</li>"
        for item in items
        if item.summary
    ]
    if not lines:
        return ""
    return '<h3>What was analysed</h3>\n<ul class="analysis-coverage">' + "".join(lines) + "</ul>"


def _sources(sources: list[Source]) -> str:
    """Sources as the application reports them, else as the result carries them."""
    if not sources:
        return '<p class="muted">No sources recorded.</p>'
    rows = "".join(
        f"<tr><td>{_e(s.platform)}</td><td>{_e(s.status)}</td>"
        f"<td>{_e(texts.source_reason(s.reason_code, s.reason) or '')}</td>"
        f'<td class="num">{_e(s.warnings)}</td></tr>'
        for s in sources
    )
    if any(s.warnings for s in sources):
        rows += (
            f'<tr><td colspan="4" class="muted">Warnings: {_e(texts.warnings_explained(1) or "")}</td></tr>'
        )
    return _scrolling(
        '<table><thead><tr><th scope="col">Platform</th><th scope="col">Status</th>'
        '<th scope="col">Reason</th>'
        f'<th scope="col" class="num">Warnings</th></tr></thead><tbody>{rows}</tbody></table>',
        "Sources (scrolls sideways)",
    )


def _failures(result: Result) -> str:
    if not result.analysis_failures:
        return ""
    items = "".join(f"<li>{_e(f.analysis)}: {_e(f.error)}</li>" for f in result.analysis_failures)
    return (
        "<h2>Analyses that failed</h2>"
        "<p>The features these analyses feed were scored as missing evidence."
        f"</p><ul>{items}</ul>"
    )


def _config_version(result: Result) -> str:
    """The parameter version in force, the configuration's own version label, and what a rescore replaced."""
    shown = _e("–" if result.config_parameter_version is None else result.config_parameter_version)
    if result.config_version not in (None, ""):
        shown += f" (configuration {_e(result.config_version)})"
    if result.rescored_from not in (None, ""):
        shown += f", rescored from version {_e(result.rescored_from)}"
    return shown


def render_report(
    application: Mapping[str, Any] | ApplicationInfo, result: Mapping[str, Any] | Result
) -> str:
    """The whole report as one HTML document (inline CSS and SVG, no external resources)."""
    app = application if isinstance(application, ApplicationInfo) else ApplicationInfo.read(application)
    scored = result if isinstance(result, Result) else Result.read(result)
    application_id = _e(app.application_id or scored.application_id or "unknown")
    subtitle = f"Application <code>{application_id}</code>"
    if app.reference:
        subtitle += f" · reference {_e(app.reference)}"
    subtitle += f" · created {_when(app.created_at)} · updated {_when(app.updated_at)}"
    versions = (
        f'<tr><th scope="row">Scoring configuration version</th>'
        f"<td>{_config_version(scored)}</td></tr>"
        f'<tr><th scope="row">Code version</th><td><code>{_e(scored.code_version or "–")}</code>'
        "</td></tr>"
    )
    calibration = (
        "The score is fitted to repayment outcomes; it must not be the sole basis of a decision."
        if scored.calibrated
        else "The normalised score is not yet calibrated against repayment data and must not be the sole basis"
        " of a decision."
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>credscore report {application_id}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>credscore report</h1>
<p class="muted">{subtitle}</p>
</header>
<main>
{_summary(app, scored)}
<h2>Points per feature</h2>
{chart_svg(scored.shown_features())}
<h2>Breakdown</h2>
{_breakdown_table(scored.breakdown)}
<h2>Reasons that lowered the score</h2>
{_reasons(scored)}
<h2>Coverage</h2>
{_coverage(scored)}
{_analysis_coverage(scored)}
<h2>Sources</h2>
{_sources(app.sources or scored.sources)}
{_failures(scored)}
<h2>Versions</h2>
<table>{versions}</table>
</main>
<footer>Each feature is bounded by its weight; a feature without evidence earns neutral points and lowers coverage.
{calibration}
</footer>
</body>
</html>
"""
