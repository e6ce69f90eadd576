"""`credscore serve`: the web page on a fresh local stack, or in front of a partner API."""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from credscore_cli.exits import EXIT_OK, EXIT_USAGE
from credscore_cli.local import local_partner, state_file


def register(sub: Any) -> None:
    serve = sub.add_parser("serve", help="start the local stack and serve the web page until Ctrl-C")
    serve.add_argument("--port", type=int, default=8000, help="port of the web page (0: any free port)")
    serve.add_argument("--api-url", help="serve in front of this partner API instead of a local stack")
    serve.add_argument("--web-dir", type=Path, help=argparse.SUPPRESS)
    serve.set_defaults(handler=cmd_serve)


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
    with local_partner() as (stack, key):
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
