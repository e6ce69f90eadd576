"""Hostile request bodies get a clear 4xx, never a 500 (which would also trip the 5xx alarm): through the local
HTTP API adapter, the real authorizer and the real API handler."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.e2e

CONSENT = {
    "granted": True,
    "purpose": "credit assessment",
    "notice_version": "2026-11",
    "granted_at": 1_700_000_000,
}


def _post(partner: Any, body: str | bytes) -> requests.Response:
    return requests.post(
        f"{partner.base_url}/applications",
        data=body,
        headers={"Authorization": f"Bearer {partner.api_key}", "Content-Type": "application/json"},
        timeout=60,
    )


def _create_body(granted_at: str) -> str:
    consent = json.dumps(CONSENT).replace("1700000000", granted_at)
    return '{"consent": ' + consent + ', "sources": {"linkedin": 1}}'


def _messages(response: requests.Response) -> str:
    body = response.json()
    return " ".join(d["msg"] for d in body["detail"]) if "detail" in body else body["message"]


@pytest.mark.parametrize(
    ("granted_at", "says"),
    [
        ("1e40", "less than or equal to 253402300799"),
        ("1" * 40, "less than or equal to 253402300799"),
        ("1" * 5000, "too many digits"),
        ("-1", "greater than or equal to 0"),
        ("1.5", "integer"),
    ],
)
def test_a_timestamp_out_of_range_is_refused_with_the_reason(
    partner: Any, granted_at: str, says: str
) -> None:
    response = _post(partner, _create_body(granted_at))
    assert response.status_code == 422, response.text
    assert says in _messages(response)


def test_a_body_nested_300000_levels_is_refused_for_its_size(partner: Any) -> None:
    body = "[" * 300_000 + "]" * 300_000  # 600 KB
    response = _post(partner, body)
    assert response.status_code == 413, response.text
    assert response.json() == {"error": "payload_too_large", "message": "the body is larger than 65536 bytes"}


@pytest.mark.parametrize("depth", [33, 30_000])
def test_a_body_nested_too_deeply_within_the_size_cap_is_refused(partner: Any, depth: int) -> None:
    body = '{"consent": ' + "[" * depth + "]" * depth + "}"
    assert len(body) < 64 * 1024
    response = _post(partner, body)
    assert response.status_code == 422, response.text
    assert "nested deeper than 32 levels" in _messages(response)


def test_a_body_over_the_cap_is_refused_whatever_it_holds(partner: Any) -> None:
    body = _create_body("1700000000")[:-1] + ', "reference": "' + "a" * 70_000 + '"}'
    response = _post(partner, body)
    assert response.status_code == 413, response.text


def test_malformed_json_says_where(partner: Any) -> None:
    response = _post(partner, '{"consent": {')
    assert response.status_code == 422, response.text
    assert "not valid JSON" in _messages(response)
    assert "line 1 column" in _messages(response)


def test_an_ordinary_body_still_creates_an_application(partner: Any) -> None:
    response = _post(partner, _create_body("1700000000"))
    assert response.status_code == 201, response.text
