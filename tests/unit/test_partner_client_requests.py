"""Both partner clients (the typed `credscore_client` and the local stack's dict-returning one) send the same
`POST /applications`: consent granted at the given time, the sources, the optional fields only when given."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from credscore_client import DEFAULT_CONSENT, CredscoreClient
from credscore_client.client import application_request
from credscore_local.client import PartnerClient

CREATED = {"application_id": "a" * 32, "status": "collecting", "uploads": []}


class Answer:
    def __init__(self) -> None:
        self.status_code = 201
        self.headers = {"content-type": "application/json"}
        self.content = b"{}"

    def json(self) -> dict[str, Any]:
        return dict(CREATED)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def request(method: str, url: str, **kwargs: Any) -> Answer:
        calls.append({"method": method, "url": url, **kwargs})
        return Answer()

    monkeypatch.setattr(requests, "request", request)
    return calls


def test_the_body_names_only_what_was_given() -> None:
    body, headers = application_request({"linkedin": 1}, consent_granted_at=100)
    assert body == {"consent": {**DEFAULT_CONSENT, "granted_at": 100}, "sources": {"linkedin": 1}}
    assert headers == {}
    body, headers = application_request(
        {"x": 0}, reference="loan-1", x_handle="asharao", idempotency_key="k1", consent={"granted": True}
    )
    assert body["x_handle"] == "asharao"
    assert body["reference"] == "loan-1"
    assert set(body["consent"]) == {"granted", "granted_at"}
    assert headers == {"Idempotency-Key": "k1"}


def test_both_clients_send_the_same_request(sent: list[dict[str, Any]]) -> None:
    given = {
        "reference": "loan-42",
        "x_handle": "asharao",
        "idempotency_key": "key-1",
        "consent_granted_at": 7,
    }
    typed = CredscoreClient("http://127.0.0.1:1/", "secret").create({"facebook": 2}, **given)  # type: ignore[arg-type]
    plain = PartnerClient("http://127.0.0.1:1", "secret").create_application({"facebook": 2}, **given)  # type: ignore[arg-type]
    assert typed.application_id == plain["application_id"] == CREATED["application_id"]
    first, second = sent
    assert first == second
    assert first["method"] == "POST"
    assert first["url"] == "http://127.0.0.1:1/applications"
    assert first["headers"] == {"Authorization": "Bearer secret", "Idempotency-Key": "key-1"}
    assert first["json"] == {
        "consent": {**DEFAULT_CONSENT, "granted_at": 7},
        "sources": {"facebook": 2},
        "x_handle": "asharao",
        "reference": "loan-42",
    }


def test_the_local_client_can_consent_to_model_development(sent: list[dict[str, Any]]) -> None:
    PartnerClient("http://127.0.0.1:1", "secret").create_application(
        {"linkedin": 1}, consent_granted_at=5, model_development=True
    )
    assert sent[0]["json"]["consent"] == {**DEFAULT_CONSENT, "model_development": True, "granted_at": 5}
    assert "model_development" not in DEFAULT_CONSENT, "the default consent is not changed"
