"""Partner webhooks: registration, signing, dispatch of status changes and delivery with retries.

Decoupled from the pipeline: a DynamoDB Stream on the applications table feeds `dispatch` (status transitions of an
application's META item into scored, failed or erased), which logs each delivery and enqueues it on an SQS queue
(KMS-encrypted); `deliver` POSTs it, signed, and on failure backs off by changing the message's visibility, for at
most `WEBHOOK_RETRY_BUDGET_SECONDS` (a day), then parks it in the dead-letter queue (alarmed).

Items (applications table):
  WEBHOOK#<partner> / META                      url, state, secret(s) encrypted with the data key (KMS)
  WEBHOOK#<partner> / DELIVERY#<ts>#<event id>  event id, type, application id, attempts, last status, state
The event carries no personal data: {id, type, application_id, reference, status, occurred_at}; the partner fetches
the result with its key. The reference is not taken from the stream nor queued: the delivery reads it from the
application, so an event delivered after an erasure (retried, or parked and replayed) names none, as the tombstone
keeps none.
Delivery log entries keep no bodies and expire after `DELIVERY_LOG_DAYS` (`credscore_aws.dal.webhook_store`, which
keeps the registrations and the delivery log).

Signature: header `Credscore-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`; during the overlap
after a rotation a second `v1=` made with the previous secret follows, so either secret verifies. Receivers should
refuse a `t` more than `REPLAY_WINDOW_SECONDS` (5 minutes) from their clock and dedupe on the event id.

SSRF: `check_url` resolves the host once and refuses any answer that is not public; the delivery connects to one of
those checked addresses (pinned: no second lookup for DNS rebinding to answer) while naming the host in the Host
header, SNI and certificate check, and does not follow redirects.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import boto3
import urllib3
from boto3.dynamodb.types import TypeDeserializer
from requests.certs import where as ca_bundle_path

from credscore_aws.dal.webhook_store import WebhookStore
from credscore_aws.runtime import logger
from credscore_aws.settings import settings

SIGNATURE_HEADER = "Credscore-Signature"
EVENT_ID_HEADER = "Credscore-Event-Id"
REPLAY_WINDOW_SECONDS = 300
SECRET_OVERLAP_SECONDS = 24 * 3600
TERMINAL_EVENTS = {
    "scored": "application.scored",
    "failed": "application.failed",
    "erased": "application.erased",
}
MAX_BACKOFF_SECONDS = 3600
# The trust store of `requests` (certifi), which delivered webhooks before the connection was pinned.
CA_BUNDLE = ca_bundle_path()
META = "META"


@cache
def sqs() -> Any:
    """The SQS client of the webhook queue, made once a container (dispatch sends to it, deliver backs off on it)."""
    return boto3.client("sqs")


class UnsafeUrl(ValueError):
    """The URL is not HTTPS, or its host resolves to an address a webhook may not reach."""


# ---------------------------------------------------------------------------------------------- signing
def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secrets_in_force: Iterable[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={sign(s, timestamp, body)}" for s in secrets_in_force)])


# ---------------------------------------------------------------------------------------------- SSRF care
def allow_loopback() -> bool:
    """Local stack only (template parameter WebhookAllowLoopback): http:// to loopback addresses."""
    return settings().webhook_allow_loopback


@dataclass(frozen=True)
class Destination:
    """A checked webhook URL: the addresses its host resolved to, every one checked, in the resolver's order, and
    what the request names (the host: Host header, TLS SNI and the certificate's name)."""

    scheme: str
    host: str  # ASCII (IDNA), IPv6 literals without brackets
    port: int
    target: str  # path and query
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


DEFAULT_PORTS = {"https": 443, "http": 80}


def check_url(
    url: str,
    *,
    loopback_ok: bool | None = None,
    resolve: Callable[[str], list[str]] | None = None,
) -> Destination:
    """Refuse what a webhook may not reach: anything but https (http is allowed only to loopback, locally), and
    hosts resolving to private, loopback, link-local, multicast or reserved addresses (cloud metadata included).
    The host is resolved once here: a delivery connects to the addresses returned, never to a second answer."""
    loopback_ok = allow_loopback() if loopback_ok is None else loopback_ok
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl("the URL cannot be read") from exc
    if parts.username or parts.password:
        raise UnsafeUrl("credentials in the URL are not accepted")
    if not parts.hostname:
        raise UnsafeUrl("the URL has no host")
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not loopback_ok):
        raise UnsafeUrl("the URL must use https")
    try:
        # The name the resolver is asked is the name TLS checks (IDNA, as getaddrinfo would encode it).
        host = parts.hostname.encode("idna").decode("ascii")
        addresses = (resolve or _resolve)(host)
    except (OSError, UnicodeError, ValueError) as exc:  # UnicodeError: a label too long to encode
        raise UnsafeUrl("the host does not resolve") from exc
    if not addresses:
        raise UnsafeUrl("the host does not resolve")
    ips = [ipaddress.ip_address(address.split("%", 1)[0]) for address in addresses]
    for ip in ips:
        if loopback_ok and ip.is_loopback:
            continue
        if not _public(ip):
            raise UnsafeUrl("the host resolves to a private, loopback or link-local address")
    if parts.scheme == "http" and not all(ip.is_loopback for ip in ips):
        raise UnsafeUrl("the URL must use https")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    port = DEFAULT_PORTS[parts.scheme] if port is None else port
    return Destination(parts.scheme, host, port, target, tuple(str(ip) for ip in ips))


# RFC 6052's well-known prefix: a NAT64 gateway connects to the IPv4 address in the low 32 bits.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally reachable unicast, judged by the address really connected to: an IPv6 address carrying an IPv4 one
    (IPv4-mapped, or NAT64's prefix) by that IPv4 address. `is_global` alone passes NAT64 addresses of private
    IPv4 ones and reserved IPv6 (IPv4-compatible ::a.b.c.d), and multicast."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _public(ip.ipv4_mapped)
        if ip in NAT64_PREFIX:
            return _public(ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF))
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def _resolve(host: str) -> list[str]:
    # The resolver's order kept (it prefers what is reachable), duplicates dropped.
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# ---------------------------------------------------------------------------------------------- dispatch
_deserializer = TypeDeserializer()


def _image(record: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    raw = (record.get("dynamodb") or {}).get(name)
    if not raw:
        return None
    return {k: _deserializer.deserialize(v) for k, v in raw.items()}


def transition_event(record: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(partner id, event) when a stream record moves an application into scored, failed or erased.

    The stream carries new images only (an old image would keep the record as it was before its erasure in the
    stream for another day): a write that moved the status sets `status_at` to its own `updated_at`, so a later
    write of a finished application (a rescore, an applicant link) is told apart without the old image. Two
    writes in the same second give the same event id, which the delivery log takes once."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return None
    new = _image(record, "NewImage")
    if not new or new.get("sk") != META or not str(new.get("pk", "")).startswith("APP#"):
        return None
    status = str(new.get("status", ""))
    if status not in TERMINAL_EVENTS:
        return None
    status_at = new.get("status_at")
    if status_at is None or status_at != new.get("updated_at"):
        return None
    partner_id = new.get("partner_id")
    if not partner_id:
        return None
    application_id = str(new["application_id"])
    occurred_at = int(status_at)
    event_id = "evt_" + hashlib.sha256(f"{application_id}|{status}|{occurred_at}".encode()).hexdigest()[:32]
    event = {
        "id": event_id,
        "type": TERMINAL_EVENTS[status],
        "application_id": application_id,
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
        # Logged before: a duplicate stream record (done), or a retry of a batch whose send failed after the log
        # was written (send it now: otherwise the event is never delivered).
        sk = store.log_delivery(partner_id, event, now) or store.unqueued_delivery(partner_id, event["id"])
        if sk is None:
            continue
        # The event holds no reference: the message waits up to a day in the queue and 14 days parked, outliving
        # an erasure meanwhile; the delivery reads it from the application as it is then (see `deliver`).
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=json.dumps(
                {"partner_id": partner_id, "log_sk": sk, "event": event, "queued_at": now},
                sort_keys=True,
            ),
        )
        store.mark_queued(partner_id, sk, now)
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
    """POST once; (status code, error code). The connection goes to an address `check_url` checked (tried in the
    resolver's order while they refuse), so a second DNS answer cannot send it elsewhere (rebinding). Redirects
    are not followed: a 3xx is a failed delivery."""
    try:
        destination = check_url(url)
    except UnsafeUrl:
        return None, "refused_address"
    timestamp = int(time.time())
    event_id = json.loads(body)["id"]
    headers = {
        "Host": destination.host_header,
        "Content-Type": "application/json",
        "User-Agent": "credscore-webhooks/1",
        SIGNATURE_HEADER: signature_header(secrets_in_force, timestamp, body),
        EVENT_ID_HEADER: event_id,
    }
    for address in destination.addresses:
        try:
            status = _post_to(destination, address, body, headers, timeout)
        except urllib3.exceptions.NewConnectionError:
            continue  # refused or unreachable (an IPv6 address without a route): the next checked address
        except urllib3.exceptions.TimeoutError:  # after NewConnectionError, which subclasses it
            return None, "timeout"
        except urllib3.exceptions.HTTPError:
            return None, "connection_failed"
        if 200 <= status < 300:
            return status, None
        return status, f"http_{status}"
    return None, "connection_failed"


def _post_to(
    destination: Destination, address: str, body: bytes, headers: dict[str, str], timeout: float
) -> int:
    with pinned_pool(destination, address, timeout) as pool:
        response = pool.urlopen(
            "POST",
            destination.target,
            body=body,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
        )
        response.close()  # only the status counts: the body is not read
        return response.status


def pinned_pool(destination: Destination, address: str, timeout: float) -> urllib3.HTTPConnectionPool:
    """A connection to `address`, which nothing resolves again, for a request that still names the host: the
    caller sends its Host header; TLS sends it as SNI and verifies the certificate against it (not the address),
    with the CA bundle `requests` uses. Proxies from the environment are not used: they would resolve the name."""
    timeouts = urllib3.Timeout(connect=timeout, read=timeout)
    if destination.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            destination.port,
            timeout=timeouts,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=CA_BUNDLE,
            server_hostname=destination.host,
        )
    return urllib3.HTTPConnectionPool(address, destination.port, timeout=timeouts, retries=False)


def deliver(
    records: Iterable[Mapping[str, Any]],
    store: WebhookStore,
    sqs: Any,
    settings: DeliverySettings,
    time_left: Callable[[], float] | None = None,
) -> list[str]:
    """Deliver each SQS record; returns the message ids to retry (SQS partial batch response). A retried message
    is made invisible for the backoff first; past the day's budget the event is parked in the dead-letter queue.

    A message is started only while `time_left()` (seconds) covers its POST at its slowest (connect and read
    timeouts) with a margin; the rest go back to the queue untouched. One message's unexpected error returns that
    message alone: five slow receivers, or one failing read, no longer failed the whole batch at the Lambda's
    timeout and had every event in it delivered again."""
    retry: list[str] = []
    pending = list(records)
    for index, record in enumerate(pending):
        if time_left is not None and time_left() < 2 * settings.timeout_seconds + _MARGIN_SECONDS:
            retry += [str(r["messageId"]) for r in pending[index:]]
            break
        try:
            if _deliver_one(record, store, sqs, settings):
                retry.append(str(record["messageId"]))
        except Exception as exc:  # the class only: a message could carry a partner's URL
            logger.warning(
                "webhook delivery failed",
                extra={"message_id": record["messageId"], "error": type(exc).__name__},
            )
            retry.append(str(record["messageId"]))
    return retry


# What a delivery needs besides its POST: the log update, the signing secret's decryption, the visibility change.
_MARGIN_SECONDS = 3.0


def _deliver_one(
    record: Mapping[str, Any], store: WebhookStore, sqs: Any, settings: DeliverySettings
) -> bool:
    """One message; True when it is to be retried (its visibility already set for the backoff)."""
    message = json.loads(record["body"])
    partner_id, sk, event = message["partner_id"], message["log_sk"], message["event"]
    if "queued_at" not in message:
        # Replayed from the dead-letter queue (parked bodies carry no start): a new day of retries.
        sqs.send_message(
            QueueUrl=settings.queue_url,
            MessageBody=json.dumps({**message, "queued_at": int(time.time())}, sort_keys=True),
        )
        return False
    first = float(message["queued_at"])
    attempts = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
    target = store.signing_secrets(partner_id)
    if target is None:
        store.record_attempt(partner_id, sk, attempts - 1, None, "webhook_removed", "dropped")
        return False
    url, in_force = target
    # Erasure wins over a queued event: the reference is the application's as it is now, none once it was
    # erased (a message queued before the erasure, or by an older deploy with the reference in it).
    event = {**event, "reference": store.application_reference(str(event["application_id"]))}
    body = json.dumps(event, sort_keys=True, separators=(",", ":")).encode("utf-8")
    status, error = post_event(url, in_force, body, settings.timeout_seconds)
    if error is None:
        store.record_attempt(partner_id, sk, attempts, status, None, "delivered")
        return False
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
        return False
    store.record_attempt(partner_id, sk, attempts, status, error, "retrying")
    sqs.change_message_visibility(
        QueueUrl=settings.queue_url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=delay
    )
    return True
