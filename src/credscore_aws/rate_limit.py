"""Per-partner request limit of the partner API (a fixed one-minute window counted in DynamoDB).

An HTTP API has no usage plans, and AWS WAF cannot be attached to one, so the stage throttles all partners
together and this limiter, run by the API function on every request, keeps one partner from using up that
shared budget. The authorizer cannot do it: its answer is cached for minutes per key, and a refusal there is a
403, not a 429. Cost: one conditional UpdateItem per request; the counters expire by the table's TTL.

A fixed window lets a partner make up to twice the limit across a window boundary; the stage throttle bounds
that burst. Counting fails open (a DynamoDB error lets the request through): the limit protects capacity, not
data, and refusing every partner because a counter could not be written would be the worse outage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds until the window resets (when refused)
    counted: bool = True  # False: the counter could not be written and the request was let through


def check(table: Any, partner_id: str, limit: int, now: float | None = None) -> Decision:
    """Counts one request of `partner_id` in the current window; refuses it when the window already has `limit`."""
    at = int(time.time() if now is None else now)
    window = at - at % WINDOW_SECONDS
    try:
        table.update_item(
            Key={"pk": f"RATE#{partner_id}", "sk": str(window)},
            UpdateExpression="ADD #n :one SET expires_at = if_not_exists(expires_at, :expires)",
            ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
            ExpressionAttributeNames={"#n": "requests"},
            ExpressionAttributeValues={":one": 1, ":limit": limit, ":expires": window + 2 * WINDOW_SECONDS},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return Decision(False, window + WINDOW_SECONDS - at)
        return Decision(True, counted=False)
    except BotoCoreError:
        return Decision(True, counted=False)
    return Decision(True)
