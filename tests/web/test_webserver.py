"""The static server of `credscore serve`: static files, config.json, the /api proxy and the report route."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests

from credscore_cli.webserver import WEB_DIR, WebConfig, resolve_static, serve_web

APP_ID = "0123456789abcdef0123456789abcdef"
KEY = "partner-key-1"


class FakeApi(BaseHTTPRequestHandler):
    """Answers like the partner API for one application; records what it was sent."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        FakeApi.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "auth": self.headers.get("authorization"),
                "idempotency": self.headers.get("idempotency-key"),
                "body": body,
            }
        )
        if self.headers.get("authorization") != f"Bearer {KEY}":
            self._reply(403, {"message": "Forbidden"})
        elif self.path == f"/applications/{APP_ID}":
            if self.command == "DELETE":
                self._reply(200, {"application_id": APP_ID, "status": "erased"})
            else:
                self._reply(
                    200,
                    {
                        "application_id": APP_ID,
                        "status": "scored",
                        "reference": "<b>ref</b>",
                        "created_at": 1,
                        "updated_at": 2,
                        "sources": [],
                    },
                )
        elif self.path == f"/applications/{APP_ID}/result":
            self._reply(
                200,
                {
                    "application_id": APP_ID,
                    "status": "scored",
                    "result": {
                        "breakdown": [
                            {"feature": "connections", "weight": 20, "points": 10, "has_evidence": True}
                        ],
                        "total_points": 10,
                        "max_possible": 20,
                        "reasons": [],
                    },
                },
            )
        elif self.path == "/applications" and self.command == "POST":
            self._reply(201, {"application_id": APP_ID, "status": "collecting", "uploads": []})
        else:
            self._reply(404, {"error": "not_found", "message": "nothing here"})

    do_GET = do_POST = do_DELETE = _handle


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def web(upstream: str) -> Iterator[str]:
    config = WebConfig(api_url=upstream, upload_origin="http://127.0.0.1:9")
    server, url = serve_web(config, WEB_DIR)
    yield url
    server.shutdown()
    server.server_close()


def test_index_and_modules_are_served_with_types_browsers_accept(web: str) -> None:
    index = requests.get(web + "/", timeout=5)
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    assert 'type="module"' in index.text
    module = requests.get(web + "/js/applicant.js", timeout=5)
    assert module.status_code == 200
    assert module.headers["content-type"].startswith("text/javascript")
    assert requests.get(web + "/styles.css", timeout=5).headers["content-type"].startswith("text/css")


def test_pages_carry_a_restrictive_content_security_policy(web: str) -> None:
    policy = requests.get(web + "/", timeout=5).headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self' http://127.0.0.1:9" in policy
    assert "frame-ancestors 'none'" in policy


def test_config_json_names_the_api_and_never_a_key(web: str) -> None:
    assert requests.get(web + "/config.json", timeout=5).json() == {"apiBase": "/api"}


def test_texts_json_is_the_catalogue(web: str) -> None:
    from credscore import texts

    served = requests.get(web + "/texts.json", timeout=5)
    assert served.headers["content-type"] == "application/json"
    assert served.json() == texts.catalogue()
    assert served.json()["features"]["negative_posts"]["label"] == texts.feature_label("negative_posts")


def test_the_partner_console_is_a_separate_page(web: str) -> None:
    console = requests.get(web + "/partner.html", timeout=5).text
    applicant = requests.get(web + "/", timeout=5).text
    assert 'id="partner-key"' in console
    assert "partner-key" not in applicant
    assert "partner.js" not in applicant


@pytest.mark.parametrize(
    "path", ["/../pyproject.toml", "/js/../../pyproject.toml", "/%2e%2e/pyproject.toml", "/nothing.html"]
)
def test_nothing_outside_web_is_served(web: str, path: str) -> None:
    response = requests.get(web + path, timeout=5)
    assert response.status_code == 404
    assert "[project]" not in response.text


def test_resolve_static_refuses_escapes(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "index.html").write_text("x")
    (tmp_path / "secret.txt").write_text("s")
    assert resolve_static(tmp_path / "web", "/") == (tmp_path / "web" / "index.html").resolve()
    assert resolve_static(tmp_path / "web", "/../secret.txt") is None


def test_api_calls_are_forwarded_with_method_body_and_headers(web: str) -> None:
    FakeApi.seen.clear()
    response = requests.post(
        web + "/api/applications",
        json={"sources": []},
        timeout=5,
        headers={"Authorization": f"Bearer {KEY}", "Idempotency-Key": "k1", "Cookie": "not-forwarded=1"},
    )
    assert response.status_code == 201
    assert response.json()["application_id"] == APP_ID
    sent = FakeApi.seen[-1]
    assert (sent["method"], sent["path"], sent["idempotency"]) == ("POST", "/applications", "k1")
    assert json.loads(sent["body"]) == {"sources": []}
    erased = requests.delete(
        web + f"/api/applications/{APP_ID}", headers={"Authorization": f"Bearer {KEY}"}, timeout=5
    )
    assert erased.json()["status"] == "erased"


def test_api_errors_pass_through(web: str) -> None:
    refused = requests.get(web + "/api/applications", headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert refused.status_code == 403
    missing = requests.get(web + "/api/nowhere", headers={"Authorization": f"Bearer {KEY}"}, timeout=5)
    assert missing.status_code == 404
    assert missing.json()["message"] == "nothing here"


def test_report_is_rendered_from_the_api_with_the_callers_key(web: str) -> None:
    report = requests.get(
        web + f"/api/applications/{APP_ID}/report", timeout=5, headers={"Authorization": f"Bearer {KEY}"}
    )
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    assert report.headers["content-security-policy"].startswith("default-src 'none'")
    assert "connections" in report.text
    assert "&lt;b&gt;ref&lt;/b&gt;" in report.text
    refused = requests.get(
        web + f"/api/applications/{APP_ID}/report", timeout=5, headers={"Authorization": "Bearer wrong"}
    )
    assert refused.status_code == 403


def test_unreachable_api_is_a_502(tmp_path: Path) -> None:
    server, url = serve_web(WebConfig(api_url="http://127.0.0.1:9"), WEB_DIR)
    try:
        response = requests.get(url + "/api/applications", headers={"Authorization": "Bearer x"}, timeout=10)
        assert response.status_code == 502
        assert response.json()["error"] == "api_unreachable"
    finally:
        server.shutdown()
        server.server_close()


def test_an_api_that_hangs_up_is_a_502() -> None:
    class HangUp(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.close_connection = True  # no status line at all, as a crashed handler leaves it

    upstream = ThreadingHTTPServer(("127.0.0.1", 0), HangUp)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    server, url = serve_web(WebConfig(api_url=f"http://127.0.0.1:{upstream.server_address[1]}"), WEB_DIR)
    try:
        response = requests.get(url + "/api/applications", headers={"Authorization": "Bearer x"}, timeout=10)
        assert response.status_code == 502
        report = requests.get(
            url + f"/api/applications/{APP_ID}/report", headers={"Authorization": "Bearer x"}, timeout=10
        )
        assert report.status_code == 502
    finally:
        server.shutdown()
        server.server_close()
        upstream.shutdown()
        upstream.server_close()
