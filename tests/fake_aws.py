"""moto's in-process AWS for unit tests, with the fake credentials and region botocore needs to sign a request (no
real account is reached: the test run allows loopback only, and `mock_aws()` answers every call)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from moto import mock_aws


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
