"""Tables made in moto as template.yaml defines them (one source of truth: keys and indexes are read, not
repeated), for unit tests that run inside `mock_aws()`."""

from __future__ import annotations

from typing import Any

import boto3

from credscore_local.template import load_template


def create_applications_table(name: str = "applications") -> Any:
    """The applications table (keys and indexes of `ApplicationsTable`), on demand, in the active moto context."""
    return _create("ApplicationsTable", name)


def create_idempotency_table(name: str = "idempotency") -> Any:
    """The Idempotency-Key table (keys of `IdempotencyTable`), on demand, in the active moto context."""
    return _create("IdempotencyTable", name)


def _create(resource: str, name: str) -> Any:
    props = load_template()["Resources"][resource]["Properties"]
    indexes = (
        {"GlobalSecondaryIndexes": props["GlobalSecondaryIndexes"]}
        if "GlobalSecondaryIndexes" in props
        else {}
    )
    return boto3.resource("dynamodb").create_table(
        TableName=name,
        AttributeDefinitions=props["AttributeDefinitions"],
        KeySchema=props["KeySchema"],
        BillingMode="PAY_PER_REQUEST",
        **indexes,
    )
