"""`credscore` command line: score, serve, weights, samples, model.

Exit codes: 0 done; 1 the work failed (application failed, API error, timeout); 2 bad input (usage, missing
file, unknown platform, nothing to score); 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from credscore import texts
from credscore_cli import invoke as invoke_cli
from credscore_cli.inputs import PLATFORMS, InputError, select_exports

if TYPE_CHECKING:
    from credscore_local.stack import LocalStack

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
TERMINAL = ("scored", "failed", "erased")
LOCAL_PARTNER = "local-partner"


def state_dir() -> Path:
    """Where each running `credscore serve` says how to reach its local stack (for `weights --local`)."""
    return Path(tempfile.gettempdir()) / f"credscore-local-{os.getuid()}"


def state_file(pid: int | None = None) -> Path:
    """This process's marker: one file per `serve`, so several can run side by side."""
    return state_dir() / f"{pid or os.getpid()}.json"


# ----------------------------------------------------------------------------------------------- local stack
@contextlib.contextmanager
def local_partner(console: Console) -> Iterator[tuple[LocalStack, str]]:
    """The embedded local stack with a fresh partner key registered."""
    from credscore_local.partners import register_partner
    from credscore_local.stack import LocalStack

    with LocalStack() as stack:
        key = secrets.token_urlsafe(24)
        register_partner(stack, LOCAL_PARTNER, "Local partner", key)
        yield stack, key


class BytesColumn(DownloadColumn):
    """Sizes for upload tasks only; the other stages have no unit worth showing."""

    def render(self, task: Task) -> Text:
        return super().render(task) if task.fields.get("bytes") else Text("")


# ----------------------------------------------------------------------------------------------------- score
def cmd_score(args: argparse.Namespace) -> int:
    err = Console(stderr=True, soft_wrap=True)
    out = Console()
    try:
        selection = select_exports(args.files)
    except InputError as bad_input:
        err.print(f"[red]error:[/red] {escape(str(bad_input))}", highlight=False)
        return EXIT_USAGE
    for problem in selection.problems:
        err.print(f"[yellow]warning:[/yellow] {escape(str(problem))}", highlight=False)
    if not selection.sources and not args.x_handle:
        err.print("[red]error:[/red] nothing to score: no valid export left", highlight=False)
        return EXIT_USAGE
    if args.x_handle and "x" in selection.sources:
        err.print("[red]error:[/red] give either an X archive or --x-handle, not both", highlight=False)
        return EXIT_USAGE

    from credscore_local.client import ApiError, PartnerClient

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        BytesColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=not err.is_terminal,
    )
    with progress:
        starting = progress.add_task("Starting the embedded local stack", total=None)
        with local_partner(err) as (stack, key):
            progress.update(starting, description="Local stack ready", total=1, completed=1)
            client = PartnerClient(stack.api_url, key)
            try:
                created = client.create_application(
                    {p: len(paths) for p, paths in selection.sources.items()},
                    x_handle=args.x_handle,
                    reference=args.reference,
                )
                application_id = created["application_id"]
                _upload_all(progress, created["uploads"], selection.sources)
                waiting = progress.add_task("Scoring: waiting", total=None)
                state = _wait(
                    client,
                    application_id,
                    args.timeout,
                    lambda status: progress.update(waiting, description=f"Scoring: {status}"),
                )
                progress.update(waiting, total=1, completed=1)
                result = client.result(application_id)["result"] if state["status"] == "scored" else None
            except ApiError as error:
                progress.stop()
                err.print(f"[red]error:[/red] the API refused: {error}", highlight=False)
                return EXIT_FAILED
            except TimeoutError as error:
                progress.stop()
                err.print(f"[red]error:[/red] {error}; function logs in {stack.log_dir}", highlight=False)
                return EXIT_FAILED
            # Shown before the stack shuts down (that takes seconds): Ctrl-C then no longer loses the result.
            progress.stop()
            outcome = _report_outcome(args, out, err, state, result)
            err.print("Stopping the embedded local stack…", highlight=False)
    return outcome


def _upload_all(progress: Progress, forms: list[dict[str, Any]], sources: dict[str, list[Path]]) -> None:
    from credscore_cli.upload import upload_file

    for form in forms:
        path = sources[form["platform"]][form["part"] - 1]
        size = path.stat().st_size
        if size > int(form.get("max_bytes") or size):
            raise InputError(f"{path}: {size} bytes, more than the {form['max_bytes']} allowed")
        task = progress.add_task(f"Uploading {form['platform']} part {form['part']}", total=size, bytes=True)
        upload_file(form, path, functools.partial(_advance, progress, task))


def _advance(progress: Progress, task: TaskID, sent: int) -> None:
    progress.update(task, completed=sent)


def _wait(client: Any, application_id: str, timeout: float, on_status: Any) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        state: dict[str, Any] = client.application(application_id)
        on_status(state["status"])
        if state["status"] in TERMINAL:
            return state
        if time.monotonic() > deadline:
            raise TimeoutError(f"application still {state['status']} after {timeout:.0f} s")
        time.sleep(0.25)


def _report_outcome(
    args: argparse.Namespace, out: Console, err: Console, state: dict[str, Any], result: dict[str, Any] | None
) -> int:
    from credscore_cli.output import as_json, print_result

    if args.json:
        print(as_json(state, result))
    if state["status"] != "scored" or result is None:
        error = state.get("error") or {}
        # Words for people, never an internal error text (credscore.texts); the code stays for support.
        shown = texts.safe_error(error.get("code"), bool(state.get("x_handle_requested"))) if error else None
        err.print(
            f"[red]The application {state['status']}[/red]: "
            + (
                f"{escape(shown['message'])} (code {escape(shown['code'])})"
                if shown
                else "no reason recorded"
            ),
            highlight=False,
        )
        for source in state.get("sources") or []:
            if source.get("status") not in ("parsed", "fetched"):
                err.print(
                    f"  {source.get('platform')}: {texts.source_status(str(source.get('status')))} — "
                    f"{escape(texts.source_reason(source.get('reason_code'), source.get('reason')) or '')}",
                    highlight=False,
                )
        return EXIT_FAILED
    if not args.json:
        print_result(out, state, result)
    if args.report:
        from credscore.report import render_report

        args.report.write_text(render_report(state, result), encoding="utf-8")
        err.print(f"Printable report written to {args.report}", highlight=False)
    return EXIT_OK


# ----------------------------------------------------------------------------------------------------- serve
def cmd_serve(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Serve web/ until Ctrl-C (or `stop` is set): on a fresh local stack, or in front of --api-url."""
    from credscore_cli.webserver import WEB_DIR, WebConfig

    err = Console(stderr=True, soft_wrap=True)
    web_dir = args.web_dir or WEB_DIR
    if not (web_dir / "index.html").is_file():
        err.print(f"[red]error:[/red] no index.html in {web_dir}", highlight=False)
        return EXIT_USAGE
    stop = stop or _stop_on_signals()
    if args.api_url:
        config = WebConfig(api_url=args.api_url)
        return _serve_until(stop, config, web_dir, args, lines=[f"Partner API: {args.api_url}"])
    err.print("Starting the embedded local stack…")
    with local_partner(err) as (stack, key):
        config = WebConfig(api_url=stack.api_url, upload_origin=stack.endpoint)
        lines = [
            f"Partner API: {stack.api_url}  (Authorization: Bearer <key>)",
            f"Partner key: {key}  (the partner console asks for it; the applicant page never sees it)",
            f"AWS endpoint of the local stack: {stack.endpoint}  (credscore weights --local … uses it)",
            f"Function logs: {stack.log_dir}",
        ]
        local = {
            "endpoint": stack.endpoint,
            "api_url": stack.api_url,
            "pid": os.getpid(),
            "config_parameter": stack.deployed.config_parameter,
        }
        return _serve_until(stop, config, web_dir, args, lines=lines, local=local)


def _serve_until(
    stop: threading.Event,
    config: Any,
    web_dir: Path,
    args: argparse.Namespace,
    lines: list[str],
    local: dict[str, Any] | None = None,
) -> int:
    from credscore_cli.webserver import serve_web

    server, url = serve_web(config, web_dir, port=args.port)
    marker = state_file()
    if local is not None:
        marker.parent.mkdir(mode=0o700, exist_ok=True)
        marker.write_text(json.dumps({**local, "web_url": url, "started": time.time()}), encoding="utf-8")
        marker.chmod(0o600)
    try:
        print(f"Web page: {url}/", flush=True)
        print(f"Partner console: {url}/partner.html", flush=True)
        for line in lines:
            print(line, flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
        if local is not None:
            marker.unlink(missing_ok=True)
    print("Stopped.", flush=True)
    return EXIT_OK


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    return stop


# --------------------------------------------------------------------------------------------------- weights
def running_local_endpoints() -> list[dict[str, Any]]:
    """The local stacks of the running `credscore serve` processes that still answer, newest first."""
    import urllib.request

    found = []
    for marker in state_dir().glob("*.json") if state_dir().is_dir() else []:
        try:
            local = json.loads(marker.read_text(encoding="utf-8"))
            os.kill(int(local["pid"]), 0)
            with urllib.request.urlopen(local["endpoint"] + "/moto-api/", timeout=2):  # noqa: S310 - loopback
                found.append(dict(local))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a stopped or foreign serve: not a stack to use
    found.sort(key=lambda local: float(local.get("started") or 0), reverse=True)
    return found


def running_local_endpoint() -> dict[str, Any] | None:
    """The newest running `credscore serve`'s local stack, if any."""
    running = running_local_endpoints()
    return running[0] if running else None


def cmd_weights(args: argparse.Namespace) -> int:
    err = Console(stderr=True, soft_wrap=True)
    try:
        # Imported by name: written separately, and only this command needs it.
        admin_cli: Any = importlib.import_module("credscore_aws.admin_cli")
    except ImportError:
        err.print(
            "[red]error:[/red] the admin CLI (credscore_aws.admin_cli) is not available", highlight=False
        )
        return EXIT_FAILED
    rest = list(args.rest)
    if rest[:1] == ["--"]:
        rest = rest[1:]
    if not rest:
        err.print("[red]error:[/red] give an action: show, set, validate, history, diff or rollback")
        return EXIT_USAGE
    if args.endpoint_url:
        return int(admin_cli.main([*rest, "--endpoint-url", args.endpoint_url]) or 0)
    if not args.local:
        return int(admin_cli.main(rest) or 0)
    serves = running_local_endpoints()
    if serves:
        from credscore_local.deployment import FAKE_CREDENTIALS

        running = serves[0]
        others = (
            f" (the newest of {len(serves)} running; --endpoint-url picks another)" if len(serves) > 1 else ""
        )
        err.print(
            f"Using the local stack of `credscore serve` at {running['endpoint']}{others}", highlight=False
        )
        for key, value in FAKE_CREDENTIALS.items():  # moto's; real credentials must not reach a local stack
            os.environ[key] = value
        return int(admin_cli.main([*rest, "--endpoint-url", running["endpoint"]]) or 0)
    err.print("No `credscore serve` is running: starting a temporary local stack (changes end with it)…")
    with local_partner(err) as (stack, _key):
        return int(admin_cli.main([*rest, "--endpoint-url", stack.endpoint]) or 0)


# --------------------------------------------------------------------------------------------------- samples
def cmd_samples(args: argparse.Namespace) -> int:
    err = Console(stderr=True, soft_wrap=True)
    try:
        from credscore.synth import make_export
    except ImportError:
        err.print("[red]error:[/red] the synthetic export generator (credscore.synth) is not available")
        return EXIT_FAILED
    args.out.mkdir(parents=True, exist_ok=True)
    for index, platform in enumerate(args.platform or PLATFORMS):
        path = args.out / f"{platform}.zip"
        make_export(platform, path, seed=args.seed + index)
        print(f"{path}  ({path.stat().st_size / 1024:.0f} KiB)")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------------ main
def build_parser() -> argparse.ArgumentParser:
    from credscore import __version__

    parser = argparse.ArgumentParser(
        prog="credscore", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--version", action="version", version=f"credscore {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    score = sub.add_parser("score", help="score local export files on the embedded local stack")
    score.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="export zips, named like linkedin.zip, or given as PLATFORM=PATH",
    )
    score.add_argument("--json", action="store_true", help="print the application and result as JSON")
    score.add_argument("--x-handle", help="fetch this X account instead of an X archive")
    score.add_argument("--reference", help="your own reference for the application (no personal data)")
    score.add_argument("--report", type=Path, metavar="HTML", help="also write the printable report here")
    score.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the score")
    score.set_defaults(handler=cmd_score)

    serve = sub.add_parser("serve", help="start the local stack and serve the web page until Ctrl-C")
    serve.add_argument("--port", type=int, default=8000, help="port of the web page (0: any free port)")
    serve.add_argument("--api-url", help="serve in front of this partner API instead of a local stack")
    serve.add_argument("--web-dir", type=Path, help=argparse.SUPPRESS)
    serve.set_defaults(handler=cmd_serve)

    weights = sub.add_parser("weights", help="scoring configuration: show|set|validate|history|diff|rollback")
    where = weights.add_mutually_exclusive_group()
    where.add_argument(
        "--local",
        action="store_true",
        help="on the local stack of a running `credscore serve` (else a temporary one)",
    )
    where.add_argument("--endpoint-url", help="AWS endpoint to use")
    weights.add_argument(
        "rest",
        nargs=argparse.REMAINDER,
        metavar="ACTION ...",
        help="passed to the admin CLI (python -m credscore_aws.admin_cli)",
    )
    weights.set_defaults(handler=cmd_weights)

    add_model_group(sub)

    samples = sub.add_parser("samples", help="write synthetic sample exports")
    samples.add_argument("--out", type=Path, required=True, help="folder to write <platform>.zip into")
    samples.add_argument("--seed", type=int, default=1)
    samples.add_argument("--platform", action="append", choices=PLATFORMS, help="only these (repeatable)")
    samples.set_defaults(handler=cmd_samples)

    invoke_cli.register(sub)
    return parser


def add_model_group(sub: Any) -> None:
    """`credscore model …`: one group; model_cmd adds `fit`, model_ops export, candidate, compare, promote…"""
    from credscore_cli import model_cmd
    from credscore_cli.model_ops import register_model_ops

    register_model_ops(model_cmd.register(sub))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_.code or 0)
    if args.command == "score" and not args.files and not args.x_handle:
        Console(stderr=True, soft_wrap=True).print(
            "[red]error:[/red] give at least one export FILE or --x-handle"
        )
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except InputError as problem:
        Console(stderr=True, soft_wrap=True).print(
            f"[red]error:[/red] {escape(str(problem))}", highlight=False
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        Console(stderr=True, soft_wrap=True).print("Interrupted.")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
