"""Shared Lambda plumbing: the powertools utilities and the repository over the function's table."""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools import Logger, Metrics, Tracer

from credscore_aws.dal.repository import ApplicationRepository
from credscore_aws.dal.storage import dynamodb_table
from credscore_aws.settings import settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()


@cache
def repository() -> ApplicationRepository:
    return ApplicationRepository(
        dynamodb_table(settings().table_name), audit_retention_days=settings().result_retention_days
    )
