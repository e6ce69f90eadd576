"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from credscore_aws.dal import storage
from tests.fake_aws import fake_aws


@pytest.fixture
def bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty bucket in moto, with storage's cached S3 client made afresh inside it."""
    storage.s3_client.cache_clear()
    with fake_aws(monkeypatch):
        boto3.client("s3").create_bucket(Bucket="work")
        yield "work"
    storage.s3_client.cache_clear()
