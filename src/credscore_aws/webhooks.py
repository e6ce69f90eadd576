"""Partner webhooks: registration, signing, dispatch of status changes and delivery with retries.

Decoupled from the pipeline: a DynamoDB Stream on the applications table feeds `dispatch` (status transitions of an
application's META item into scored, failed or erased), which logs each delivery and enqueues it on an SQS queue
(KMS-encrypted); `deliver` POSTs it, signed, and on failure backs off by changing the message's visibility, for at
most `WEBHOOK_RETRY_BUDGET_SECONDS` (a day), then parks it in the dead-letter queue (alarmed).

Items (applications table):
  WEBHOOK#<partner> / META                      url, state, secret(s) encrypted with the data key (KMS)
  WEBHOOK#<partner> / DELIVERY#<ts>#<event id>  event id, type, application id, attempts, last status, state
The event carries no personal data: {id, type, application_id, reference, status, occurred_at}; the partner fetches
the result with its key. Delivery log entries keep no bodies and expire after `DELIVERY_LOG_DAYS`.

Signature: header `Credscore-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`; during the overlap
after a rotation a second `v1=` made with the previous secret follows, so either secret verifies. Receivers should
refuse a `t` more than `REPLAY_WINDOW_SECONDS` (5 minutes) from their clock and dedupe on the event id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
import requests
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from credscore_aws.settings import settings

SIGNATURE_HEADER = "Credscore-Signature"
EVENT_ID_HEADER = "Credscore-Event-Id"
REPLAY_WINDOW_SECONDS = 300
SECRET_OVERLAP_SECONDS = 24 * 3600
DELIVERY_LOG_DAYS = 30
TERMINAL_EVENTS = {
    "scored": "application.scored",
    "failed": "application.failed",
    "erased": "application.erased",
}
MAX_BACKOFF_SECONDS = 3600
META = "META"


class WebhookNotFound(Exception):
    pass


class UnsafeUrl(ValueError):
    """The URL is not HTTPS, or its host resolves to an address a webhook may not reach."""


# ---------------------------------------------------------------------------------------------- signing
def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secrets_in_force: Iterable[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={sign(s, timestamp, body)}" for s in secrets_in_force)])


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# ---------------------------------------------------------------------------------------------- SSRF care
def allow_loopback() -> bool:
    """Local stack only (template parameter WebhookAllowLoopback): http:// to loopback addresses."""
    return settings().webhook_allow_loopback


def check_url(
    url: str,
    *,
    loopback_ok: bool | None = None,
    resolve: Callable[[str], list[str]] | None = None,
) -> None:
    """Refuse what a webhook may not reach: anything but https (http is allowed only to loopback, locally), and
    hosts resolving to private, loopback, link-local, multicast or reserved addresses (cloud metadata included)."""
    loopback_ok = allow_loopback() if loopback_ok is None else loopback_ok
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as exc:
        raise UnsafeUrl("the URL cannot be read") from exc
    if parts.username or parts.password:
        raise UnsafeUrl("credentials in the URL are not accepted")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("the URL has no host")
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not loopback_ok):
        raise UnsafeUrl("the URL must use https")
    try:
        addresses = (resolve or _resolve)(host)
    except (OSError, UnicodeError, ValueError) as exc:  # UnicodeError: a label too long to encode
        raise UnsafeUrl("the host does not resolve") from exc
    if not addresses:
        raise UnsafeUrl("the host does not resolve")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if loopback_ok and ip.is_loopback:
            continue
        if not ip.is_global or ip.is_multicast:
            raise UnsafeUrl("the host resolves to a private, loopback or link-local address")
    if parts.scheme == "http" and not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise UnsafeUrl("the URL must use https")


def _resolve(host: str) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


# ---------------------------------------------------------------------------------------------- storage
def webhook_pk(partner_id: str) -> str:
    return f"WEBHOOK#{partner_id}"


@dataclass
class Registration:
    url: str
    state: str
    created_at: int
    updated_at: int
    secret_rotated_at: int | None
    previous_secret_valid_until: int | None


@dataclass
class WebhookStore:
    """The registration and delivery log of each partner, with secrets encrypted under the data key."""

    table: Any
    kms: Any
    key_id: str

    # secrets are encrypted with the partner id as encryption context: a ciphertext moved to another
    # partner's item does not decrypt
    def _encrypt(self, partner_id: str, secret: str) -> str:
        blob = self.kms.encrypt(
            KeyId=self.key_id,
            Plaintext=secret.encode("utf-8"),
            EncryptionContext={"purpose": "webhook-secret", "partner_id": partner_id},
        )["CiphertextBlob"]
        return base64.b64encode(blob).decode("ascii")

    def _decrypt(self, partner_id: str, ciphertext: str) -> str:
        plain = self.kms.decrypt(
            CiphertextBlob=base64.b64decode(ciphertext),
            EncryptionContext={"purpose": "webhook-secret", "partner_id": partner_id},
        )["Plaintext"]
        return bytes(plain).decode("utf-8")

    def _item(self, partner_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"pk": webhook_pk(partner_id), "sk": META}, ConsistentRead=True).get(
            "Item"
        )
        return dict(item) if item else None

    def get(self, partner_id: str) -> Registration:
        item = self._item(partner_id)
        if item is None:
            raise WebhookNotFound(partner_id)
        return _registration(item)

    def put(self, partner_id: str, url: str, now: int | None = None) -> tuple[Registration, str | None]:
        """Register or change the URL; a new registration returns its secret (shown once), a change keeps it."""
        now = int(time.time()) if now is None else now
        existing = self._item(partner_id)
        if existing is not None:
            self.table.update_item(
                Key={"pk": webhook_pk(partner_id), "sk": META},
                UpdateExpression="SET #u = :u, updated_at = :now, #s = :active",
                ExpressionAttributeNames={"#u": "url", "#s": "state"},
                ExpressionAttributeValues={":u": url, ":now": now, ":active": "active"},
                ConditionExpression="attribute_exists(pk)",
            )
            return self.get(partner_id), None
        secret = new_secret()
        item = {
            "pk": webhook_pk(partner_id),
            "sk": META,
            "partner_id": partner_id,
            "url": url,
            "state": "active",
            "secret": self._encrypt(partner_id, secret),
            "created_at": now,
            "updated_at": now,
        }
        try:
            self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self.put(partner_id, url, now)  # registered concurrently: change its URL instead
        return _registration(item), secret

    def rotate(
        self, partner_id: str, overlap_seconds: int, now: int | None = None
    ) -> tuple[Registration, str]:
        now = int(time.time()) if now is None else now
        item = self._item(partner_id)
        if item is None:
            raise WebhookNotFound(partner_id)
        secret = new_secret()
        self.table.update_item(
            Key={"pk": webhook_pk(partner_id), "sk": META},
            UpdateExpression=(
                "SET secret = :new, previous_secret = :old, previous_secret_valid_until = :until, "
                "secret_rotated_at = :now, updated_at = :now"
            ),
            ExpressionAttributeValues={
                ":new": self._encrypt(partner_id, secret),
                ":old": item["secret"],
                ":until": now + overlap_seconds,
                ":now": now,
                ":expected": item["secret"],
            },
            ConditionExpression="secret = :expected",  # two rotations at once: one wins, the other retries
        )
        return self.get(partner_id), secret

    def delete(self, partner_id: str) -> None:
        if self._item(partner_id) is None:
            raise WebhookNotFound(partner_id)
        self.table.delete_item(Key={"pk": webhook_pk(partner_id), "sk": META})

    def signing_secrets(self, partner_id: str, now: int | None = None) -> tuple[str, list[str]] | None:
        """(url, secrets in force: the current one, then the previous one during its overlap), or None."""
        now = int(time.time()) if now is None else now
        item = self._item(partner_id)
        if item is None or item.get("state") != "active":
            return None
        in_force = [self._decrypt(partner_id, str(item["secret"]))]
        if item.get("previous_secret") and int(item.get("previous_secret_valid_until", 0)) > now:
            in_force.append(self._decrypt(partner_id, str(item["previous_secret"])))
        return str(item["url"]), in_force

    # ------------------------------------------------------------------ delivery log
    def log_delivery(self, partner_id: str, event: Mapping[str, Any], now: int) -> str | None:
        """Record a new delivery; returns its sort key, or None if this event was already logged (a stream
        record delivered twice)."""
        sk = f"DELIVERY#{event['id']}"
        try:
            self.table.put_item(
                Item={
                    "pk": webhook_pk(partner_id),
                    "sk": sk,
                    "event_id": event["id"],
                    "type": event["type"],
                    "application_id": event["application_id"],
                    "created_at": now,
                    "attempts": 0,
                    "state": "pending",
                    "expires_at": now + DELIVERY_LOG_DAYS * 86400,
                },
                ConditionExpression="attribute_not_exists(sk)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return sk

    def record_attempt(
        self, partner_id: str, sk: str, attempts: int, status_code: int | None, error: str | None, state: str
    ) -> None:
        self.table.update_item(
            Key={"pk": webhook_pk(partner_id), "sk": sk},
            UpdateExpression=(
                "SET attempts = :a, last_status_code = :c, last_error = :e, #s = :s, last_attempt_at = :now"
            ),
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues={
                ":a": attempts,
                ":c": status_code,
                ":e": error,
                ":s": state,
                ":now": int(time.time()),
            },
        )

    def deliveries(self, partner_id: str, limit: int) -> list[dict[str, Any]]:
        """The newest `limit` deliveries first."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :d)",
            "ExpressionAttributeValues": {":pk": webhook_pk(partner_id), ":d": "DELIVERY#"},
            "ConsistentRead": True,
        }
        while True:
            page = self.table.query(**kwargs)
            items.extend(_plain(i) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        items.sort(key=lambda i: (i["created_at"], i["event_id"]), reverse=True)
        return items[:limit]


def _registration(item: Mapping[str, Any]) -> Registration:
    rotated = item.get("secret_rotated_at")
    until = item.get("previous_secret_valid_until")
    return Registration(
        url=str(item["url"]),
        state=str(item["state"]),
        created_at=int(item["created_at"]),
        updated_at=int(item["updated_at"]),
        secret_rotated_at=int(rotated) if rotated is not None else None,
        previous_secret_valid_until=int(until) if until is not None else None,
    )


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
    from decimal import Decimal

    return {k: (int(v) if isinstance(v, Decimal) else v) for k, v in item.items()}


def store_from_env() -> WebhookStore:
    from credscore_aws.dal.storage import dynamodb_table

    return WebhookStore(
        table=dynamodb_table(settings().table_name), kms=boto3.client("kms"), key_id=settings().data_key_id
    )


# ---------------------------------------------------------------------------------------------- dispatch
_deserializer = TypeDeserializer()


def _image(record: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    raw = (record.get("dynamodb") or {}).get(name)
    if not raw:
        return None
    return {k: _deserializer.deserialize(v) for k, v in raw.items()}


def transition_event(record: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(partner id, event) when a stream record moves an application into scored, failed or erased."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return None
    new = _image(record, "NewImage")
    if not new or new.get("sk") != META or not str(new.get("pk", "")).startswith("APP#"):
        return None
    status = str(new.get("status", ""))
    if status not in TERMINAL_EVENTS:
        return None
    old = _image(record, "OldImage")
    if old is not None and old.get("status") == status:
        return None
    partner_id = new.get("partner_id")
    if not partner_id:
        return None
    application_id = str(new["application_id"])
    occurred_at = int(new.get("updated_at") or new.get("erased_at") or time.time())
    event_id = "evt_" + hashlib.sha256(f"{application_id}|{status}|{occurred_at}".encode()).hexdigest()[:32]
    event = {
        "id": event_id,
        "type": TERMINAL_EVENTS[status],
        "application_id": application_id,
        "reference": new.get("reference"),
        "status": status,
        "occurred_at": occurred_at,
    }
    return str(partner_id), event


def dispatch(records: Iterable[Mapping[str, Any]], store: WebhookStore, sqs: Any, queue_url: str) -> int:
    """Log and enqueue one delivery per transition of a partner with an active webhook; returns how many."""
    queued = 0
    for record in records:
        found = transition_event(record)
        if found is None:
            continue
        partner_id, event = found
        registration = store._item(partner_id)
        if registration is None or registration.get("state") != "active":
            continue
        now = int(time.time())
        sk = store.log_delivery(partner_id, event, now)
        if sk is None:
            continue
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=json.dumps(
                {"partner_id": partner_id, "log_sk": sk, "event": event, "queued_at": now}, sort_keys=True
            ),
        )
        queued += 1
    return queued


# ---------------------------------------------------------------------------------------------- delivery
@dataclass(frozen=True)
class DeliverySettings:
    budget_seconds: int
    backoff_base_seconds: int
    timeout_seconds: float
    queue_url: str
    dead_letter_url: str

    @classmethod
    def from_env(cls) -> DeliverySettings:
        return cls(
            budget_seconds=settings().webhook_retry_budget_seconds,
            backoff_base_seconds=settings().webhook_backoff_base_seconds,
            timeout_seconds=settings().webhook_timeout_seconds,
            queue_url=settings().webhook_queue_url,
            dead_letter_url=settings().webhook_dead_letter_queue_url,
        )


def backoff_seconds(attempt: int, base: int) -> int:
    """Exponential: base, 2·base, 4·base … capped at an hour (SQS allows up to 12 h of invisibility)."""
    return int(min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, attempt - 1)))


def post_event(
    url: str, secrets_in_force: list[str], body: bytes, timeout: float
) -> tuple[int | None, str | None]:
    """POST once; (status code, error code). Redirects are not followed (they could lead anywhere)."""
    try:
        check_url(url)
    except UnsafeUrl:
        return None, "refused_address"
    timestamp = int(time.time())
    event_id = json.loads(body)["id"]
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "credscore-webhooks/1",
        SIGNATURE_HEADER: signature_header(secrets_in_force, timestamp, body),
        EVENT_ID_HEADER: event_id,
    }
    try:
        response = requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.Timeout:
        return None, "timeout"
    except requests.RequestException:
        return None, "connection_failed"
    response.close()
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"http_{response.status_code}"


def deliver(
    records: Iterable[Mapping[str, Any]], store: WebhookStore, sqs: Any, settings: DeliverySettings
) -> list[str]:
    """Deliver each SQS record; returns the message ids to retry (SQS partial batch response). A retried message
    is made invisible for the backoff first; past the day's budget the event is parked in the dead-letter queue."""
    retry: list[str] = []
    for record in records:
        message = json.loads(record["body"])
        partner_id, sk, event = message["partner_id"], message["log_sk"], message["event"]
        if "queued_at" not in message:
            # Replayed from the dead-letter queue (parked bodies carry no start): a new day of retries.
            sqs.send_message(
                QueueUrl=settings.queue_url,
                MessageBody=json.dumps({**message, "queued_at": int(time.time())}, sort_keys=True),
            )
            continue
        first = float(message["queued_at"])
        attempts = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
        target = store.signing_secrets(partner_id)
        if target is None:
            store.record_attempt(partner_id, sk, attempts - 1, None, "webhook_removed", "dropped")
            continue
        url, in_force = target
        body = json.dumps(event, sort_keys=True, separators=(",", ":")).encode("utf-8")
        status, error = post_event(url, in_force, body, settings.timeout_seconds)
        if error is None:
            store.record_attempt(partner_id, sk, attempts, status, None, "delivered")
            continue
        delay = backoff_seconds(attempts, settings.backoff_base_seconds)
        if time.time() + delay - first > settings.budget_seconds:
            parked = {k: v for k, v in message.items() if k != "queued_at"}
            sqs.send_message(
                QueueUrl=settings.dead_letter_url,
                MessageBody=json.dumps(parked, sort_keys=True),
                MessageAttributes={
                    "ERROR_CODE": {"DataType": "String", "StringValue": error},
                    "ATTEMPTS": {"DataType": "Number", "StringValue": str(attempts)},
                },
            )
            store.record_attempt(partner_id, sk, attempts, status, error, "parked")
            continue
        store.record_attempt(partner_id, sk, attempts, status, error, "retrying")
        sqs.change_message_visibility(
            QueueUrl=settings.queue_url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=delay
        )
        retry.append(str(record["messageId"]))
    return retry
