"""Fixtures for the configuration store tests: a moto SSM client with fake credentials."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    import boto3

    from tests.fake_aws import fake_aws

    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with fake_aws(monkeypatch, "eu-west-1", AWS_SESSION_TOKEN="testing"):
        yield boto3.client("ssm", region_name="eu-west-1")
