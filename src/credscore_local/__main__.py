"""`python -m credscore_local demo`: score the bundled sample exports end to end on the embedded local stack."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
from pathlib import Path

from rich.console import Console

from credscore.render.console import as_json as render_json
from credscore.render.console import print_result
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
            print(render_json(state, result))
        else:
            console.print()
            print_result(
                console, state, result, elapsed=elapsed, timeline=stack.state_times(created["application_id"])
            )
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
