"""Shared Lambda plumbing: configuration from the environment and the powertools utilities."""

from __future__ import annotations

import os
from functools import cache

from aws_lambda_powertools import Logger, Metrics, Tracer

from credscore_aws.repository import ApplicationRepository
from credscore_aws.storage import dynamodb_table

logger = Logger()
tracer = Tracer()
metrics = Metrics()


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set (see template.yaml)")
    return value


def bucket_name() -> str:
    return env("BUCKET_NAME")


@cache
def repository() -> ApplicationRepository:
    return ApplicationRepository(dynamodb_table(env("TABLE_NAME")))
