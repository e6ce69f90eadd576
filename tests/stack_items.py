"""One application's items in the local stack's applications table, read or set directly: for end-to-end tests
that check what a run or an erasure left behind, or that put an application where a test needs it."""

from __future__ import annotations

import time
from typing import Any


def application_items(stack: Any, application_id: str) -> list[dict[str, Any]]:
    """Every item under the application's key (all pages, read consistently), each attribute's DynamoDB type
    unwrapped one level (`{"S": "x"}` → "x")."""
    pages = (
        stack.client("dynamodb")
        .get_paginator("query")
        .paginate(
            TableName=stack.deployed.table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"APP#{application_id}"}},
            ConsistentRead=True,
        )
    )
    return [{k: next(iter(v.values())) for k, v in item.items()} for page in pages for item in page["Items"]]


def set_status(stack: Any, application_id: str, status: str) -> None:
    """The application's META item moved to `status` directly (e.g. `processing`, as ReceiveUpload's claim leaves
    it), without the pipeline."""
    stack.client("dynamodb").update_item(
        TableName=stack.deployed.table,
        Key={"pk": {"S": f"APP#{application_id}"}, "sk": {"S": "META"}},
        UpdateExpression="SET #s = :p",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":p": {"S": status}},
    )


def age_application(stack: Any, application_id: str, hours: float) -> None:
    """Make the application look `hours` old, as the hourly sweep of collecting applications sees it."""
    then = int(time.time() - hours * 3600)
    stack.client("dynamodb").update_item(
        TableName=stack.deployed.table,
        Key={"pk": {"S": f"APP#{application_id}"}, "sk": {"S": "META"}},
        UpdateExpression="SET gsi2sk = :t, created_at = :t",
        ExpressionAttributeValues={":t": {"N": str(then)}},
    )
