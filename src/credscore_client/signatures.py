"""Verify a webhook's `Credscore-Signature` header before trusting its body.

The header is `t=<unix seconds>,v1=<hex>[,v1=<hex>]`: each `v1` is HMAC-SHA256 with a signing secret over
`"<t>." + raw body`. Right after a secret rotation a second `v1` (made with the previous secret) is present for
24 hours, so a receiver holding either secret verifies. A `t` further than `tolerance` seconds (default 5 minutes)
from the receiver's clock is refused, so a captured request cannot be replayed later; dedupe on the event `id`
within that window (a delivery may arrive twice).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from credscore_client.models import WebhookEvent

SIGNATURE_HEADER = "Credscore-Signature"
REPLAY_WINDOW_SECONDS = 300


class SignatureError(ValueError):
    pass


def verify_signature(
    secret: str | list[str],
    body: bytes,
    header: str,
    *,
    tolerance: int = REPLAY_WINDOW_SECONDS,
    now: float | None = None,
) -> bool:
    """True when `header` carries a valid signature of `body` by (one of) `secret`, made within `tolerance`."""
    try:
        check_signature(secret, body, header, tolerance=tolerance, now=now)
    except SignatureError:
        return False
    return True


def check_signature(
    secret: str | list[str],
    body: bytes,
    header: str,
    *,
    tolerance: int = REPLAY_WINDOW_SECONDS,
    now: float | None = None,
) -> None:
    """Like `verify_signature`, but raises `SignatureError` saying what is wrong."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        # ASCII digits ("²" is a digit int() refuses), and few: 5,000 of them made int() raise, 400 made
        # abs(now - t) overflow a float.
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 20:
            timestamp = int(value)
        elif key == "v1" and value and value.isascii():  # compare_digest raises on a non-ASCII str
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError("malformed signature header")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("timestamp outside the replay window")
    message = str(timestamp).encode("ascii") + b"." + body
    for key in [secret] if isinstance(secret, str) else secret:
        expected = hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            return
    raise SignatureError("no signature matches")


def parse_event(
    secret: str | list[str],
    body: bytes,
    header: str,
    *,
    tolerance: int = REPLAY_WINDOW_SECONDS,
    now: float | None = None,
) -> WebhookEvent:
    """Verify, then parse the body; raises `SignatureError` when it does not verify."""
    check_signature(secret, body, header, tolerance=tolerance, now=now)
    return WebhookEvent.model_validate(json.loads(body))
