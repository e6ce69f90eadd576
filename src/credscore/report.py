"""A self-contained, printable HTML report of one scored application.

Pure Python and dependency-free so the API, the CLI and tests can all render it. Every string that comes from
the application or the result is escaped: feature names, reasons and source reasons may echo user-controlled
text, and the report is opened in a browser. Optional result fields may be missing (older results, failed
analyses); each section says "not available" rather than failing.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from credscore import texts

NO_SCORE = {
    "ineligible": "the applicant is outside the eligibility rules",
    "insufficient_evidence": "too few features had evidence for a score",
}
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


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _fmt(value: Any, digits: int = 1) -> str:
    number = _number(value)
    if number is None:
        return "–" if value is None else _e(value)
    return f"{number:.{digits}f}"


def _fmt_value(value: Any) -> str:
    """A feature's measured value: numbers compactly, booleans as yes/no, text escaped."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = _number(value)
    if number is not None:
        return f"{number:.3g}" if isinstance(value, float) else str(int(number))
    return _e(value)


def _when(epoch: Any) -> str:
    number = _number(epoch)
    if number is None:
        return "–"
    return datetime.fromtimestamp(number, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _features(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [item for item in _list(result.get("breakdown")) if isinstance(item, Mapping)]


def chart_svg(breakdown: Iterable[Mapping[str, Any]]) -> str:
    """Horizontal bars: the pale bar is a feature's maximum (its weight), the dark bar the points it earned.

    Features without evidence are drawn hatched at their maximum, because they lower coverage, not the score.
    """
    rows = [item for item in breakdown if item.get("enabled", True)]
    if not rows:
        return '<p class="muted">No enabled features.</p>'
    scale_max = max((_number(item.get("weight")) or 0.0) for item in rows) or 1.0
    height = len(rows) * ROW_HEIGHT
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="chart-title" width="{CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Points earned against the maximum of each feature</title>',
        '<defs><pattern id="noevidence" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#eef1f5"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#8a94a3" stroke-width="2"/></pattern></defs>',
    ]
    for index, item in enumerate(rows):
        top = index * ROW_HEIGHT
        y = top + BAR_Y
        weight = max(_number(item.get("weight")) or 0.0, 0.0)
        points = min(max(_number(item.get("points")) or 0.0, 0.0), weight)
        max_width = CHART_WIDTH * weight / scale_max
        points_width = CHART_WIDTH * points / scale_max
        has_evidence = bool(item.get("has_evidence", True))
        name = _e(texts.feature_label(str(item.get("feature", "?"))))
        text_y = top + TEXT_Y
        parts.append(f'<text x="0" y="{text_y}">{name}</text>')
        if has_evidence:
            parts.append(f'<rect class="max" x="0" y="{y}" width="{max_width:.1f}" height="{BAR_HEIGHT}"/>')
            parts.append(
                f'<rect class="pts" x="0" y="{y}" width="{points_width:.1f}" '
                f'height="{BAR_HEIGHT}"><title>{name}: {points:.1f} of {weight:g}</title></rect>'
            )
            label = f"{points:.1f} / {weight:g}"
        else:
            parts.append(
                f'<rect class="none" x="0" y="{y}" width="{max_width:.1f}" '
                f'height="{BAR_HEIGHT}"><title>{name}: no evidence</title></rect>'
            )
            label = "no evidence"
        parts.append(f'<text class="value" x="{CHART_WIDTH}" y="{text_y}" text-anchor="end">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _summary(application: Mapping[str, Any], result: Mapping[str, Any]) -> str:
    tiles = []
    score = _number(result.get("normalised_score"))
    scale = _dict(result.get("normalised_range"))
    if score is not None:
        tiles.append(
            (
                "Score",
                f"{score:.0f}",
                f"on {_fmt(scale.get('min'), 0)}–{_fmt(scale.get('max'), 0)}" if scale else "",
            )
        )
    elif result.get("status") in NO_SCORE:
        tiles.append(("Score", '<span class="ineligible">none</span>', _e(NO_SCORE[result["status"]])))
    tiles.append(
        (
            "Points",
            _fmt(result.get("total_points")),
            f"of {_fmt(result.get('max_possible'))} possible"
            + (
                f" ({_fmt(result.get('max_configured'), 0)} configured)"
                if result.get("max_configured") not in (None, result.get("max_possible"))
                else ""
            ),
        )
    )
    coverage = _dict(result.get("coverage"))
    ratio = _number(coverage.get("ratio"))
    if ratio is not None:
        tiles.append(("Coverage", f"{ratio:.0%}", "of enabled features had evidence"))
    eligibility = _dict(result.get("eligibility"))
    if eligibility:
        eligible = bool(eligibility.get("eligible", True))
        tiles.append(
            (
                "Eligibility",
                "eligible" if eligible else '<span class="ineligible">ineligible</span>',
                _e(eligibility.get("reason") or eligibility.get("reason_code") or ""),
            )
        )
    tiles.append(("Status", _e(application.get("status", "–")), ""))
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


def _notes(item: Mapping[str, Any]) -> str:
    """Where a feature's value came from and what the scorer noted about it, as small print."""
    evidence = [_e(e) for e in _list(item.get("evidence"))]
    notes = [_e(n) for n in _list(item.get("notes"))]
    parts = ([f"from {', '.join(evidence)}"] if evidence else []) + notes
    return f'<span class="muted">{"; ".join(parts)}</span>' if parts else ""


def _breakdown_table(features: list[Mapping[str, Any]]) -> str:
    if not features:
        return '<p class="muted">No breakdown available.</p>'
    rows = []
    for item in features:
        enabled = bool(item.get("enabled", True))
        has_evidence = bool(item.get("has_evidence", True))
        value = _fmt_value(item.get("value")) if has_evidence else "no evidence"
        points = _fmt(item.get("points")) if has_evidence and enabled else "–"
        below = _fmt(item.get("points_below_max")) if has_evidence and enabled else "–"
        css = ' class="disabled"' if not enabled else ""
        rows.append(
            f"<tr{css}><td>{_e(texts.feature_label(str(item.get('feature', '?'))))}"
            f' <code class="muted">{_e(item.get("feature", "?"))}</code>{"" if enabled else " (disabled)"}</td>'
            f'<td>{_e(item.get("priority", ""))}</td><td class="num">{value}</td>'
            f'<td class="num">{points}</td><td class="num">{_fmt(item.get("weight"), 0)}</td>'
            f'<td class="num">{below}</td><td class="notes">{_notes(item)}</td></tr>'
        )
    return _scrolling(
        '<table><thead><tr><th scope="col">Feature</th><th scope="col">Priority</th>'
        '<th scope="col" class="num">Value</th><th scope="col" class="num">Points</th>'
        '<th scope="col" class="num">Maximum</th><th scope="col" class="num">Below maximum</th>'
        '<th scope="col">Evidence and notes</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>",
        "Breakdown (scrolls sideways)",
    )


def _reasons(result: Mapping[str, Any]) -> str:
    reasons = [r for r in _list(result.get("reasons")) if isinstance(r, Mapping)]
    if not reasons:
        if result.get("status") in NO_SCORE:
            return f'<p class="muted">No score was given: {_e(NO_SCORE[result["status"]])}.</p>'
        return '<p class="muted">No reasons lowered the score.</p>'
    items = []
    for reason in reasons:
        # newer results rank reasons by the gap to the scorecard's reference level; older ones by the maximum
        gap = _number(reason.get("points_below_reference"))
        lost = gap if gap is not None else _number(reason.get("points_below_max"))
        level = "the reference level" if gap is not None else "maximum"
        detail = f' <span class="muted">({lost:.1f} points below {level})</span>' if lost is not None else ""
        items.append(
            f"<li>{_e(texts.reason_text(str(reason.get('code', '')), str(reason.get('text', ''))))}"
            f" <code>{_e(reason.get('code', ''))}</code>{detail}</li>"
        )
    return f'<ol class="reasons">{"".join(items)}</ol>'


def _coverage(result: Mapping[str, Any]) -> str:
    coverage = _dict(result.get("coverage"))
    if not coverage:
        return '<p class="muted">Coverage not available.</p>'
    ratio = _number(coverage.get("ratio"))
    missing = [_e(m) for m in _list(coverage.get("missing"))]
    shown = f"{ratio:.0%}" if ratio is not None else "–"
    return (
        f"<p>{shown} of the enabled features had evidence. "
        "Missing evidence lowers coverage, not the score."
        f"</p><p>Missing: {', '.join(missing) if missing else 'none'}</p>"
    )


def _source_rows(application: Mapping[str, Any], result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Sources as the application reports them, else as the result carries them (list or platform map)."""
    for candidate in (application.get("sources"), result.get("sources")):
        if isinstance(candidate, list) and candidate:
            return [s for s in candidate if isinstance(s, Mapping)]
        if isinstance(candidate, Mapping) and candidate:
            return [
                {"platform": k, **(v if isinstance(v, Mapping) else {"status": v})}
                for k, v in candidate.items()
            ]
    return []


def _analysis_coverage(result: Mapping[str, Any]) -> str:
    """What the text, name and image analyses read and what they can detect, in plain words."""
    coverage = _dict(result.get("analysis_coverage"))
    items = [_dict(coverage.get(key)) for key in ("texts", "names", "images")]
    lines = [
        f"<li>{_e(item.get('summary'))}"
        + (f' <span class="muted">(models: {_e(", ".join(map(str, _list(item.get("models")))))})</span>'
           if _list(item.get("models")) else "")
        + "</li>"
        for item in items
        if item.get("summary")
    ]  # fmt: skip
    if not lines:
        return ""
    return '<h3>What was analysed</h3>\n<ul class="analysis-coverage">' + "".join(lines) + "</ul>"


def _sources(application: Mapping[str, Any], result: Mapping[str, Any]) -> str:
    sources = _source_rows(application, result)
    if not sources:
        return '<p class="muted">No sources recorded.</p>'
    rows = "".join(
        f"<tr><td>{_e(s.get('platform', '?'))}</td><td>{_e(s.get('status', ''))}</td>"
        f"<td>{_e(texts.source_reason(s.get('reason_code'), s.get('reason')) or '')}</td>"
        f'<td class="num">{_e(s.get("warnings", 0))}</td></tr>'
        for s in sources
    )
    if any(int(s.get("warnings") or 0) for s in sources):
        rows += (
            f'<tr><td colspan="4" class="muted">Warnings: {_e(texts.warnings_explained(1) or "")}</td></tr>'
        )
    return _scrolling(
        '<table><thead><tr><th scope="col">Platform</th><th scope="col">Status</th>'
        '<th scope="col">Reason</th>'
        f'<th scope="col" class="num">Warnings</th></tr></thead><tbody>{rows}</tbody></table>',
        "Sources (scrolls sideways)",
    )


def _failures(result: Mapping[str, Any]) -> str:
    failures = [f for f in _list(result.get("analysis_failures")) if isinstance(f, Mapping)]
    if not failures:
        return ""
    items = "".join(f"<li>{_e(f.get('analysis', '?'))}: {_e(f.get('error', ''))}</li>" for f in failures)
    return (
        "<h2>Analyses that failed</h2>"
        "<p>The features these analyses feed were scored as missing evidence."
        f"</p><ul>{items}</ul>"
    )


def _config_version(result: Mapping[str, Any]) -> str:
    """The parameter version in force, the configuration's own version label, and what a rescore replaced."""
    shown = _e(result.get("config_parameter_version", "–"))
    if result.get("config_version") not in (None, ""):
        shown += f" (configuration {_e(result['config_version'])})"
    if result.get("rescored_from") not in (None, ""):
        shown += f", rescored from version {_e(result['rescored_from'])}"
    return shown


def render_report(application: dict[str, Any], result: dict[str, Any]) -> str:
    """The whole report as one HTML document (inline CSS and SVG, no external resources)."""
    application = application if isinstance(application, Mapping) else {}
    result = result if isinstance(result, Mapping) else {}
    features = _features(result)
    application_id = _e(application.get("application_id") or result.get("application_id") or "unknown")
    reference = application.get("reference")
    subtitle = f"Application <code>{application_id}</code>"
    if reference:
        subtitle += f" · reference {_e(reference)}"
    created, updated = _when(application.get("created_at")), _when(application.get("updated_at"))
    subtitle += f" · created {created} · updated {updated}"
    versions = (
        f'<tr><th scope="row">Scoring configuration version</th>'
        f"<td>{_config_version(result)}</td></tr>"
        f'<tr><th scope="row">Code version</th><td><code>{_e(result.get("code_version", "–"))}</code>'
        "</td></tr>"
    )
    scale = _dict(result.get("scale"))
    calibration = (
        "The score is fitted to repayment outcomes; it must not be the sole basis of a decision."
        if scale.get("calibrated") is True
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
{_summary(application, result)}
<h2>Points per feature</h2>
{chart_svg(features)}
<h2>Breakdown</h2>
{_breakdown_table(features)}
<h2>Reasons that lowered the score</h2>
{_reasons(result)}
<h2>Coverage</h2>
{_coverage(result)}
{_analysis_coverage(result)}
<h2>Sources</h2>
{_sources(application, result)}
{_failures(result)}
<h2>Versions</h2>
<table>{versions}</table>
</main>
<footer>Each feature is bounded by its weight; a feature without evidence earns neutral points and lowers coverage.
{calibration}
</footer>
</body>
</html>
"""
