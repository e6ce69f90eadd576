"""Partner API keys: generated once, shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import boto3

from credscore_aws.dal.repository import ApplicationRepository
from credscore_local.deployment import REGION, RunningStack


def register_partner(stack: RunningStack, partner_id: str, name: str, api_key: str) -> None:
    table = boto3.resource("dynamodb", endpoint_url=stack.endpoint, region_name=REGION).Table(
        stack.deployed.table
    )
    ApplicationRepository(table).put_partner_key(api_key, partner_id, name)
