"""`credscore model fit`: fit a scorecard to training rows (CSV or Parquet) and write its configuration and
validation report. Other `model` actions (compare, promote, export) register themselves in their own modules."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
CONFIG_FILE = "scoring-config.json"
REPORT_JSON = "validation-report.json"
REPORT_HTML = "validation-report.html"


def add_fit_parser(model_sub: Any) -> None:
    fit = model_sub.add_parser(
        "fit",
        help="fit WoE bins, a logistic regression and PDO scaling to training rows; write config + report",
    )
    fit.add_argument(
        "--data", type=Path, required=True, metavar="FILE", help="training rows: .csv or .parquet"
    )
    fit.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder for the config and report"
    )
    fit.add_argument("--base-score", type=float, default=600.0, help="score at the base odds (600)")
    fit.add_argument("--base-odds", type=float, default=50.0, help="good:bad odds of the base score (50)")
    fit.add_argument("--pdo", type=float, default=20.0, help="points to double the odds (20)")
    fit.add_argument("--holdout-share", type=float, default=0.2, help="share held out (latest by date) (0.2)")
    fit.add_argument("--min-bin-share", type=float, default=0.05, help="smallest bin's share (0.05)")
    fit.add_argument("--min-iv", type=float, default=0.02, help="information value to enter the model (0.02)")
    fit.add_argument("--cutoff", type=float, help="cut-off for approval rates (default: 80%% approved)")
    fit.add_argument(
        "--missing-points",
        choices=["fitted", "calibrated", "woe", "worst_bin"],
        default="fitted",
        help="Missing bin: its own coefficient given the other characteristics (calibrated), capped at the mean "
        "points of applicants with evidence (fitted), or at the worst bin with evidence (worst_bin); or its "
        "marginal WoE times the characteristic's coefficient (woe)",
    )
    fit.add_argument(
        "--no-shrinkage",
        dest="shrinkage",
        action="store_false",
        help="keep the regression's coefficients as fitted (default: shrunk by (χ² − df)/χ²)",
    )
    fit.add_argument("--exclude", action="append", default=[], metavar="CHARACTERISTIC", help="leave out")
    fit.add_argument("--version", help="label of the new configuration (default fitted-<UTC time>)")
    fit.set_defaults(handler=cmd_fit)


def register(sub: Any) -> Any:
    """Add `model` with its `fit` action; returns the `model` sub-parsers so other modules can add theirs."""
    model = sub.add_parser(
        "model", help="scorecards: fit, export, candidate, candidates, compare, promote, monitoring"
    )
    model_sub = model.add_subparsers(dest="model_command", required=True, metavar="ACTION")
    add_fit_parser(model_sub)
    return model_sub


def fitted_config_text(args: argparse.Namespace) -> str:
    """The fitted configuration's text for `model fit` arguments (what a new inactive Parameter Store version
    holds); `credscore.modelling.pipeline.fitted_config_text` does the same from training data."""
    return str(_fit(args).text)


def _fit(args: argparse.Namespace) -> Any:
    from credscore.modelling.data import read_training_file
    from credscore.modelling.pipeline import fit_and_validate
    from credscore.modelling.scaling import ScorecardScaler
    from credscore.modelling.scorecard import FitOptions

    options = FitOptions(
        scaler=ScorecardScaler(args.base_score, args.base_odds, args.pdo),
        min_bin_share=args.min_bin_share,
        min_iv=args.min_iv,
        exclude=tuple(args.exclude),
        missing_points=args.missing_points,
        shrinkage=args.shrinkage,
    )
    data = read_training_file(args.data)
    return fit_and_validate(
        data, options, version=args.version, holdout_share=args.holdout_share, cutoff=args.cutoff
    )


def cmd_fit(args: argparse.Namespace) -> int:
    from credscore.modelling.data import TrainingDataError
    from credscore.modelling.report import render_html, report_json

    err = Console(stderr=True, soft_wrap=True)
    if not 0 < args.holdout_share < 1 or not 0 < args.min_bin_share < 0.5:
        err.print("[red]error:[/red] --holdout-share must lie in (0, 1) and --min-bin-share in (0, 0.5)")
        return EXIT_USAGE
    started = time.monotonic()
    try:
        outcome = _fit(args)
    except TrainingDataError as bad:
        err.print("[red]error:[/red]", escape(str(bad)), highlight=False)
        return EXIT_USAGE
    except ValueError as failed:
        err.print("[red]error:[/red] the fit failed:", escape(str(failed)), highlight=False)
        return EXIT_FAILED
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / CONFIG_FILE).write_text(outcome.text, encoding="utf-8")
    (args.out / REPORT_JSON).write_text(report_json(outcome.report), encoding="utf-8")
    (args.out / REPORT_HTML).write_text(render_html(outcome.report), encoding="utf-8")
    print(summary(outcome.report, time.monotonic() - started))
    print(f"wrote {args.out / CONFIG_FILE}, {args.out / REPORT_JSON}, {args.out / REPORT_HTML}")
    return EXIT_OK


def summary(report: dict[str, Any], seconds: float) -> str:
    d, hold = report["data"], report["performance"]["holdout"]
    lines = [
        f"version {report['version']}: {d['labelled']:,} labelled rows ({d['indeterminate']:,} indeterminate "
        f"left out), holdout {d['holdout']} {d['holdout_rows']:,}; fitted in {seconds:.1f} s",
        f"holdout AUC {hold['auc']:.3f}  Gini {hold['gini']:.3f}  KS {hold['ks']:.3f}  "
        f"score PSI {report['stability']['score_psi']:.3f}  coefficients shrunk by "
        f"{report['model'].get('shrinkage', 1.0):.3f}",
        f"{'characteristic':<22} {'IV':>7}  {'model':<5} {'bins':>4}  direction",
    ]
    for c in report["characteristics"]:
        lines.append(
            f"{c['name']:<22} {c['iv']:>7.4f}  {'yes' if c['in_model'] else 'no':<5} {len(c['bins']) - 1:>4}  "
            f"{c['direction']}" + ("" if c["in_model"] else f"  ({c['note']})")
        )
    lines += [f"warning: {w}" for w in report["warnings"]]
    return "\n".join(lines)
