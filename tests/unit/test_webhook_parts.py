"""Webhooks without the stack: signatures (server signs, the client verifies), SSRF refusals, backoff, which stream
records become events, and the registration store against moto (secrets encrypted, rotation overlap)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer

from credscore_aws.dal import webhook_store
from credscore_aws.logic import webhooks
from credscore_client import SignatureError, parse_event, verify_signature
from credscore_client.signatures import check_signature
from tests.fake_aws import fake_aws
from tests.moto_tables import create_applications_table

BODY = (
    b'{"application_id":"a","id":"evt_1","occurred_at":1,"reference":null,"status":"scored",'
    b'"type":"application.scored"}'
)


# ---------------------------------------------------------------------------------------------- signatures
def test_a_signature_made_by_the_service_verifies_with_the_client_helper() -> None:
    now = int(time.time())
    header = webhooks.signature_header(["whsec_a"], now, BODY)
    assert header.startswith(f"t={now},v1=")
    assert verify_signature("whsec_a", BODY, header)
    assert parse_event("whsec_a", BODY, header).type == "application.scored"


@pytest.mark.parametrize(
    ("secret", "body", "age", "problem"),
    [
        ("whsec_b", BODY, 0, "no signature matches"),
        ("whsec_a", BODY.replace(b"scored", b"failed"), 0, "no signature matches"),
        ("whsec_a", BODY, 301, "replay window"),
        ("whsec_a", BODY, -301, "replay window"),
    ],
)
def test_wrong_secret_changed_body_and_stale_or_future_timestamps_are_refused(
    secret: str, body: bytes, age: int, problem: str
) -> None:
    now = int(time.time())
    header = webhooks.signature_header(["whsec_a"], now - age, BODY)
    assert not verify_signature(secret, body, header, now=now)
    with pytest.raises(SignatureError, match=problem):
        check_signature(secret, body, header, now=now)


def test_inside_the_window_passes_and_the_timestamp_is_signed_too() -> None:
    now = int(time.time())
    header = webhooks.signature_header(["whsec_a"], now - 299, BODY)
    assert verify_signature("whsec_a", BODY, header, now=now)
    forged = header.replace(f"t={now - 299}", f"t={now}")
    assert not verify_signature("whsec_a", BODY, forged, now=now)


def test_during_the_overlap_either_secret_verifies() -> None:
    header = webhooks.signature_header(["whsec_new", "whsec_old"], int(time.time()), BODY)
    assert header.count("v1=") == 2
    assert verify_signature("whsec_new", BODY, header)
    assert verify_signature("whsec_old", BODY, header)
    assert verify_signature(["whsec_x", "whsec_old"], BODY, header)
    assert not verify_signature("whsec_x", BODY, header)


@pytest.mark.parametrize("header", ["", "v1=abc", "t=12", "t=abc,v1=00", "t=²,v1=00", "t=٣,v1=00", "garbage"])
def test_malformed_headers_are_refused(header: str) -> None:
    assert not verify_signature("whsec_a", BODY, header)


# ---------------------------------------------------------------------------------------------- SSRF
def _resolver(*addresses: str) -> Any:
    return lambda host: list(addresses)


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("https://hooks.example/x", ["127.0.0.1"]),
        ("https://hooks.example/x", ["10.0.0.5"]),
        ("https://hooks.example/x", ["192.168.1.1"]),
        ("https://hooks.example/x", ["169.254.169.254"]),  # instance metadata
        ("https://hooks.example/x", ["fd00::1"]),
        ("https://hooks.example/x", ["::1"]),
        ("https://hooks.example/x", ["93.184.216.34", "10.1.1.1"]),  # one private answer is enough
        ("http://hooks.example/x", ["93.184.216.34"]),  # not https
        ("ftp://hooks.example/x", ["93.184.216.34"]),
        ("https://user:pw@hooks.example/x", ["93.184.216.34"]),
        ("https:///x", ["93.184.216.34"]),
    ],
)
def test_unsafe_urls_are_refused_in_aws(url: str, addresses: list[str]) -> None:
    with pytest.raises(webhooks.UnsafeUrl):
        webhooks.check_url(url, loopback_ok=False, resolve=_resolver(*addresses))


@pytest.mark.parametrize(
    "url", ["https://" + "a" * 70 + ".example/x", "https://hooks.example:99999/x", "https://[::1/x"]
)
def test_unreadable_urls_are_refused_not_crashed_on(url: str) -> None:
    with pytest.raises(webhooks.UnsafeUrl):
        webhooks.check_url(url, loopback_ok=False)


def test_a_public_https_url_is_accepted() -> None:
    webhooks.check_url("https://hooks.example/x", loopback_ok=False, resolve=_resolver("93.184.216.34"))


def test_the_local_setting_allows_http_to_loopback_only() -> None:
    webhooks.check_url("http://127.0.0.1:8080/x", loopback_ok=True, resolve=_resolver("127.0.0.1"))
    with pytest.raises(webhooks.UnsafeUrl):
        webhooks.check_url("http://127.0.0.1:8080/x", loopback_ok=False, resolve=_resolver("127.0.0.1"))
    with pytest.raises(webhooks.UnsafeUrl):
        webhooks.check_url("http://hooks.example/x", loopback_ok=True, resolve=_resolver("93.184.216.34"))
    with pytest.raises(webhooks.UnsafeUrl):
        webhooks.check_url("https://hooks.example/x", loopback_ok=True, resolve=_resolver("10.0.0.1"))


def test_backoff_doubles_and_is_capped_at_an_hour() -> None:
    assert [webhooks.backoff_seconds(n, 30) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhooks.backoff_seconds(20, 30) == 3600


# ---------------------------------------------------------------------------------------------- stream records
def _record(event_name: str, new: dict[str, Any] | None) -> dict[str, Any]:
    """A stream record as the table's stream (new images only) delivers it."""
    ser = TypeSerializer()
    body: dict[str, Any] = {"StreamViewType": "NEW_IMAGE"}
    if new is not None:
        body["NewImage"] = {k: ser.serialize(v) for k, v in new.items()}
    return {"eventName": event_name, "dynamodb": body}


def _meta(status: str, **extra: Any) -> dict[str, Any]:
    """The META item as the write that set `status` left it (`status_at` is that write's `updated_at`)."""
    moment = extra.get("updated_at", 1700000000)
    return {
        "pk": "APP#" + "a" * 32,
        "sk": "META",
        "application_id": "a" * 32,
        "partner_id": "p1",
        "status": status,
        "status_at": moment,
        "updated_at": moment,
        "reference": "loan-1",
        "consent": {"purpose": "secret purpose"},
        **extra,
    }


def _tombstone(moment: int) -> dict[str, Any]:
    """The META item an erasure leaves (`ApplicationRepository.erase`): no reference, no personal data."""
    return {
        "pk": "APP#" + "a" * 32,
        "sk": "META",
        "application_id": "a" * 32,
        "partner_id": "p1",
        "status": "erased",
        "status_at": moment,
        "updated_at": moment,
        "erased_at": moment,
    }


def test_a_move_into_scored_becomes_an_event_without_personal_data() -> None:
    found = webhooks.transition_event(_record("MODIFY", _meta("scored")))
    assert found is not None
    partner, event = found
    assert partner == "p1"
    # Neither the reference nor the consent of the image: the delivery reads the reference when it sends.
    assert set(event) == {"id", "type", "application_id", "status", "occurred_at"}
    assert event["type"] == "application.scored"
    assert event["status"] == "scored"
    assert event["occurred_at"] == 1700000000
    # the same transition redelivered has the same id (receivers dedupe); another moment another id
    again = webhooks.transition_event(_record("MODIFY", _meta("scored")))
    assert again is not None
    assert again[1]["id"] == event["id"]
    later = webhooks.transition_event(_record("MODIFY", _meta("scored", updated_at=1700000001)))
    assert later is not None
    assert later[1]["id"] != event["id"]


def test_the_event_names_the_application_and_its_id_is_stable_per_transition() -> None:
    def event(**extra: Any) -> dict[str, Any]:
        found = webhooks.transition_event(_record("MODIFY", _meta(extra.pop("status", "scored"), **extra)))
        assert found is not None
        return found[1]

    first = event()
    assert first["application_id"] == "a" * 32
    assert re.fullmatch(r"evt_[0-9a-f]{32}", first["id"])
    # another application, another status or another moment: another id
    others = [
        event(application_id="b" * 32, pk="APP#" + "b" * 32),
        event(status="failed"),
        event(updated_at=1700000001),
    ]
    assert len({first["id"], *(other["id"] for other in others)}) == 4
    assert others[0]["application_id"] == "b" * 32


def test_the_erasures_tombstone_is_dated_by_the_erasure() -> None:
    found = webhooks.transition_event(_record("MODIFY", _tombstone(1700000500)))
    assert found is not None
    assert (found[1]["type"], found[1]["occurred_at"]) == ("application.erased", 1700000500)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (_record("MODIFY", _meta("failed")), "application.failed"),
        (_record("INSERT", _meta("erased")), "application.erased"),
        # a later write of a finished application: a rescore, an applicant link, a consent
        (_record("MODIFY", {**_meta("scored"), "updated_at": 1700000100}), None),
        (
            _record("MODIFY", {k: v for k, v in _meta("scored").items() if k != "status_at"}),
            None,
        ),  # no status_at
        (_record("MODIFY", _meta("processing")), None),
        (_record("REMOVE", None), None),
        (_record("MODIFY", {**_meta("scored"), "sk": "RESULT"}), None),
        (_record("INSERT", {**_meta("scored"), "pk": "WEBHOOK#p1"}), None),
    ],
)
def test_only_moves_of_an_application_into_a_final_status_count(
    record: dict[str, Any], expected: str | None
) -> None:
    found = webhooks.transition_event(record)
    assert (found[1]["type"] if found else None) == expected


# ---------------------------------------------------------------------------------------------- the store
@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[webhook_store.WebhookStore]:
    with fake_aws(monkeypatch):
        table = create_applications_table()
        kms = boto3.client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        yield webhook_store.WebhookStore(table=table, kms=kms, key_id=key)


def test_the_secret_is_shown_once_and_stored_encrypted(store: webhook_store.WebhookStore) -> None:
    _registration, secret = store.put("p1", "https://a.example/h", now=100)
    assert secret is not None
    assert secret.startswith("whsec_")
    item = store.table.get_item(Key={"pk": "WEBHOOK#p1", "sk": "META"})["Item"]
    assert secret not in json.dumps(item, default=str)
    changed, again = store.put("p1", "https://b.example/h", now=200)
    assert again is None
    assert changed.url == "https://b.example/h"
    assert changed.created_at == 100
    assert store.signing_secrets("p1", now=200) == ("https://b.example/h", [secret])


def test_a_secret_does_not_decrypt_for_another_partner(store: webhook_store.WebhookStore) -> None:
    store.put("p1", "https://a.example/h")
    store.put("p2", "https://b.example/h")
    stolen = store.table.get_item(Key={"pk": "WEBHOOK#p1", "sk": "META"})["Item"]["secret"]
    store.table.update_item(
        Key={"pk": "WEBHOOK#p2", "sk": "META"},
        UpdateExpression="SET secret = :s",
        ExpressionAttributeValues={":s": stolen},
    )
    with pytest.raises(Exception, match=r"InvalidCiphertext|AccessDenied|context"):
        store.signing_secrets("p2")


def test_rotation_keeps_the_old_secret_signing_for_the_overlap_only(
    store: webhook_store.WebhookStore,
) -> None:
    _, old = store.put("p1", "https://a.example/h", now=100)
    registration, new = store.rotate("p1", overlap_seconds=50, now=1000)
    assert new != old
    assert registration.previous_secret_valid_until == 1050
    assert store.signing_secrets("p1", now=1049) == ("https://a.example/h", [new, old])
    assert store.signing_secrets("p1", now=1050) == ("https://a.example/h", [new])


def _next_read_answers(
    store: webhook_store.WebhookStore, monkeypatch: pytest.MonkeyPatch, item: dict[str, Any] | None
) -> None:
    """The store's next read of a registration answers `item` (what it read before another request's write)."""
    real = store._item
    answers = [item]
    monkeypatch.setattr(store, "_item", lambda p: answers.pop(0) if answers else real(p))


def test_of_two_rotations_at_once_one_wins_and_the_other_changes_nothing(
    store: webhook_store.WebhookStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It was a 500 (the conditional write's failure unhandled); rotating again instead would end the secret both
    # replaced before its overlap, while the partner's receiver may still verify with it.
    _, original = store.put("p1", "https://a.example/h", now=100)
    read_by_both = store._item("p1")
    _, winner = store.rotate("p1", overlap_seconds=50, now=1000)
    _next_read_answers(store, monkeypatch, read_by_both)
    with pytest.raises(webhook_store.SecretRotatedConcurrently):
        store.rotate("p1", overlap_seconds=50, now=1000)
    assert store.signing_secrets("p1", now=1049) == ("https://a.example/h", [winner, original])


def test_a_rotation_or_url_change_racing_a_deletion_is_not_a_500(
    store: webhook_store.WebhookStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.put("p1", "https://a.example/h", now=100)
    read = store._item("p1")
    store.delete("p1")
    _next_read_answers(store, monkeypatch, read)
    with pytest.raises(webhook_store.WebhookNotFound):
        store.rotate("p1", overlap_seconds=50, now=1000)
    store.put("p1", "https://a.example/h", now=100)
    read = store._item("p1")
    store.delete("p1")
    _next_read_answers(store, monkeypatch, read)
    registration, secret = store.put("p1", "https://b.example/h", now=200)
    assert (registration.url, secret is not None) == ("https://b.example/h", True), "registered anew"
    assert store.signing_secrets("p1") == ("https://b.example/h", [secret])


def test_the_log_is_read_newest_first_without_reading_the_partners_whole_log(
    store: webhook_store.WebhookStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The log was keyed by event id (a hash): every call read the partner's whole 30 days and sorted them, so
    # limit=1 over 3,000 deliveries read 3,000 items.
    for i in range(300):
        event = {"id": f"evt_{i:03d}", "type": "application.scored", "application_id": "a" * 32}
        assert store.log_delivery("p1", event, 1_000 + i) is not None
    store.log_delivery("p2", {"id": "evt_x", "type": "application.failed", "application_id": "b" * 32}, 5_000)
    store.record_attempt("p1", "DELIVERY#evt_299", 2, 500, "server error", "retrying")
    read: list[int] = []
    query = store.table.query

    def counted(**kwargs: Any) -> Any:
        answer = query(**kwargs)
        read.append(len(answer.get("Items", [])))
        return answer

    monkeypatch.setattr(store.table, "query", counted)
    newest = store.deliveries("p1", 3)
    assert [d.event_id for d in newest] == ["evt_299", "evt_298", "evt_297"]
    assert (newest[0].attempts, newest[0].last_status_code, newest[0].state) == (2, 500, "retrying")
    assert read == [3], "three index entries read, not the partner's 300"
    assert [d.event_id for d in store.deliveries("p2", 50)] == ["evt_x"], "each partner reads its own log"


def test_a_delivery_is_logged_once_and_deleting_the_registration_stops_signing(
    store: webhook_store.WebhookStore,
) -> None:
    store.put("p1", "https://a.example/h")
    event = {"id": "evt_1", "type": "application.scored", "application_id": "a" * 32}
    assert store.log_delivery("p1", event, 10) == "DELIVERY#evt_1"
    assert store.log_delivery("p1", event, 11) is None
    store.delete("p1")
    assert store.signing_secrets("p1") is None
    with pytest.raises(webhook_store.WebhookNotFound):
        store.get("p1")


# ---------------------------------------------------------------------------------------------- delivery decisions
class _FakeSqs:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.visibility: list[int] = []

    def send_message(self, QueueUrl: str, MessageBody: str, **_: Any) -> None:
        self.sent.append((QueueUrl, json.loads(MessageBody)))

    def change_message_visibility(self, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int) -> None:
        self.visibility.append(VisibilityTimeout)


class _FakeStore:
    def __init__(self) -> None:
        self.attempts: list[tuple[int, int | None, str | None, str]] = []

    def signing_secrets(self, partner_id: str) -> tuple[str, list[str]]:
        return "https://hooks.example/h", ["whsec_a"]

    def record_attempt(
        self, partner_id: str, sk: str, attempts: int, status: int | None, error: str | None, state: str
    ) -> None:
        self.attempts.append((attempts, status, error, state))

    def application_reference(self, application_id: str) -> str | None:
        return None


SETTINGS = webhooks.DeliverySettings(
    budget_seconds=86400, backoff_base_seconds=30, timeout_seconds=1, queue_url="Q", dead_letter_url="DLQ"
)


def _sqs_record(queued_at: int | None, receive_count: int) -> dict[str, Any]:
    message: dict[str, Any] = {"partner_id": "p1", "log_sk": "DELIVERY#evt_1", "event": json.loads(BODY)}
    if queued_at is not None:
        message["queued_at"] = queued_at
    return {
        "messageId": "m1",
        "receiptHandle": "r1",
        "body": json.dumps(message),
        "attributes": {"ApproximateReceiveCount": str(receive_count)},
    }


def test_a_failed_attempt_inside_the_day_backs_off_and_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "post_event", lambda *a: (503, "http_503"))
    sqs, store = _FakeSqs(), _FakeStore()
    retry = webhooks.deliver([_sqs_record(int(time.time()) - 600, 3)], store, sqs, SETTINGS)  # type: ignore[arg-type]
    assert retry == ["m1"]
    assert sqs.visibility == [120]
    assert sqs.sent == []
    assert store.attempts == [(3, 503, "http_503", "retrying")]


def test_past_the_day_the_event_is_parked_without_its_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "post_event", lambda *a: (None, "timeout"))
    sqs, store = _FakeSqs(), _FakeStore()
    retry = webhooks.deliver([_sqs_record(int(time.time()) - 86000, 30)], store, sqs, SETTINGS)  # type: ignore[arg-type]
    assert retry == []
    ((queue, parked),) = sqs.sent
    assert queue == "DLQ"
    assert "queued_at" not in parked
    assert parked["event"]["id"] == "evt_1"
    assert store.attempts == [(30, None, "timeout", "parked")]


def test_a_replayed_event_is_queued_again_with_a_new_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "post_event", lambda *a: pytest.fail("no POST before it is queued again"))
    sqs, store = _FakeSqs(), _FakeStore()
    assert webhooks.deliver([_sqs_record(None, 1)], store, sqs, SETTINGS) == []  # type: ignore[arg-type]
    ((queue, again),) = sqs.sent
    assert queue == "Q"
    assert abs(again["queued_at"] - time.time()) < 5


def _numbered(n: int) -> list[dict[str, Any]]:
    return [{**_sqs_record(int(time.time()), 1), "messageId": f"m{i}"} for i in range(n)]


def test_no_post_starts_unless_the_time_left_covers_its_slowest_and_the_rest_go_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Five slow receivers (10 s connect + 10 s read each) passed the 30 s timeout: the whole batch failed and the
    # events already delivered were delivered again.
    posted: list[bytes] = []
    monkeypatch.setattr(
        webhooks, "post_event", lambda url, secrets, body, timeout: (posted.append(body), (204, None))[1]
    )
    left = iter(
        [30.0, 10.0, 4.9, 100.0, 100.0]
    )  # seconds left before each message; 2 × 1 s timeout + 3 s margin
    store = _FakeStore()
    retry = webhooks.deliver(_numbered(5), store, _FakeSqs(), SETTINGS, time_left=lambda: next(left))  # type: ignore[arg-type]
    assert retry == ["m2", "m3", "m4"], "from the first that could not finish, all go back untouched"
    assert len(posted) == 2
    assert [a[3] for a in store.attempts] == ["delivered", "delivered"]


def test_one_messages_error_returns_that_message_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "post_event", lambda *a: (204, None))

    class Flaky(_FakeStore):
        calls = 0

        def signing_secrets(self, partner_id: str) -> tuple[str, list[str]]:
            self.calls += 1
            if self.calls == 2:
                raise RuntimeError("KMS.ThrottlingException")
            return super().signing_secrets(partner_id)

    store = Flaky()
    assert webhooks.deliver(_numbered(3), store, _FakeSqs(), SETTINGS) == ["m1"]  # type: ignore[arg-type]
    assert [a[3] for a in store.attempts] == ["delivered", "delivered"]


def test_a_success_is_logged_delivered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "post_event", lambda *a: (204, None))
    sqs, store = _FakeSqs(), _FakeStore()
    assert webhooks.deliver([_sqs_record(int(time.time()), 1)], store, sqs, SETTINGS) == []  # type: ignore[arg-type]
    assert store.attempts == [(1, 204, None, "delivered")]
    assert sqs.sent == []


# ---------------------------------------------------------------------------------------------- erasure meanwhile
def _put_application(store: webhook_store.WebhookStore, status: str) -> None:
    store.table.put_item(Item={k: v for k, v in _meta(status).items() if k != "consent"})


def _erase(store: webhook_store.WebhookStore) -> None:
    """What `ApplicationRepository.erase` leaves: a tombstone without the reference (the purge follows)."""
    store.table.put_item(Item=_tombstone(1700000100))


def _delivered(
    store: webhook_store.WebhookStore, monkeypatch: pytest.MonkeyPatch, message: dict[str, Any]
) -> dict[str, Any]:
    posted: list[bytes] = []
    monkeypatch.setattr(
        webhooks, "post_event", lambda url, secrets, body, timeout: (posted.append(body), (204, None))[1]
    )
    record = {"messageId": "m1", "receiptHandle": "r1", "body": json.dumps(message), "attributes": {}}
    assert webhooks.deliver([record], store, _FakeSqs(), SETTINGS) == []
    (body,) = posted
    return dict(json.loads(body))


def test_an_event_queued_before_an_erasure_and_delivered_after_it_no_longer_names_the_reference(
    store: webhook_store.WebhookStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue (two days) and the dead-letter queue (14 days, replayable) hold no reference: the delivery reads
    it from the application as it is then, and once erased (the tombstone keeps none) the event carries none."""
    store.put("p1", "https://hooks.example/h")
    _put_application(store, "scored")
    sqs = _FakeSqs()
    assert webhooks.dispatch([_record("MODIFY", _meta("scored"))], store, sqs, "Q") == 1
    ((_, queued),) = sqs.sent
    assert "reference" not in queued["event"], "the queued message holds no reference"

    assert _delivered(store, monkeypatch, queued)["reference"] == "loan-1", "live: the event names it"
    _erase(store)
    late = _delivered(store, monkeypatch, queued)
    assert late["reference"] is None
    assert {k: v for k, v in late.items() if k != "reference"} == {
        k: v for k, v in queued["event"].items() if k != "reference"
    }, "the same event otherwise: its id, type and status"
    # A message an older deploy queued with the reference in it, or parked and replayed, is read the same way.
    older = {**queued, "event": {**queued["event"], "reference": "loan-1"}}
    assert _delivered(store, monkeypatch, older)["reference"] is None


def test_an_event_whose_send_failed_is_sent_when_the_stream_batch_is_retried_and_only_then(
    store: webhook_store.WebhookStore,
) -> None:
    # The log entry was written before the send: the retried batch found it, took the event for a duplicate and
    # never queued it; the delivery stayed pending for good.
    store.put("p1", "https://hooks.example/h")
    _put_application(store, "scored")
    record = _record("MODIFY", _meta("scored"))

    class Down(_FakeSqs):
        def send_message(self, QueueUrl: str, MessageBody: str, **_: Any) -> None:
            raise RuntimeError("KMS.ThrottlingException")

    with pytest.raises(RuntimeError):
        webhooks.dispatch([record], store, Down(), "Q")
    sqs = _FakeSqs()
    assert webhooks.dispatch([record], store, sqs, "Q") == 1, "the retry sends it"
    assert webhooks.dispatch([record], store, sqs, "Q") == 0, "a duplicate of a queued one is not sent again"
    assert len(sqs.sent) == 1
