"""Shared Lambda plumbing: the powertools utilities and the repository over the function's table."""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools import Logger, Metrics, Tracer

from credscore_aws.dal.repository import ApplicationRepository
from credscore_aws.dal.storage import dynamodb_table
from credscore_aws.settings import settings

logger = Logger()
# Only AWS calls are traced (botocore: tables, buckets, keys; ids, no names). Patching every module traced
# `requests` too, and X-Ray kept for 30 days, beyond any erasure's reach, the X API's URLs, which name the
# applicant's handle and account.
tracer = Tracer(patch_modules=("botocore",))
metrics = Metrics()


@cache
def repository() -> ApplicationRepository:
    return ApplicationRepository(
        dynamodb_table(settings().table_name), audit_retention_days=settings().result_retention_days
    )
