"""Shared fixtures.

The embedded local stack is started once per test module (a few seconds). Not once per session: moto keeps its
state per process, and the unit tests' `mock_aws` would reset it under a stack that stayed up between modules."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from credscore_local import network_guard

REPO_ROOT = Path(__file__).resolve().parents[1]

# Issue 15.6: the test run reaches loopback only (the local stack, its API, webhook receivers, the browser's pages);
# what it starts inherits the setting (the local stack's Lambda workers, a `credscore serve` child).
os.environ[network_guard.LOOPBACK_ONLY_ENV] = "1"
network_guard.install()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from credscore_local.stack import LocalStack

    with LocalStack(log_dir=tmp_path_factory.mktemp("lambda-logs")) as running:
        yield running


@pytest.fixture(scope="module")
def partner(stack: object) -> object:
    from credscore_local.client import PartnerClient
    from credscore_local.partners import register_partner

    api_key = secrets.token_urlsafe(24)
    register_partner(stack, "partner-a", "Partner A", api_key)  # type: ignore[arg-type]
    return PartnerClient(stack.api_url, api_key)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def other_partner(stack: object) -> object:
    from credscore_local.client import PartnerClient
    from credscore_local.partners import register_partner

    api_key = secrets.token_urlsafe(24)
    register_partner(stack, "partner-b", "Partner B", api_key)  # type: ignore[arg-type]
    return PartnerClient(stack.api_url, api_key)  # type: ignore[attr-defined]
