"""Every operation of the published document says what it answers: a 2xx with a schema, and the HTTP API's own
401 (no key), 403 (unknown key) and 429 (throttled); operations with a JSON body also 413 and 415, operations on
one application 404. The typed client (`credscore_client`) covers every operation."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from credscore_client import CredscoreClient

DOCUMENT = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())
OPERATIONS = [
    (method, path, operation)
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
    if method in ("get", "put", "post", "delete", "patch")
]


def _ids() -> list[str]:
    return [f"{m.upper()} {p}" for m, p, _ in OPERATIONS]


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=_ids())
def test_operation_documents_a_2xx_schema_and_the_gateway_errors(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    responses = operation["responses"]
    successes = [code for code in responses if code.startswith("2")]
    assert successes, "no 2xx documented"
    for code in successes:
        content = responses[code].get("content") or {}
        assert content, f"{code} has no content"
        assert all(media.get("schema") for media in content.values()), f"{code} has no schema"
    for code in ("401", "403", "429"):
        assert code in responses, f"{code} undocumented"
        assert responses[code]["content"]["application/json"]["schema"], code
    if "requestBody" in operation:
        assert {"413", "415", "422"} <= set(responses)
    if "{application_id}" in path:
        assert "404" in responses


def test_the_document_has_every_operation_of_the_api() -> None:
    assert len(OPERATIONS) >= 13
    assert {"put /webhook", "post /webhook/rotate-secret", "get /webhook/deliveries"} <= {
        f"{m} {p}" for m, p, _ in OPERATIONS
    }


def test_the_client_has_a_method_for_every_operation() -> None:
    source = inspect.getsource(CredscoreClient)
    for method, path, _ in OPERATIONS:
        # paths with a parameter are f-strings in the client
        needle = f'"{method.upper()}", f"{path}"' if "{" in path else f'"{method.upper()}", "{path}"'
        assert needle in source, f"no client method calls {method.upper()} {path}"
