"""An application by X handle through the real state machine on the local stack, with the X API intercepted.

The Ingest function runs in its own worker process, so the X API is intercepted on the network, not in-process:
the worker's HTTPS_PROXY points at a loopback proxy that answers CONNECT for the X API host with TLS under a
throwaway CA (trusted through REQUESTS_CA_BUNDLE) and serves API v2 bodies. tweepy, requests and the handler
run unchanged.

The proxy can also play an X that is down (answers 503 or 429 to the next requests, or to all of them), to follow
the state machine's retries of Ingest and, once they are spent, IngestWithoutX: the other sources scored and X
recorded as not analysed. The retries' waits are shortened (`shortened_retry_waits`), their number is the ASL's.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests

from credscore import texts
from credscore_local.client import upload
from credscore_local.faults import shortened_retry_waits
from tests.exports import assert_no_raw_data_left, small_applicant
from tests.pki import make_ca
from tests.stack_items import age_application

pytestmark = pytest.mark.e2e

X_HOST = "api.twitter.com"
USER_ID = "2244994945"
TOKEN = "test-bearer-token-not-real"
POSTS = [
    "Thrilled to start my new role as a data engineer in Pune!",
    "Grateful to my mentors, what a wonderful year of learning",
    "Weekend volunteering at the library was great fun",
]


def _tls_files(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate it signs for the X API host (ca.pem, cert.pem, key.pem)."""
    ca = make_ca(directory)
    return (ca.ca_file, *ca.issue(X_HOST))


def _x_api_body(path: str) -> dict[str, Any] | None:
    """API v2 bodies for the one account the stub knows."""
    route = urlparse(path).path
    if route == "/2/users/by/username/asharao":
        return {
            "data": {
                "id": USER_ID,
                "name": "Asha Rao",
                "username": "asharao",
                "created_at": "2013-12-14T04:35:55.000Z",
                "description": "Data person",
                "protected": False,
                "public_metrics": {
                    "followers_count": 512,
                    "following_count": 180,
                    "tweet_count": 3456,
                    "listed_count": 7,
                    "like_count": 900,
                },
            }
        }
    if route == f"/2/users/{USER_ID}/tweets":
        tweets = [
            {
                "id": str(1800000000000000000 + i),
                "text": text,
                "created_at": "2024-05-14T09:12:03.000Z",
                "edit_history_tweet_ids": [str(1800000000000000000 + i)],
                "public_metrics": {"retweet_count": 1, "reply_count": 0, "like_count": 5, "quote_count": 0},
            }
            for i, text in enumerate(POSTS)
        ]
        return {
            "data": tweets,
            "meta": {
                "result_count": len(tweets),
                "newest_id": tweets[0]["id"],
                "oldest_id": tweets[-1]["id"],
            },
        }
    return None


class _XProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _XProxyHandler)
        self.tls = tls
        self.requests: list[tuple[str, str]] = []  # (path, Authorization header) seen inside the tunnel
        self.failures: list[int] = []  # statuses the next requests get instead of their answer, in turn
        self.always: int | None = None  # the status every request gets (X down for good)


class _XProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _XProxy

    def do_CONNECT(self) -> None:
        if self.path != f"{X_HOST}:443":
            self.send_error(403, "only the X API is intercepted")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        # From here on the tunnel speaks TLS as the X API host; later requests are read from it.
        tunnel = self.server.tls.wrap_socket(self.connection, server_side=True)
        self.connection = tunnel
        self.rfile = tunnel.makefile("rb")
        self.wfile = tunnel.makefile("wb", buffering=0)

    def do_GET(self) -> None:
        self.server.requests.append((self.path, self.headers.get("Authorization", "")))
        body = _x_api_body(self.path)
        failure = self.server.always or (self.server.failures.pop(0) if self.server.failures else None)
        if failure is not None:
            self._fail(failure)
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            status, body = 401, {"title": "Unauthorized", "status": 401}
        elif body is None:
            status, body = 404, {"title": "Not Found Error", "status": 404}
        else:
            status = 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _fail(self, status: int) -> None:
        """X's own error answers: 429 with its rate limit headers, 503 as X's edge gives it."""
        data = json.dumps({"title": "Too Many Requests" if status == 429 else "Service Unavailable"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 429:
            self.send_header("x-rate-limit-limit", "900")
            self.send_header("x-rate-limit-remaining", "0")
            self.send_header("x-rate-limit-reset", str(int(time.time()) + 900))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def x_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[_XProxy, Path]]:
    ca, cert, key = _tls_files(tmp_path_factory.mktemp("x-tls"))
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    proxy = _XProxy(tls)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield proxy, ca
    proxy.shutdown()
    proxy.server_close()


@pytest.fixture
def intercepted(stack: Any, x_proxy: tuple[_XProxy, Path]) -> Iterator[_XProxy]:
    proxy, ca = x_proxy
    proxy.requests.clear()
    proxy.failures.clear()
    proxy.always = None
    url = f"http://127.0.0.1:{proxy.server_address[1]}"
    previous = stack.faults.reconfigure(
        "IngestFunction",
        env={"HTTPS_PROXY": url, "https_proxy": url, "REQUESTS_CA_BUNDLE": str(ca), "NO_PROXY": "127.0.0.1"},
    )
    try:
        yield proxy
    finally:
        stack.faults.restore("IngestFunction", previous)


def _token_parameter(stack: Any) -> str:
    return str(stack.deployed.functions["IngestFunction"].environment["X_BEARER_TOKEN_PARAM"])


def _raw_aws_error_free(document: Any) -> None:
    text = json.dumps(document)
    for raw in ("ParameterNotFound", "GetParameter", "botocore", "Traceback", "ClientError"):
        assert raw not in text, f"{raw} reached the partner: {text}"


def _stored_handle(stack: Any, application_id: str) -> str | None:
    """The X handle as the application's record holds it (what a partner never sees: views say only whether one
    was given)."""
    item = stack.client("dynamodb").get_item(
        TableName=stack.deployed.table, Key={"pk": {"S": f"APP#{application_id}"}, "sk": {"S": "META"}}
    )["Item"]
    return item["x_handle"].get("S") if "x_handle" in item else None


def test_x_handle_only_is_scored_with_x_evidence_through_the_state_machine(
    stack: Any, partner: Any, intercepted: _XProxy
) -> None:
    stack.client("ssm").put_parameter(
        Name=_token_parameter(stack), Value=TOKEN, Type="SecureString", Overwrite=True
    )
    try:
        created = partner.create_application({}, x_handle="@asharao")
        state = partner.wait(created["application_id"])
    finally:
        stack.client("ssm").delete_parameter(Name=_token_parameter(stack))
    assert state["status"] == "scored", state
    assert state["x_handle_requested"] is True
    assert _stored_handle(stack, created["application_id"]) is None, (
        "the record forgets the handle once scored"
    )
    (x_source,) = state["sources"]
    assert (x_source["platform"], x_source["status"]) == ("x", "parsed"), x_source
    # The real tweepy calls went through the tunnel with the token read from the SecureString.
    paths = [urlparse(path).path for path, _ in intercepted.requests]
    assert "/2/users/by/username/asharao" in paths
    assert f"/2/users/{USER_ID}/tweets" in paths
    assert {auth for _, auth in intercepted.requests} == {f"Bearer {TOKEN}"}
    result = partner.result(created["application_id"])
    text = json.dumps(result)
    # The features trace back to the X API's account endpoint (counts) and its posts (text analysis).
    assert "x:api:users/by/username" in text, text
    assert "text analysis: x posts" in text, text
    execution = stack.scoring_execution(created["application_id"])
    assert execution is not None
    assert execution["status"] == "SUCCEEDED"
    states = [name for name, _, _ in stack.execution_state_times(execution)]
    assert "Ingest" in states
    assert "Score" in states
    _raw_aws_error_free(result)


def test_x_handle_without_a_bearer_token_fails_with_a_clear_recorded_reason(
    stack: Any, partner: Any, intercepted: _XProxy
) -> None:
    ssm = stack.client("ssm")
    with pytest.raises(ssm.exceptions.ParameterNotFound):
        ssm.get_parameter(Name=_token_parameter(stack))
    created = partner.create_application({}, x_handle="asharao")
    state = partner.wait(created["application_id"])
    assert state["status"] == "failed", state
    (x_source,) = state["sources"]
    assert x_source["status"] == "unavailable"
    assert x_source["reason_code"] == "x_not_configured"
    assert state["error"]["code"] == "NoUsableSource", state["error"]
    assert "not set up to read X accounts" in state["error"]["message"]
    assert not intercepted.requests, "no call to X without a token"
    assert state["x_handle_requested"] is True
    assert _stored_handle(stack, created["application_id"]) is None, "and once failed"
    _raw_aws_error_free(state)


def test_proxy_refuses_any_other_host(x_proxy: tuple[_XProxy, Path]) -> None:
    """The interception is narrow: only the X API host is tunnelled."""
    proxy, _ = x_proxy
    with socket.create_connection(proxy.server_address, timeout=5) as conn:
        conn.sendall(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        assert conn.recv(64).startswith(b"HTTP/1.1 403")


# ------------------------------------------------------------------------ X down: the other sources are scored

USER_PATH = "/2/users/by/username/asharao"
# Ingest's tries for X trouble: the first and the retries of the ASL's RateLimited/XUnreachable retrier.
X_TRIES = 1 + next(
    r["MaxAttempts"]
    for r in json.loads((Path(__file__).resolve().parents[2] / "statemachine.asl.json").read_text())[
        "States"
    ]["Ingest"]["Retry"]
    if "XUnreachable" in r["ErrorEquals"]
)


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return small_applicant(tmp_path_factory.mktemp("exports"))


@pytest.fixture
def x_token(stack: Any) -> Iterator[None]:
    ssm = stack.client("ssm")
    ssm.put_parameter(Name=_token_parameter(stack), Value=TOKEN, Type="SecureString", Overwrite=True)
    try:
        yield
    finally:
        ssm.delete_parameter(Name=_token_parameter(stack))


@pytest.fixture
def quick_retries() -> Iterator[list[float]]:
    with shortened_retry_waits(0.2) as asked:
        yield asked


def test_past_the_upload_window_an_application_with_an_x_handle_and_no_upload_is_scored_on_x(
    stack: Any, partner: Any, intercepted: _XProxy, x_token: None
) -> None:
    """The hourly sweep does what the partner's submit would: an X handle is something to score, so the
    application is not closed as 'no upload' (and its handle dropped unfetched)."""
    window = int(stack.deployed.functions["CloseStaleFunction"].environment["UPLOAD_WINDOW_HOURS"])
    created = partner.create_application({"linkedin": 1}, x_handle="@asharao")
    age_application(stack, created["application_id"], window + 1)

    assert stack.invoke("CloseStaleFunction", {}) == {"submitted": 1, "closed": 0}

    state = partner.wait(created["application_id"])
    assert state["status"] == "scored", state
    sources = {s["platform"]: s for s in state["sources"]}
    assert sources["x"]["status"] == "parsed", sources
    assert (sources["linkedin"]["status"], sources["linkedin"]["reason_code"]) == ("absent", "not_uploaded")
    assert _user_lookups(intercepted) == 1
    assert _stored_handle(stack, created["application_id"]) is None


def _linkedin_and_x(partner: Any, exports: dict[str, Path]) -> tuple[dict[str, Any], dict[str, Any]]:
    created = partner.create_application({"linkedin": 1}, x_handle="@asharao")
    (form,) = created["uploads"]
    upload(form, exports["linkedin"])
    return created, partner.wait(created["application_id"])


def _applicant_view(stack: Any, created: dict[str, Any]) -> dict[str, Any]:
    token = created["applicant_token"]
    answer = requests.get(
        stack.api_url + "/applicant/application", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _states_entered(stack: Any, application_id: str) -> list[str]:
    execution = stack.scoring_execution(application_id)
    assert execution is not None, "no execution scored the application"
    return [name for name, _, _ in stack.execution_state_times(execution)]


def _user_lookups(proxy: _XProxy) -> int:
    return sum(1 for path, _ in proxy.requests if urlparse(path).path == USER_PATH)


@pytest.mark.parametrize(
    ("status", "code"), [(503, "x_unreachable"), (429, "x_rate_limited")], ids=["x-503", "x-429"]
)
def test_x_down_through_every_retry_scores_the_other_sources_and_records_x_not_analysed(
    stack: Any,
    partner: Any,
    intercepted: _XProxy,
    exports: dict[str, Path],
    x_token: None,
    quick_retries: list[float],
    status: int,
    code: str,
) -> None:
    intercepted.always = status
    created, state = _linkedin_and_x(partner, exports)
    application_id = created["application_id"]
    assert state["status"] == "scored", state
    sources = {s["platform"]: s for s in state["sources"]}
    assert {p: s["status"] for p, s in sources.items()} == {"linkedin": "parsed", "x": "unavailable"}
    assert sources["x"]["reason_code"] == code
    # Every try the ASL allows asked X (the long waits between them shortened here), then X was left alone.
    assert _user_lookups(intercepted) == X_TRIES
    assert len(quick_retries) >= X_TRIES - 1
    assert "IngestWithoutX" in _states_entered(stack, application_id)
    # The score and its sources say so; the LinkedIn evidence is scored.
    result = partner.result(application_id)["result"]
    result_sources = {s["platform"]: s for s in result["sources"]}
    assert (result_sources["x"]["status"], result_sources["x"]["reason_code"]) == ("unavailable", code)
    assert result_sources["linkedin"]["status"] == "parsed"
    features = {f["feature"]: f for f in result["breakdown"]}
    assert features["connections"]["has_evidence"]
    # The applicant's page gives the reason in plain words.
    mine = {s["platform"]: s for s in _applicant_view(stack, created)["sources"]}
    assert mine["x"]["reason"] == texts.source_reason(code)
    assert "analysed" in mine["x"]["reason"]
    assert_no_raw_data_left(stack, application_id)  # scored: purged as usual, nothing else lost on the way
    _raw_aws_error_free(result)


def test_x_recovering_on_a_retry_is_analysed(
    stack: Any,
    partner: Any,
    intercepted: _XProxy,
    exports: dict[str, Path],
    x_token: None,
    quick_retries: list[float],
) -> None:
    intercepted.failures[:] = [503, 429]  # the first two tries meet X down, the third finds it back
    created, state = _linkedin_and_x(partner, exports)
    assert state["status"] == "scored", state
    assert {s["platform"]: s["status"] for s in state["sources"]} == {"linkedin": "parsed", "x": "parsed"}
    assert _user_lookups(intercepted) == 3
    states = _states_entered(stack, created["application_id"])
    assert "IngestWithoutX" not in states
    text = json.dumps(partner.result(created["application_id"]))
    assert "x:api:users/by/username" in text, text


def test_x_down_when_it_is_the_only_source_fails_the_application_saying_why(
    stack: Any, partner: Any, intercepted: _XProxy, x_token: None, quick_retries: list[float]
) -> None:
    """Nothing else to score: the application fails (no usable source) with the X source's reason, as a bad
    upload would; there is no upload to lose."""
    intercepted.always = 503
    created = partner.create_application({}, x_handle="asharao")
    state = partner.wait(created["application_id"])
    assert state["status"] == "failed", state
    (x_source,) = state["sources"]
    assert (x_source["status"], x_source["reason_code"]) == ("unavailable", "x_unreachable")
    assert state["error"]["code"] == "NoUsableSource", state["error"]
    assert "X could not be reached" in state["error"]["message"]
    assert _user_lookups(intercepted) == X_TRIES
    mine = _applicant_view(stack, created)
    assert mine["error"]["code"] == "no_usable_source"
    assert mine["sources"][0]["reason"] == texts.source_reason("x_unreachable")
    _raw_aws_error_free(state)
