"""Serve web/ on localhost, pre-configured, with the partner API behind the same origin.

The page calls the API at `/api/...` on this server, which forwards to the real API (the local stack's adapter
or a deployed stage). Same origin means no CORS preflight for the API locally; uploads still go straight from
the browser to the presigned S3 form (the bucket's CORS rules allow that).

`/config.json` tells the pages where the API is, and nothing else: no partner key is ever in it (the applicant
page works with the token in its link; the partner console, partner.html, asks the partner for the key and keeps
it in the tab's sessionStorage). `/texts.json` is the catalogue of words for people (`credscore.texts`). It is
bound to 127.0.0.1 only.

`/api/applications/<id>/report` is answered here by rendering `credscore.report` from the API's own
application and result (same Authorization header), until the API serves that route itself.
"""

from __future__ import annotations

import http.client
import json
import mimetypes
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from credscore import texts
from credscore.application import APPLICATION_ID_REGEX
from credscore.report import render_report

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
API_PREFIX = "/api"
MAX_BODY = 1024 * 1024
FORWARDED_REQUEST_HEADERS = ("authorization", "content-type", "idempotency-key", "accept")
REPORT_PATH = re.compile(rf"^/applications/({APPLICATION_ID_REGEX})/report$")
# The report has inline CSS and SVG and nothing else: no scripts, no requests.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",  # ES modules are refused under any other type
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


@dataclass(frozen=True)
class WebConfig:
    """What the page is told in /config.json, and where this server forwards /api calls."""

    api_url: str
    upload_origin: str = ""  # where presigned forms point (the local S3 endpoint); allowed by the CSP

    def page_config(self) -> dict[str, str]:
        return {"apiBase": API_PREFIX}


def content_security_policy(upload_origin: str) -> str:
    connect = "'self'" + (f" {upload_origin}" if upload_origin else " https:")
    # Inline styles only for the printable report, opened from a blob: URL that inherits this policy; every
    # string in it is escaped, and scripts stay 'self' only.
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; "
        f"connect-src {connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


def resolve_static(web_dir: Path, request_path: str) -> Path | None:
    """The file under web_dir for a URL path, or None (missing, or outside web_dir)."""
    relative = urlsplit(request_path).path.lstrip("/") or "index.html"
    root = web_dir.resolve()
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def _fetch_json(url: str, authorization: str, timeout: float) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers={"Authorization": authorization})  # noqa: S310 - our API
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, json.loads(body) if body else None


def make_handler(config: WebConfig, web_dir: Path, timeout: float = 60.0) -> type[BaseHTTPRequestHandler]:
    csp = content_security_policy(config.upload_origin)

    class Handler(BaseHTTPRequestHandler):
        server_version = "credscore-web"

        def log_message(self, format: str, *args: Any) -> None:  # request lines would carry application ids
            return

        def _send(self, status: int, content_type: str, data: bytes, policy: str = csp) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Content-Security-Policy", policy)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _json(self, status: int, body: Any) -> None:
            self._send(status, "application/json", json.dumps(body).encode())

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path.startswith(API_PREFIX + "/") or path == API_PREFIX:
                self._api()
                return
            if path == "/config.json":
                self._json(200, config.page_config())
                return
            if path == "/texts.json":
                self._send(200, "application/json", texts.catalogue_json())
                return
            file = resolve_static(web_dir, path)
            if file is None:
                self._json(404, {"error": "not_found", "message": "no such page"})
                return
            content_type = CONTENT_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
            self._send(200, content_type or "application/octet-stream", file.read_bytes())

        do_HEAD = do_GET

        def do_POST(self) -> None:
            self._api()

        do_DELETE = do_PUT = do_PATCH = do_POST

        def _api(self) -> None:
            parts = urlsplit(self.path)
            if not (parts.path.startswith(API_PREFIX + "/") or parts.path == API_PREFIX):
                self._json(405, {"error": "method_not_allowed", "message": "only /api accepts this method"})
                return
            upstream_path = parts.path[len(API_PREFIX) :] or "/"
            report = REPORT_PATH.match(upstream_path)
            if report and self.command == "GET":
                self._report(report.group(1))
                return
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self._json(413, {"error": "too_large", "message": "request body too large"})
                return
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() in FORWARDED_REQUEST_HEADERS}
            target = config.api_url.rstrip("/") + upstream_path + (f"?{parts.query}" if parts.query else "")
            request = urllib.request.Request(target, data=body, method=self.command, headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                    status, content_type, data = (
                        response.status,
                        response.headers.get("content-type"),
                        response.read(),
                    )
            except urllib.error.HTTPError as error:
                status, content_type, data = error.code, error.headers.get("content-type"), error.read()
            except (OSError, http.client.HTTPException) as error:  # refused, reset, closed, timed out
                self._json(502, {"error": "api_unreachable", "message": f"the API did not answer: {error}"})
                return
            self._send(status, content_type or "application/json", data)

        def _report(self, application_id: str) -> None:
            authorization = self.headers.get("authorization", "")
            base = config.api_url.rstrip("/") + f"/applications/{application_id}"
            try:
                status, application = _fetch_json(base, authorization, timeout)
                if status != 200:
                    self._json(status, application)
                    return
                status, result = _fetch_json(base + "/result", authorization, timeout)
            except (OSError, http.client.HTTPException) as error:  # refused, reset, closed, timed out
                self._json(502, {"error": "api_unreachable", "message": f"the API did not answer: {error}"})
                return
            if status != 200:
                self._json(status, result)
                return
            document = render_report(application, (result or {}).get("result") or {})
            self._send(200, "text/html; charset=utf-8", document.encode("utf-8"), REPORT_POLICY)

    return Handler


def serve_web(
    config: WebConfig, web_dir: Path = WEB_DIR, port: int = 0, host: str = "127.0.0.1"
) -> tuple[ThreadingHTTPServer, str]:
    """Start serving in a daemon thread; returns the server (call shutdown()) and its base URL."""
    server = ThreadingHTTPServer((host, port), make_handler(config, web_dir), bind_and_activate=False)
    server.request_queue_size = 128  # socketserver's default 5 resets a burst of connections
    server.server_bind()
    server.server_activate()
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="credscore-web", daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"
