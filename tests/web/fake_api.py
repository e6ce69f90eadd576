"""A scripted stand-in for the partner API and the presigned upload target, for browser tests.

It follows the real API's shapes (credscore_aws.models.api) so the page is exercised without the pipeline:
uploads are accepted cross-origin (with the CORS answers S3 gives), an application is "processing" for two
polls after its last upload, then "scored" with a fixed result. Applicant links: a token per application,
accepted on /applicant/... only (and the partner key never there), revocable.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from credscore.application import APPLICATION_ID_REGEX, upload_key
from credscore.profile import Platform
from credscore.render.chart import chart_spec
from tests.report.samples import feature_score, sample_analysis_coverage, sample_reasons

HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1">'


def scripted_answer(application_id: str, config_version: int) -> dict[str, Any]:
    """GET /applications/{id}/result's answer: the stored result and the chart the API builds from it."""
    result = scripted_result(config_version)
    return {
        "application_id": application_id,
        "status": "scored",
        "result": result,
        "chart": chart_spec(result["breakdown"]).model_dump(mode="json"),
    }


def scripted_result(config_version: int) -> dict[str, Any]:
    """A stored result the score function could write (tests/report checks it with the scorer's model), with a
    hostile reason text for the page to escape."""
    return {
        "status": "scored",
        "breakdown": [
            feature_score("connections", "P1", 20, 420, 15.5),
            feature_score("skills", "P3", 10, 12, 8.0),
            feature_score("positive_posts", "P2", 10, 0.31, 6.2),
            feature_score("negative_groups", "P3", 5, None, None),
        ],
        "total_points": 29.7,
        "max_possible": 40.0,
        "max_configured": 45.0,
        "normalised_score": 645.0,
        "normalised_range": {"min": 300, "max": 900},
        "reasons": sample_reasons(" " + HOSTILE),
        "coverage": {
            "features_enabled": 4,
            "features_with_evidence": 3,
            "ratio": 0.75,
            "with_evidence": ["connections", "skills", "positive_posts"],
            "missing": ["negative_groups"],
        },
        "eligibility": {
            "eligible": True,
            "reason_code": None,
            "reason": None,
            "age": 35.0,
            "enforced": True,
            "min_age": 18,
            "max_age": 80,
        },
        "config_version": "2026-11-test",
        "config_parameter_version": config_version,
        "code_version": "0.1.0+test",
        "analysis_failures": [],
        "analysis_coverage": sample_analysis_coverage(),
    }


@dataclass
class FakeApplication:
    application_id: str
    declared: dict[str, int]
    reference: str | None
    created_at: int = field(default_factory=lambda: int(time.time()))
    received: set[str] = field(default_factory=set)
    status: str = "collecting"
    polls_while_processing: int = 0
    config_version: int = 1
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    consented: bool = False


class FakeState:
    def __init__(self, key: str) -> None:
        self.key = key
        self.applications: dict[str, FakeApplication] = {}
        self.uploaded_bytes: dict[str, int] = {}
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.page_size = 50
        # The next applicant erasures answered 503 `busy`, as the API answers a record busy with the pipeline's
        # writes (nothing erased), and how many were.
        self.busy_erasures = 0
        self.busy_answered = 0
        # The next uploads refused by the storage (500), as S3 answers one it could not take.
        self.failed_uploads = 0


def _handler(state: FakeState, base: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _reply(
            self, status: int, body: Any = None, cors: bool = False, headers: dict[str, str] | None = None
        ) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if cors:
                self.send_header("access-control-allow-origin", self.headers.get("origin", "*"))
            self.end_headers()
            self.wfile.write(data)

        def do_OPTIONS(self) -> None:  # S3's CORS preflight answer for POST uploads
            self.send_response(200)
            self.send_header("access-control-allow-origin", self.headers.get("origin", "*"))
            self.send_header("access-control-allow-methods", "POST")
            self.send_header("access-control-allow-headers", "*")
            self.send_header("content-length", "0")
            self.end_headers()

        def _app(self, application_id: str) -> FakeApplication | None:
            return state.applications.get(application_id)

        def _view(self, app: FakeApplication) -> dict[str, Any]:
            if app.status == "processing":
                app.polls_while_processing += 1
                if app.polls_while_processing > 2:
                    app.status = "scored"
            sources = [
                {
                    "platform": p,
                    "status": "parsed" if app.status == "scored" else "received",
                    "reason_code": None,
                    "reason": None,
                    "warnings": 0,
                }
                for p in app.declared
            ]
            return {
                "application_id": app.application_id,
                "status": app.status,
                "reference": app.reference,
                "created_at": app.created_at,
                "updated_at": int(time.time()),
                "declared": app.declared,
                "received": sorted(app.received),
                "sources": sources if app.status != "erased" else [],
                "error": None,
                "result_available": app.status == "scored",
            }

        def _authorised(self) -> bool:
            if self.headers.get("authorization") != f"Bearer {state.key}":
                self._reply(403, {"message": "Forbidden"})
                return False
            return True

        def _applicant(self) -> FakeApplication | None:
            """The application of the calling link (refusing a partner key and unknown or revoked tokens)."""
            given = (self.headers.get("authorization") or "").removeprefix("Bearer ")
            app = next((a for a in state.applications.values() if a.token and a.token == given), None)
            if app is None:
                self._reply(403, {"error": "link_revoked", "message": "revoked"})
            return app

        def _forms(self, app: FakeApplication) -> list[dict[str, Any]]:
            return [
                {
                    "platform": p,
                    "part": i,
                    "url": f"{base[0]}/upload/{app.application_id}/{p}/{i}",
                    "fields": {"key": upload_key(app.application_id, Platform(p), i), "policy": "p"},
                    "max_bytes": 10_000_000,
                    "expires_at": int(time.time()) + 900,
                }
                for p, n in app.declared.items()
                for i in range(1, n + 1)
                if f"{p}/{i}" not in app.received
            ]

        def _link(self, app: FakeApplication) -> dict[str, Any]:
            return {
                "applicant_token": app.token,
                "applicant_url": f"https://web.example/#t={app.token}",
                "upload_until": app.created_at + 26 * 3600,
                "view_until": app.created_at + 365 * 86400,
            }

        def _applicant_view(self, app: FakeApplication) -> dict[str, Any]:
            view = self._view(app)
            stage = {"collecting": "collecting", "processing": "ingest"}.get(app.status, app.status)
            return {
                **{
                    k: view[k]
                    for k in ("application_id", "status", "declared", "received", "result_available")
                },
                "stage": stage,
                "stage_text": stage,
                "x_handle_requested": False,
                "consented": app.consented,
                "uploads_open": app.status == "collecting",
                "upload_until": app.created_at + 26 * 3600,
                "view_until": app.created_at + 365 * 86400,
                "sources": [
                    {**src, "status_text": "read" if src["status"] == "parsed" else src["status"]}
                    for src in view["sources"]
                ],
                "error": None,
            }

        def _applicant_route(self, method: str) -> bool:
            if not self.path.startswith("/applicant/"):
                return False
            with state.lock:
                app = self._applicant()
                if app is None:
                    return True
                if method == "GET" and self.path == "/applicant/application":
                    self._reply(200, self._applicant_view(app))
                elif method == "POST" and self.path == "/applicant/uploads":
                    app.consented = True
                    state.bodies.append({"applicant_uploads": True})
                    self._reply(200, {"application_id": app.application_id, "uploads": self._forms(app)})
                elif method == "POST" and self.path == "/applicant/submit":
                    app.status = "processing"
                    self._reply(200, self._applicant_view(app))
                elif method == "GET" and self.path == "/applicant/result":
                    result = scripted_result(app.config_version)
                    self._reply(
                        200,
                        {
                            "application_id": app.application_id,
                            "status": "scored",
                            "score": result["normalised_score"],
                            "score_range": result["normalised_range"],
                            "no_score_reason": None,
                            "coverage": result["coverage"]["ratio"],
                            "analysed": [
                                result["analysis_coverage"][k]["summary"]
                                for k in ("texts", "names", "images")
                            ],
                            "sources": self._applicant_view(app)["sources"],
                            "features": [
                                {
                                    "feature": f["feature"],
                                    "label": f["feature"].replace("_", " "),
                                    "about": "",
                                    "points": f["points"],
                                    "max_points": f["weight"],
                                    "has_evidence": f["has_evidence"],
                                    "evidence": f.get("evidence", []),
                                }
                                for f in result["breakdown"]
                            ],
                            "reasons": [
                                {"code": r["code"], "feature": r["feature"], "text": r["text"]}
                                for r in result["reasons"]
                            ],
                            "view_until": app.created_at + 365 * 86400,
                            # the API builds it from the features above (max_points as the weight)
                            "chart": chart_spec(result["breakdown"]).model_dump(mode="json"),
                        },
                    )
                elif method == "DELETE" and self.path == "/applicant/application" and state.busy_erasures:
                    state.busy_erasures -= 1
                    state.busy_answered += 1
                    self._reply(
                        503,
                        {
                            "error": "busy",
                            "message": "the application is being updated; send it again shortly",
                        },
                        headers={"Retry-After": "1"},
                    )
                elif method == "DELETE" and self.path == "/applicant/application":
                    app.status = "erased"
                    app.token = ""
                    self._reply(
                        200,
                        {
                            "application_id": app.application_id,
                            "status": "erased",
                            "objects_deleted": 0,
                            "records_deleted": 4,
                            "erased_at": int(time.time()),
                        },
                    )
                else:
                    self._reply(404, {"error": "not_found", "message": "no such resource"})
            return True

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            upload = re.fullmatch(rf"/upload/({APPLICATION_ID_REGEX})/(\w+)/(\d+)", self.path)
            if self._applicant_route("POST"):
                return
            if upload:
                with state.lock:
                    app = self._app(upload[1])
                    if app is None or b'name="file"' not in body:
                        self._reply(400, cors=True)
                        return
                    if state.failed_uploads:
                        state.failed_uploads -= 1
                        self._reply(500, cors=True)
                        return
                    app.received.add(f"{upload[2]}/{upload[3]}")
                    state.uploaded_bytes[f"{upload[2]}/{upload[3]}"] = length
                    if len(app.received) == sum(app.declared.values()):
                        app.status = "processing"
                self._reply(204, cors=True)
                return
            if not self._authorised():
                return
            with state.lock:
                if self.path == "/applications":
                    request = json.loads(body)
                    state.bodies.append(request)
                    app = FakeApplication(
                        uuid.uuid4().hex,
                        {platform: parts for platform, parts in request["sources"].items() if parts},
                        request.get("reference"),
                    )
                    state.applications[app.application_id] = app
                    self._reply(
                        201,
                        {
                            "application_id": app.application_id,
                            "status": app.status,
                            "uploads": self._forms(app),
                            **self._link(app),
                        },
                    )
                    return
                link = re.fullmatch(rf"/applications/({APPLICATION_ID_REGEX})/applicant-token", self.path)
                if link and self._app(link[1]):
                    app = state.applications[link[1]]
                    app.token = secrets.token_urlsafe(16)
                    self._reply(200, self._link(app))
                    return
                rescore = re.fullmatch(rf"/applications/({APPLICATION_ID_REGEX})/rescore", self.path)
                app = self._app(rescore[1]) if rescore else None
                if app is None:
                    self._reply(
                        404, {"error": "not_found", "message": "no such application for this partner"}
                    )
                    return
                app.config_version += 1
                self._reply(
                    200,
                    {
                        **scripted_answer(app.application_id, app.config_version),
                        "changed": True,
                        "message": f"Rescored with configuration version {app.config_version}.",
                    },
                )

        def do_GET(self) -> None:
            if self._applicant_route("GET"):
                return
            if not self._authorised():
                return
            with state.lock:
                parts = urlsplit(self.path)
                if parts.path == "/applications":
                    # Pages as the real API does: newest first, `next_token` names the last one given.
                    query = parse_qs(parts.query)
                    items = sorted(
                        (
                            a
                            for a in state.applications.values()
                            if a.status == query.get("status", [a.status])[0]
                            and query.get("reference", [""])[0] in (a.reference or "")
                        ),
                        key=lambda a: (a.created_at, a.application_id),
                        reverse=True,
                    )
                    after = parse_qs(parts.query).get("next_token", [""])[0]
                    if after:
                        position = [f"{a.created_at:012d}.{a.application_id}" for a in items].index(after)
                        items = items[position + 1 :]
                    page, rest = items[: state.page_size], items[state.page_size :]
                    last = page[-1] if rest else None
                    self._reply(
                        200,
                        {
                            "next_token": f"{last.created_at:012d}.{last.application_id}" if last else None,
                            "applications": [
                                {
                                    "application_id": a.application_id,
                                    "status": a.status,
                                    "created_at": a.created_at,
                                    "updated_at": a.created_at,
                                    "reference": a.reference,
                                    "score": 645.0 if a.status == "scored" else None,
                                }
                                for a in page
                            ],
                        },
                    )
                    return
                match = re.fullmatch(rf"/applications/({APPLICATION_ID_REGEX})(/result)?", self.path)
                app = self._app(match[1]) if match else None
                if app is None or match is None:
                    self._reply(
                        404, {"error": "not_found", "message": "no such application for this partner"}
                    )
                elif match[2]:
                    if app.status != "scored":
                        self._reply(409, {"error": "wrong_status", "message": f"no result: {app.status}"})
                    else:
                        self._reply(200, scripted_answer(app.application_id, app.config_version))
                else:
                    self._reply(200, self._view(app))

        def do_DELETE(self) -> None:
            if self._applicant_route("DELETE"):
                return
            if not self._authorised():
                return
            revoke = re.fullmatch(rf"/applications/({APPLICATION_ID_REGEX})/applicant-token", self.path)
            if revoke and self._app(revoke[1]):
                app = state.applications[revoke[1]]
                was, app.token = bool(app.token), ""
                self._reply(200, {"application_id": app.application_id, "revoked": was})
                return
            match = re.fullmatch(rf"/applications/({APPLICATION_ID_REGEX})", self.path)
            app = self._app(match[1]) if match else None
            if app is None:
                self._reply(404, {"error": "not_found", "message": "no such application for this partner"})
                return
            app.status = "erased"
            self._reply(
                200,
                {
                    "application_id": app.application_id,
                    "status": "erased",
                    "objects_deleted": 0,
                    "records_deleted": 3,
                    "erased_at": int(time.time()),
                },
            )

    return Handler


@contextmanager
def fake_api(key: str) -> Iterator[tuple[str, FakeState]]:
    state = FakeState(key)
    base: list[str] = [""]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state, base))
    server.daemon_threads = True
    base[0] = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield base[0], state
    finally:
        server.shutdown()
        server.server_close()
