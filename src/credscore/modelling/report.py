"""The validation report as a standalone HTML page (the JSON report is the same content, for machines)."""

from __future__ import annotations

import itertools
import json
import math
from html import escape
from typing import Any


def _f(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return escape(str(value))


def _table(headers: list[str], rows: list[list[Any]], digits: int = 3) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_f(v, digits)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:75rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.warn{color:#a40}
h2{border-bottom:1px solid #ddd;padding-bottom:.2rem}small{color:#666}
"""


def render_html(report: dict[str, Any]) -> str:
    r = report
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Validation report {escape(r['version'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>Scorecard validation report: {escape(r['version'])}</h1>",
        f"<p><small>created {escape(r['created_at'])}</small></p>",
    ]
    d = r["data"]
    parts.append("<h2>Data</h2>")
    parts.append(
        _table(
            [
                "rows",
                "labelled",
                "indeterminate (left out)",
                "holdout",
                "holdout from",
                "development",
                "holdout",
            ],
            [
                [
                    d["rows"],
                    d["labelled"],
                    d["indeterminate"],
                    d["holdout"],
                    d["holdout_from"],
                    d["development_rows"],
                    d["holdout_rows"],
                ]
            ],
        )
    )
    if r["warnings"]:
        parts.append("<h2>Warnings</h2><ul>")
        parts += [f"<li class='warn'>{escape(w)}</li>" for w in r["warnings"]]
        parts.append("</ul>")
    perf = r["performance"]
    parts.append("<h2>Discrimination</h2>")
    parts.append(
        _table(
            ["sample", "n", "bad rate", "AUC", "Gini", "KS"],
            [[k, v["n"], v["bad_rate"], v["auc"], v["gini"], v["ks"]] for k, v in perf.items()],
        )
    )
    cal = r["calibration"]
    parts.append("<h2>Calibration by holdout score decile</h2>")
    parts.append(
        f"<p>Observed ln(odds) per PDO: {_f(cal['log_odds_per_pdo'])} (scaling says "
        f"{_f(cal['expected_log_odds_per_pdo'])}); score at the base odds from the observed line: "
        f"{_f(cal['score_at_base_odds'], 1)} (scaling says {_f(r['options']['scaling']['base_score'], 1)}).</p>"
    )
    parts.append(
        _table(
            ["decile", "n", "score from", "to", "mean score", "predicted bad rate", "observed bad rate"],
            [
                [
                    c["band"] + 1,
                    c["n"],
                    c["score_min"],
                    c["score_max"],
                    c["mean_score"],
                    c["predicted_bad_rate"],
                    c["observed_bad_rate"],
                ]
                for c in cal["deciles"]
            ],
            4,
        )
    )
    st = r["stability"]
    parts.append(
        f"<h2>Stability</h2><p>Score PSI development vs holdout: {_f(st['score_psi'], 4)} "
        "(&lt; 0.1 stable, 0.1–0.25 watch, &gt; 0.25 shifted).</p>"
    )
    edges = st["score_bands"]
    if edges:
        labels = [f"< {edges[0]:.1f}"] + [f"[{a:.1f}, {b:.1f})" for a, b in itertools.pairwise(edges)]
        labels.append(f"≥ {edges[-1]:.1f}")
    else:
        labels = ["all"]
    parts.append(
        _table(
            ["score band", "development share", "holdout share"],
            [
                [lab, a, b]
                for lab, a, b in zip(labels, st["development_shares"], st["holdout_shares"], strict=True)
            ],
            4,
        )
    )
    m = r["model"]
    parts.append("<h2>Characteristics</h2>")
    parts.append(
        f"<p>logit P(bad) = {_f(m['intercept'], 4)} (± {_f(m['intercept_se'], 4)}) + Σ β·WoE; "
        f"factor {_f(m['factor'], 4)}, offset {_f(m['offset'], 4)}; every β and Missing γ shrunk by "
        f"{_f(m.get('shrinkage', 1.0), 4)} (the fit's optimism on these outcomes).</p>"
    )
    parts.append(
        _table(
            [
                "characteristic",
                "IV",
                "strength",
                "in model",
                "why",
                "direction",
                "monotone",
                "β",
                "s.e.",
                "PSI",
            ],
            [
                [
                    c["name"],
                    c["iv"],
                    c["iv_label"],
                    c["in_model"],
                    c["note"],
                    c["direction"],
                    c["monotone"],
                    c["coefficient"],
                    c["standard_error"],
                    c["psi"],
                ]
                for c in r["characteristics"]
            ],
            4,
        )
    )
    for c in r["characteristics"]:
        parts.append(f"<h3>{escape(c['name'])}</h3>")
        parts.append(
            _table(
                ["bin", "count", "share", "holdout share", "bad rate", "WoE", "IV", "points"],
                [
                    [
                        b["bin"],
                        b["count"],
                        b["share"],
                        b["holdout_share"],
                        b["bad_rate"],
                        b["woe"],
                        b["iv"],
                        b["points"],
                    ]
                    for b in c["bins"]
                ],
                4,
            )
        )
    fair = r.get("fairness")
    if fair:
        parts.append("<h2>Fairness</h2>")
        parts.append(
            f"<p>Cut-off {_f(fair['cutoff'], 1)} ({escape(fair['cutoff_rule'])}); holdout approval rate "
            f"{_f(fair['approval_rate'])}. Adverse impact ratio = a group's approval rate over the highest "
            "group's; below 0.8 is flagged.</p>"
        )
        for attr, rows in fair["groups"].items():
            parts.append(f"<h3>{escape(attr)}</h3>")
            parts.append(
                _table(
                    [
                        "group",
                        "n",
                        "mean score",
                        "p10",
                        "median",
                        "p90",
                        "approval rate",
                        "adverse impact ratio",
                        "below 4/5",
                    ],
                    [
                        [
                            g["group"],
                            g["n"],
                            g["mean_score"],
                            g["p10"],
                            g["median"],
                            g["p90"],
                            g["approval_rate"],
                            g["adverse_impact_ratio"],
                            g["below_four_fifths"],
                        ]
                        for g in rows
                    ],
                )
            )
        off = fair.get("age_off")
        if off:
            parts.append("<h3>Switching age off (refit without it)</h3>")
            parts.append(
                f"<p>Holdout AUC {_f(off['auc_with_age'])} with age, {_f(off['auc_without_age'])} without "
                f"({_f(off['auc_change'], 4)}); cut-off without age {_f(off['cutoff_without_age'], 1)}.</p>"
            )
            parts.append(
                _table(
                    ["age band", "n", "approval with age", "without age", "change", "AIR without age"],
                    [
                        [
                            b["group"],
                            b["n"],
                            b["approval_with_age"],
                            b["approval_without_age"],
                            b["change"],
                            b["adverse_impact_ratio_without_age"],
                        ]
                        for b in off["bands"]
                    ],
                )
            )
    parts.append(
        "<h2>Raw report</h2><details><summary>JSON</summary><pre>"
        + escape(json.dumps(_clean(r), indent=1)[:200_000])
        + "</pre></details></body></html>"
    )
    return "".join(parts)


def _clean(value: Any) -> Any:
    """NaN and infinities (an AUC without bads) become null: strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def report_json(report: dict[str, Any]) -> str:
    return json.dumps(_clean(report), indent=2, allow_nan=False) + "\n"
