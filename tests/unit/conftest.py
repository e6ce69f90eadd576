"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from credscore_aws.dal import storage
from credscore_aws.dal.repository import ApplicationRepository
from tests.fake_aws import fake_aws, moto_store


@pytest.fixture
def bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty bucket in moto, with storage's cached S3 client made afresh inside it."""
    storage.s3_client.cache_clear()
    with fake_aws(monkeypatch):
        boto3.client("s3").create_bucket(Bucket="work")
        yield "work"
    storage.s3_client.cache_clear()


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApplicationRepository]:
    """moto's bucket "data" and applications table, and the repository over them (`tests.fake_aws.moto_store`)."""
    with moto_store(monkeypatch) as repository:
        yield repository
