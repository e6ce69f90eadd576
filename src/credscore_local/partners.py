"""Partner API keys: generated once, shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

from credscore_aws.dal.repository import ApplicationRepository

if TYPE_CHECKING:
    from credscore_local.stack import LocalStack


def register_partner(stack: LocalStack, partner_id: str, name: str, api_key: str) -> None:
    table = boto3.resource("dynamodb", endpoint_url=stack.endpoint, region_name="us-east-1").Table(
        stack.deployed.table
    )
    ApplicationRepository(table).put_partner_key(api_key, partner_id, name)
