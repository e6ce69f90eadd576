"""`python -m credscore_local demo`: score the bundled sample exports end to end on the embedded local stack."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from credscore_local.client import PartnerClient, upload
from credscore_local.partners import register_partner
from credscore_local.stack import LocalStack
from credscore_local.template import REPO_ROOT

SAMPLES = REPO_ROOT / "samples"
PLATFORMS = ("facebook", "linkedin", "instagram", "x")


def _sample_files(folder: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for platform in PLATFORMS:
        parts = sorted(folder.glob(f"{platform}*.zip"))
        if parts:
            found[platform] = parts
    return found


def _print_result(
    console: Console,
    state: dict[str, Any],
    result: dict[str, Any],
    timeline: list[tuple[str, float, int]],
    elapsed: float,
) -> None:
    console.print(
        f"\n[bold]Application[/bold] {state['application_id']}: [bold green]{state['status']}[/bold green]"
        f" in {elapsed:.1f} s"
    )
    sources = Table(title="Sources", title_justify="left")
    for column in ("platform", "status", "reason"):
        sources.add_column(column)
    for source in state["sources"]:
        sources.add_row(source["platform"], source["status"], source.get("reason") or "")
    console.print(sources)
    if timeline:
        steps = Table(title="State machine (real statemachine.asl.json, real handlers)", title_justify="left")
        steps.add_column("state")
        steps.add_column("seconds", justify="right")
        steps.add_column("runs", justify="right")
        for name, seconds, count in timeline:
            steps.add_row(name, f"{seconds:.2f}", str(count))
        console.print(steps)
    breakdown = Table(title="Score breakdown", title_justify="left")
    for column in ("feature", "priority", "value", "points", "max"):
        breakdown.add_column(column, justify="right" if column in ("value", "points", "max") else "left")
    for item in result["breakdown"]:
        if not item.get("enabled", True):
            continue
        value = item.get("value")
        shown = (
            "no evidence"
            if not item.get("has_evidence")
            else (f"{value:.3g}" if isinstance(value, float) else str(value))
        )
        points = f"{item['points']:.1f}" if item.get("has_evidence") else "-"
        breakdown.add_row(item["feature"], item["priority"], shown, points, f"{item['weight']:g}")
    console.print(breakdown)
    normalised = result.get("normalised_score")
    scale = result.get("normalised_range") or {}
    console.print(
        f"[bold]Total[/bold] {result['total_points']:.1f} of {result['max_possible']:.1f} points possible"
    )
    if normalised is not None:
        console.print(
            f"[bold]Score[/bold] {normalised:.0f} on {scale.get('min', 0):g}–{scale.get('max', 0):g}"
            + (
                " (fitted to repayment outcomes)"
                if (result.get("scale") or {}).get("calibrated")
                else " (not yet calibrated to repayment data)"
            )
        )
    eligibility = result.get("eligibility") or {}
    if eligibility and not eligibility.get("eligible", True):
        console.print(f"[bold red]Ineligible[/bold red]: {eligibility.get('reason')}")
    coverage = result.get("coverage") or {}
    if coverage:
        console.print(
            f"[bold]Coverage[/bold] {coverage.get('ratio', 0):.0%} of enabled features had evidence; "
            f"missing: {', '.join(coverage.get('missing', [])) or 'none'}"
        )
    console.print("[bold]Top reasons lowering the score[/bold]")
    for reason in result.get("reasons", []):
        console.print(f"  • {escape('[' + reason['code'] + ']')} {escape(reason['text'])}")
    for failure in result.get("analysis_failures", []):
        console.print(f"[yellow]Analysis failed[/yellow]: {failure['analysis']}: {failure['error']}")
    console.print(
        f"Configuration {result.get('config_version')} (parameter version {result.get('config_parameter_version')}),"
        f" code {result.get('code_version')}; state times include each function's cold start"
    )


def demo(samples: Path, as_json: bool) -> int:
    console = Console(stderr=as_json)
    files = _sample_files(samples)
    if not files:
        console.print(f"[red]No sample exports in {samples}[/red] (expected e.g. linkedin.zip, facebook.zip)")
        return 2
    console.print("Starting the embedded local stack (moto server; resources from template.yaml)…")
    with LocalStack() as stack:
        api_key = secrets.token_urlsafe(24)
        register_partner(stack, "demo-partner", "Demo lender", api_key)
        client = PartnerClient(stack.api_url, api_key)
        started = time.time()
        created = client.create_application({p: len(parts) for p, parts in files.items()}, reference="demo")
        console.print(f"Partner API at {stack.api_url} created application {created['application_id']}")
        for form in created["uploads"]:
            path = files[form["platform"]][form["part"] - 1]
            upload(form, path)
            console.print(f"  uploaded {path.name} ({path.stat().st_size / 1024:.0f} KiB) by presigned POST")
        console.print("Waiting for the state machine (ingest → text ∥ profanity ∥ images → score)…")
        state = client.wait(created["application_id"])
        elapsed = time.time() - started
        if state["status"] != "scored":
            console.print(f"[red]Application {state['status']}[/red]: {json.dumps(state.get('error'))}")
            return 1
        result = client.result(created["application_id"])["result"]
        if as_json:
            print(json.dumps({"application": state, "result": result}, indent=2))
        else:
            _print_result(console, state, result, stack.state_times(created["application_id"]), elapsed)
        console.print(f"Function logs (as CloudWatch would hold them): {stack.log_dir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credscore_local")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("demo", help="score the sample exports end to end on the embedded local stack")
    run.add_argument("--samples", type=Path, default=SAMPLES, help="folder of <platform>[-N].zip exports")
    run.add_argument("--json", action="store_true", help="print the application and result as JSON")
    args = parser.parse_args(argv)
    return demo(args.samples, args.json)


if __name__ == "__main__":
    sys.exit(main())
