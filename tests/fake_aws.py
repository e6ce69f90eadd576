"""moto's in-process AWS for unit tests, with the fake credentials and region botocore needs to sign a request (no
real account is reached: the test run allows loopback only, and `mock_aws()` answers every call)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

if TYPE_CHECKING:
    from credscore_aws.dal.repository import ApplicationRepository


def set_fake_credentials(env: pytest.MonkeyPatch, region: str = "us-east-1", **variables: str) -> None:
    """Fake credentials and a region, plus the test's own `variables`, through `env` (undone with it)."""
    for name, value in {
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        **variables,
    }.items():
        env.setenv(name, value)


@contextmanager
def fake_aws(env: pytest.MonkeyPatch, region: str = "us-east-1", **variables: str) -> Iterator[None]:
    """`set_fake_credentials`, then moto's AWS for as long as the block runs."""
    set_fake_credentials(env, region, **variables)
    with mock_aws():
        yield


@contextmanager
def moto_store(
    env: pytest.MonkeyPatch, *caches: Callable[[], Any], **variables: str
) -> Iterator[ApplicationRepository]:
    """moto's AWS with the service's bucket ("data") and applications table, and its repository: the cached
    clients (and any of `caches`) are made afresh inside it and dropped after, so none outlives moto."""
    from credscore_aws import runtime
    from credscore_aws.dal import storage
    from tests.moto_tables import create_applications_table

    cached = (storage.s3_client, storage.dynamodb_table, runtime.repository, *caches)
    for cache in cached:
        cache.cache_clear()  # type: ignore[attr-defined]
    settings = {
        "BUCKET_NAME": "data",
        "TABLE_NAME": "applications",
        "RESULT_RETENTION_DAYS": "30",
        **variables,
    }
    with fake_aws(env, **settings):
        boto3.client("s3").create_bucket(Bucket="data")
        create_applications_table()
        yield runtime.repository()
    for cache in cached:
        cache.cache_clear()  # type: ignore[attr-defined]


def new_application(
    repo: ApplicationRepository, partner_id: str = "p1", declared: dict[str, int] | None = None
) -> str:
    """A new application (collecting, LinkedIn declared unless told otherwise) in `repo`; returns its id."""
    from credscore.application import new_application_id
    from credscore_aws.models.records import NewApplication

    application_id = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {
                "application_id": application_id,
                "partner_id": partner_id,
                "declared": declared or {"linkedin": 1},
            }
        )
    )
    return application_id


def recorded_calls(monkeypatch: pytest.MonkeyPatch, table: Any, operation: str) -> list[dict[str, Any]]:
    """Record the keyword arguments of every `operation` call on a boto3 Table (which moto answers as before), to
    check what moto ignores: a strongly consistent read, say."""
    calls: list[dict[str, Any]] = []
    real = getattr(table, operation)

    def recorded(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(table, operation, recorded)
    return calls
