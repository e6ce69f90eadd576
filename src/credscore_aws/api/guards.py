"""Refusals made before the resolver runs: a partner over its requests per minute (429), and a body that is not
small, sane UTF-8 JSON (413/415/422), answered in the documented shapes instead of failing inside the resolver."""

from __future__ import annotations

import base64
import json
from typing import Any

from credscore_aws.logic import rate_limit
from credscore_aws.runtime import logger, repository
from credscore_aws.settings import settings

# No request of this API comes near this (a create body is well under 1 KiB); API Gateway's own cap is 10 MB.
MAX_BODY_BYTES = 64 * 1024
# The deepest request body the API takes is three levels (body → consent → granted_at).
MAX_JSON_DEPTH = 32


def refusal(event: dict[str, Any]) -> dict[str, Any] | None:
    """The answer that stops this request before routing, or None to route it."""
    return rate_limited(event) or refuse_unreadable_body(event)


def rate_limited(event: dict[str, Any]) -> dict[str, Any] | None:
    """429 once a partner passes its requests per minute (see credscore_aws.logic.rate_limit for why it is here)."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    partner = (authorizer.get("lambda") or {}).get("partner_id")
    limit = settings().partner_requests_per_minute
    if not partner or not limit:
        return None
    decision = rate_limit.check(repository().table, str(partner), int(limit))
    if not decision.counted:
        logger.warning("partner rate limit not counted (DynamoDB error); request let through")
    if decision.allowed:
        return None
    response = _plain_error(429, "rate_limited", f"more than {limit} requests a minute; retry later")
    response["headers"]["Retry-After"] = str(decision.retry_after)
    return response


def refuse_unreadable_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """Bodies must be small UTF-8 JSON of sane shape, each key once per object; say so with 413/415/422 instead of
    failing inside the resolver (a 5,000-digit number or 300,000 nested arrays must not become a 500)."""
    body = event.get("body")
    headers = event.get("headers") or {}
    if not body:
        # Nothing to read: the resolver's form and multipart parsers must not see the media type (multipart
        # without a boundary raised there: a 500); a body route answers that its fields are missing.
        headers.pop("content-type", None)
        return None
    content_type = headers.get("content-type", "").strip().lower()  # media types are case-insensitive
    if not content_type.startswith("application/json"):
        return _plain_error(415, "unsupported_media_type", "send application/json")
    headers["content-type"] = content_type  # the resolver compares it case-sensitively
    # A base64 body decodes to 3/4 of its length: compare what the partner sent, not its encoding.
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        return _plain_error(413, "payload_too_large", f"the body is larger than {MAX_BODY_BYTES} bytes")
    text = body
    if event.get("isBase64Encoded"):
        try:
            text = base64.b64decode(body).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return _invalid_body("the body is not UTF-8 JSON")
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys)
    except DuplicateKey as exc:
        return _invalid_body(f"the key {exc.key!r} appears twice in one object")
    except RecursionError:
        return _invalid_body(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
    except json.JSONDecodeError as exc:
        return _invalid_body(f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    except ValueError:
        # int() refuses numbers of more than 4,300 digits (CVE-2020-10735); no field takes anything near.
        return _invalid_body("a number in the body has too many digits")
    if _depth(document) > MAX_JSON_DEPTH:
        return _invalid_body(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
    return None


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are unique (RFC 7493): json.loads keeps the last of two, while a proxy or a log
    reading the first would see another request than the one served."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return document


def _depth(document: Any) -> int:
    """How deeply arrays and objects nest (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            level += 1
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            stack.extend((v, level) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _invalid_body(message: str) -> dict[str, Any]:
    """The documented validation-error answer (HTTPValidationError), as for any other unreadable body."""
    return {
        "statusCode": 422,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"detail": [{"loc": ["body"], "msg": message, "type": "json_invalid"}]}),
    }


def _plain_error(status: int, code: str, message: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"error": code, "message": message}),
    }
