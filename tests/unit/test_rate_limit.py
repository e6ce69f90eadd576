"""The per-partner request limit against moto, with the table defined as template.yaml defines it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from credscore_aws.logic.rate_limit import WINDOW_SECONDS, check
from credscore_local.fidelity import serialize_dynamodb_writes
from tests.fake_aws import fake_aws
from tests.moto_tables import create_applications_table

START = 1_796_120_100  # a window boundary (divisible by 60)


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    serialize_dynamodb_writes()
    with fake_aws(monkeypatch):
        yield create_applications_table()


def test_the_limit_holds_per_partner_within_a_window_and_resets_with_the_next(table: Any) -> None:
    assert START % WINDOW_SECONDS == 0
    assert [check(table, "p1", 2, now=START + i).allowed for i in range(3)] == [True, True, False]
    refused = check(table, "p1", 2, now=START + 20)
    assert not refused.allowed
    assert refused.retry_after == WINDOW_SECONDS - 20
    assert check(table, "p2", 2, now=START + 20).allowed, "another partner has its own count"
    assert check(table, "p1", 2, now=START + WINDOW_SECONDS).allowed, "a new window"
    item = table.get_item(Key={"pk": "RATE#p1", "sk": str(START)})["Item"]
    assert item["requests"] == 2, "refused requests are not counted"
    assert item["expires_at"] == START + 2 * WINDOW_SECONDS, "counters expire by TTL"


def test_counting_fails_open_when_dynamodb_cannot_be_reached() -> None:
    class Unreachable:
        def update_item(self, **_: Any) -> None:
            raise EndpointConnectionError(endpoint_url="https://dynamodb")

    decision = check(Unreachable(), "p1", 1, now=START)
    assert decision.allowed
    assert not decision.counted
