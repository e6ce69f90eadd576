"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from credscore_aws.dal import storage


@pytest.fixture
def bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty bucket in moto, with storage's cached S3 client made afresh inside it."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    storage.s3_client.cache_clear()
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="work")
        yield "work"
    storage.s3_client.cache_clear()
