"""`credscore score`: score local export files on the embedded local stack."""

from __future__ import annotations

import argparse
import functools
import time
from pathlib import Path
from typing import Any

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
from credscore_cli.exits import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from credscore_cli.inputs import InputError, select_exports
from credscore_cli.local import local_partner

TERMINAL = ("scored", "failed", "erased")


def register(sub: Any) -> None:
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


class BytesColumn(DownloadColumn):
    """Sizes for upload tasks only; the other stages have no unit worth showing."""

    def render(self, task: Task) -> Text:
        return super().render(task) if task.fields.get("bytes") else Text("")


def _refused(err: Console, message: str) -> int:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return EXIT_USAGE


def cmd_score(args: argparse.Namespace) -> int:
    err = Console(stderr=True, soft_wrap=True)
    if not args.files and not args.x_handle:
        return _refused(err, "give at least one export FILE or --x-handle")
    try:
        selection = select_exports(args.files)
    except InputError as bad_input:
        return _refused(err, escape(str(bad_input)))
    for problem in selection.problems:
        err.print(f"[yellow]warning:[/yellow] {escape(str(problem))}", highlight=False)
    if not selection.sources and not args.x_handle:
        return _refused(err, "nothing to score: no valid export left")
    if args.x_handle and "x" in selection.sources:
        return _refused(err, "give either an X archive or --x-handle, not both")
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
        return _score_on_local_stack(args, progress, err, selection.sources)


def _score_on_local_stack(
    args: argparse.Namespace, progress: Progress, err: Console, sources: dict[str, list[Path]]
) -> int:
    from credscore_local.client import ApiError, PartnerClient

    starting = progress.add_task("Starting the embedded local stack", total=None)
    with local_partner() as (stack, key):
        progress.update(starting, description="Local stack ready", total=1, completed=1)
        client = PartnerClient(stack.api_url, key)
        try:
            created = client.create_application(
                {p: len(paths) for p, paths in sources.items()},
                x_handle=args.x_handle,
                reference=args.reference,
            )
            application_id = created["application_id"]
            _upload_all(progress, created["uploads"], sources)
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
        outcome = _report_outcome(args, Console(), err, state, result)
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
    from credscore.render.console import as_json, print_result

    if args.json:
        print(as_json(state, result))
    if state["status"] != "scored" or result is None:
        _report_failure(err, state)
        return EXIT_FAILED
    if not args.json:
        print_result(out, state, result)
    if args.report:
        from credscore.report import render_report

        args.report.write_text(render_report(state, result), encoding="utf-8")
        err.print(f"Printable report written to {args.report}", highlight=False)
    return EXIT_OK


def _report_failure(err: Console, state: dict[str, Any]) -> None:
    error = state.get("error") or {}
    # Words for people, never an internal error text (credscore.texts); the code stays for support.
    shown = texts.safe_error(error.get("code"), bool(state.get("x_handle_requested"))) if error else None
    err.print(
        f"[red]The application {state['status']}[/red]: "
        + (f"{escape(shown['message'])} (code {escape(shown['code'])})" if shown else "no reason recorded"),
        highlight=False,
    )
    for source in state.get("sources") or []:
        if source.get("status") not in ("parsed", "fetched"):
            err.print(
                f"  {source.get('platform')}: {texts.source_status(str(source.get('status')))} — "
                f"{escape(texts.source_reason(source.get('reason_code'), source.get('reason')) or '')}",
                highlight=False,
            )
