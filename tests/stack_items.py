"""What the local stack's applications table holds for one application, for end-to-end tests that check what a
run or an erasure left behind."""

from __future__ import annotations

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
