"""Webhooks on the local stack, end to end: applications table stream → dispatcher → SQS → deliverer → a receiver
on loopback. A good receiver verifies every signature with the client's helper; a failing one (500s, or too slow)
sees retries with backoff until the (shortened) retry budget is spent and the event is parked in the dead-letter
queue; the partner's delivery log shows each case. Partners use the typed client (`credscore_client`)."""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from credscore_client import (
    SIGNATURE_HEADER,
    ApiError,
    CredscoreClient,
    WebhookDelivery,
    parse_event,
    upload,
    verify_signature,
)
from tests.stack_items import set_status

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
# A day in AWS. The budget runs from the dispatch, so the stream and queue lag before the first attempt (several
# seconds on a loaded host) is in it: 20 s leaves room for three attempts (1 s and 2 s backoffs, 1 s timeouts)
# behind up to ~15 s of lag.
BUDGET_SECONDS = 20
TIMEOUT_SECONDS = 1  # 10 s in AWS


@dataclass
class Receiver:
    """Records every POST per path; /good/… answers 200, /fail/… 500, /slow/… sleeps past the deliverer's
    timeout. Each partner gets its own path."""

    received: dict[str, list[tuple[dict[str, str], bytes, float]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def posts(self, path: str) -> list[tuple[dict[str, str], bytes, float]]:
        with self.lock:
            return list(self.received.get(path, []))


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            path = self.path.strip("/")
            behaviour = path.split("/")[0]
            with state.lock:
                state.received.setdefault(path, []).append((dict(self.headers), body, time.time()))
            if behaviour == "slow":
                time.sleep(TIMEOUT_SECONDS + 1.5)
            self.send_response(200 if behaviour == "good" else 500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from credscore_local.stack import LocalStack

    overrides = {
        "WebhookRetryBudgetSeconds": BUDGET_SECONDS,
        "WebhookBackoffBaseSeconds": 1,
        "WebhookTimeoutSeconds": TIMEOUT_SECONDS,
    }
    with LocalStack(parameter_overrides=overrides, log_dir=tmp_path_factory.mktemp("logs")) as running:
        yield running


def _partner(stack: Any, name: str) -> CredscoreClient:
    from credscore_local.partners import register_partner

    key = secrets.token_urlsafe(24)
    register_partner(stack, name, name, key)
    return CredscoreClient(stack.api_url, key)


def _until(check: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _delivery(client: CredscoreClient, application_id: str, states: set[str]) -> WebhookDelivery | None:
    for delivery in client.webhook_deliveries().deliveries:
        if delivery.application_id == application_id and delivery.state in states:
            return delivery
    return None


def _collecting(client: CredscoreClient, reference: str) -> str:
    return client.create({"linkedin": 1}, reference=reference).application_id


def test_registration_shows_the_secret_once_and_refuses_unsafe_urls(stack: Any, receiver: Receiver) -> None:
    client = _partner(stack, "wh-register")
    with pytest.raises(ApiError) as missing:
        client.webhook()
    assert missing.value.status == 404
    created = client.register_webhook(receiver.url("good/wh-register"))
    assert created.secret
    assert created.secret.startswith("whsec_")
    shown = client.webhook()
    assert shown.url == receiver.url("good/wh-register")
    assert shown.state == "active"
    assert "secret" not in shown.model_dump()
    changed = client.register_webhook(receiver.url("good/wh-register") + "/v2")
    assert changed.secret is None
    assert changed.url.endswith("/v2")
    for unsafe in ("http://169.254.169.254/latest/meta-data", "https://10.0.0.1/h", "file:///etc/passwd"):
        with pytest.raises(ApiError) as refused:
            client.register_webhook(unsafe)
        assert refused.value.status == 422, unsafe
    assert client.webhook().url.endswith("/v2")
    client.delete_webhook()
    with pytest.raises(ApiError) as gone:
        client.webhook()
    assert gone.value.status == 404


def test_erased_and_failed_are_delivered_signed_and_logged(stack: Any, receiver: Receiver) -> None:
    client = _partner(stack, "wh-good")
    secret = client.register_webhook(receiver.url("good/wh-good")).secret
    assert secret
    erased = _collecting(client, "loan-erase")
    client.erase(erased)
    failed = _collecting(client, "loan-fail")
    # The runbook's case: an execution that timed out while processing (its claim made the application so) …
    set_status(stack, failed, "processing")
    # … then the pipeline's failure recorder, invoked as the runbook does: a real move into `failed`.
    stack.invoke(
        "RecordFailureFunction",
        {
            "application_id": failed,
            "error": {"Error": "States.Timeout", "Cause": "the pipeline did not finish"},
        },
    )

    def events() -> dict[str, Any]:
        found = {}
        for headers, body, _ in receiver.posts("good/wh-good"):
            assert verify_signature(secret, body, headers[SIGNATURE_HEADER]), "every delivery verifies"
            event = parse_event(secret, body, headers[SIGNATURE_HEADER])
            assert headers["Credscore-Event-Id"] == event.id
            found[event.application_id] = (event, body)
        return found if {erased, failed} <= set(found) else {}

    received = _until(events, what="both events")
    erased_event, erased_body = received[erased]
    assert erased_event.type == "application.erased"
    assert erased_event.status == "erased"
    failed_event, failed_body = received[failed]
    assert failed_event.type == "application.failed"
    assert failed_event.reference == "loan-fail"
    # no personal data: exactly these fields
    assert set(json.loads(failed_body)) == {
        "id",
        "type",
        "application_id",
        "reference",
        "status",
        "occurred_at",
    }
    # a signature by another secret, or for another body, does not verify
    headers = receiver.posts("good/wh-good")[0][0]
    assert not verify_signature("whsec_wrong", erased_body, headers[SIGNATURE_HEADER])
    delivered = _until(lambda: _delivery(client, failed, {"delivered"}), what="the log entry")
    assert delivered.attempts == 1
    assert delivered.last_status_code == 200
    assert delivered.type == "application.failed"
    assert client.get(failed).status == "failed"


def test_a_scored_application_is_delivered(stack: Any, receiver: Receiver) -> None:
    client = _partner(stack, "wh-scored")
    secret = client.register_webhook(receiver.url("good/wh-scored")).secret
    assert secret
    created = client.create({"linkedin": 1}, reference="loan-scored")
    upload(created.uploads[0], SAMPLES / "linkedin.zip")
    assert client.wait(created.application_id, timeout=240).status == "scored"
    delivered = _until(lambda: _delivery(client, created.application_id, {"delivered"}), what="scored event")
    assert delivered.type == "application.scored"
    bodies = [parse_event(secret, b, h[SIGNATURE_HEADER]) for h, b, _ in receiver.posts("good/wh-scored")]
    assert [e.status for e in bodies if e.application_id == created.application_id] == ["scored"]
    assert client.result(created.application_id).normalised_score is not None


def test_after_a_rotation_old_and_new_secrets_both_verify(stack: Any, receiver: Receiver) -> None:
    client = _partner(stack, "wh-rotate")
    old = client.register_webhook(receiver.url("good/wh-rotate")).secret
    rotated = client.rotate_webhook_secret()
    assert rotated.secret
    assert old
    assert rotated.secret != old
    assert rotated.previous_secret_valid_until is not None
    assert rotated.previous_secret_valid_until - int(time.time()) in range(24 * 3600 - 60, 24 * 3600 + 1)
    application = _collecting(client, "loan-rotate")
    client.erase(application)

    def post() -> Any:
        for headers, body, _ in receiver.posts("good/wh-rotate"):
            if json.loads(body)["application_id"] == application:
                return headers, body
        return None

    headers, body = _until(post, what="the delivery after rotation")
    assert headers[SIGNATURE_HEADER].count("v1=") == 2
    assert verify_signature(rotated.secret, body, headers[SIGNATURE_HEADER])
    assert verify_signature(old, body, headers[SIGNATURE_HEADER])


@pytest.mark.parametrize(("path", "error"), [("fail", "http_500"), ("slow", "timeout")])
def test_a_failing_receiver_gets_retries_with_backoff_then_the_event_is_parked(
    stack: Any, receiver: Receiver, path: str, error: str
) -> None:
    client = _partner(stack, f"wh-{path}")
    client.register_webhook(receiver.url(f"{path}/1"))
    application = _collecting(client, f"loan-{path}")
    client.erase(application)
    parked = _until(
        lambda: _delivery(client, application, {"parked"}), timeout=BUDGET_SECONDS + 60, what="parking"
    )
    assert parked.last_error == error
    assert parked.last_status_code == (500 if path == "fail" else None)
    attempts = [
        t for _, body, t in receiver.posts(f"{path}/1") if json.loads(body)["application_id"] == application
    ]
    assert parked.attempts == len(attempts) >= 3
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    # 1 s, then 2 s, each plus the slow receiver's wait and the host's delays: the second gap is the longer one.
    assert gaps[1] > gaps[0], f"backoff grows: {gaps}"
    assert attempts[-1] - attempts[0] <= BUDGET_SECONDS
    # parked in the dead-letter queue, which the alarm watches; no more attempts follow
    sqs = stack.client("sqs")
    dlq = stack.deployed.refs["WebhookDeadLetterQueue"]
    messages = _until(
        lambda: [
            m
            for m in sqs.receive_message(
                QueueUrl=dlq, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=0
            ).get("Messages", [])
            if json.loads(m["Body"])["event"]["application_id"] == application
        ],
        what="the parked message",
    )
    assert messages[0]["MessageAttributes"]["ERROR_CODE"]["StringValue"] == error
    time.sleep(2)
    assert len(
        [b for _, b, _ in receiver.posts(f"{path}/1") if json.loads(b)["application_id"] == application]
    ) == len(attempts)
    alarm = stack.client("cloudwatch").describe_alarms(
        AlarmNamePrefix="credscore-dev-webhook-deliveries-parked"
    )
    assert alarm["MetricAlarms"][0]["Dimensions"][0]["Value"] == dlq.rsplit("/", 1)[-1]


def test_a_partner_sees_only_its_own_deliveries_and_none_without_a_webhook(
    stack: Any, receiver: Receiver
) -> None:
    watcher = _partner(stack, "wh-own")
    watcher.register_webhook(receiver.url("good/wh-own"))
    silent = _partner(stack, "wh-silent")
    mine = _collecting(watcher, "loan-own")
    theirs = _collecting(silent, "loan-silent")
    watcher.erase(mine)
    silent.erase(theirs)
    _until(lambda: _delivery(watcher, mine, {"delivered"}), what="own delivery")
    assert all(d.application_id != theirs for d in watcher.webhook_deliveries().deliveries)
    assert silent.webhook_deliveries().deliveries == []
    posted = {json.loads(b)["application_id"] for _, b, _ in receiver.posts("good/wh-own")}
    assert theirs not in posted
