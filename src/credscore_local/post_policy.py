"""S3's browser-upload (presigned POST) policy, which moto stores the object without reading.

The API's upload forms carry a policy: an expiry and conditions (the key's prefix, `Content-Type:
application/zip`, a `content-length-range` up to `MaxUploadBytes`, and the fields boto3 signs). S3 refuses an
upload that breaks any of them before it stores a byte; moto 5 ignores the policy, so locally a file over the size
limit was stored and ingested. `refusal` checks a form upload as S3 does (not the signature: moto does not check
SigV4 either) and the local stack answers S3's error for it (`credscore_local.fidelity.enforce_post_policies`).

S3's rules (Amazon S3 API reference, "Creating a POST policy"): the policy must not have expired; every condition
must hold (`{"name": value}` and `["eq", "$name", value]` exact, `["starts-with", "$name", prefix]`, and
`["content-length-range", min, max]` on the file's size in bytes); `bucket` is the bucket the form was posted to;
every form field but `policy`, `x-amz-signature`, `file` and `x-ignore-*` must be named by a condition.
Field names are matched without regard to case.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

_UNCHECKED_FIELDS = frozenset({"policy", "x-amz-signature", "file"})


@dataclass(frozen=True)
class Refusal:
    """S3's answer to a form upload its policy does not allow."""

    status: int
    code: str
    message: str


def _denied(message: str) -> Refusal:
    return Refusal(403, "AccessDenied", message)


def _expired(expiration: Any, now: dt.datetime) -> bool:
    try:
        moment = dt.datetime.fromisoformat(str(expiration).replace("Z", "+00:00"))
    except ValueError:
        return True
    return moment.astimezone(dt.UTC) <= now


def refusal(
    fields: Mapping[str, str], bucket: str, size: int, now: dt.datetime | None = None
) -> Refusal | None:
    """Why S3 would refuse this form upload of `size` bytes to `bucket`, or None when its policy allows it.
    `fields` are the form's fields (without the file); a form without a policy is not a browser upload."""
    given = {name.lower(): value for name, value in fields.items()}
    if "policy" not in given:
        return None
    try:
        policy = json.loads(base64.b64decode(given["policy"], validate=True))
        conditions = policy["conditions"]
        expiration = policy["expiration"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        return Refusal(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")
    if _expired(expiration, now or dt.datetime.now(dt.UTC)):
        return _denied("Invalid according to Policy: Policy expired.")
    given["bucket"] = bucket
    named: set[str] = set()
    for condition in conditions:
        if isinstance(condition, dict):
            checks = [("eq", name, value) for name, value in condition.items()]
        elif isinstance(condition, list) and condition and condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if size > high:
                return Refusal(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            if size < low:
                return Refusal(
                    400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
                )
            continue
        elif isinstance(condition, list) and len(condition) == 3 and condition[0] in ("eq", "starts-with"):
            checks = [(condition[0], str(condition[1]).removeprefix("$"), condition[2])]
        else:
            return Refusal(400, "InvalidPolicyDocument", f"Invalid Policy: Invalid condition {condition!r}.")
        for operator, name, expected in checks:
            name = name.lower()
            named.add(name)
            value = given.get(name)
            holds = (
                value == expected if operator == "eq" else value is not None and value.startswith(expected)
            )
            if not holds:
                return _denied(
                    f'Invalid according to Policy: Policy Condition failed: ["{operator}", "${name}", "{expected}"]'
                )
    extra = sorted(
        name
        for name in given
        if name not in named
        and name not in _UNCHECKED_FIELDS
        and name != "bucket"
        and not name.startswith("x-ignore-")
    )
    if extra:
        return _denied(f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")
    return None


def error_body(refused: Refusal) -> str:
    """S3's XML error document."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(refused.code)}</Code><Message>{escape(refused.message)}</Message></Error>"
    )
