"""A partner reaches only its own applications, on every route, and erasure leaves nothing at any stage.

The route table below is checked against the routes the API handler registers: a new route makes the test fail
until it is added here with what another partner must get (404, the same answer as for an application that does
not exist, so nothing tells one from the other)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from credscore.application import new_application_id
from credscore_aws.dal.repository import TOMBSTONE_FIELDS
from credscore_local.client import upload
from tests.stack_items import application_items

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


def registered_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the API handler serves, read from the handler itself."""
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    spec = importlib.util.spec_from_file_location("api_app_for_routes", REPO / "functions" / "api" / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {(r.method, r.path) for r in module.app._static_routes + module.app._dynamic_routes}


@dataclass(frozen=True)
class Route:
    """How to call one route, and what the owner of a scored application gets (None: not per-application;
    `why` then says how it is kept to the caller's own data)."""

    owner_status: int | None
    body: dict[str, Any] | None = None
    why: str = ""


APP = "/applications/<application_id>"
ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/docs"): Route(None, why="the API description: no application data"),
    ("POST", "/applications"): Route(None, why="creates an application of the caller; names no other"),
    ("GET", "/applications"): Route(None, why="lists the caller's partition only: checked below"),
    ("GET", APP): Route(200),
    ("GET", f"{APP}/result"): Route(200),
    ("GET", f"{APP}/report"): Route(200),
    ("POST", f"{APP}/submit"): Route(409),  # the owner's application is already scored
    ("POST", f"{APP}/rescore"): Route(200),
    # A valid body: a 422 of validation would come before, and hide, the ownership check. Reported before read.
    ("PUT", f"{APP}/outcome"): Route(
        200, body={"outcome": "good", "observed_at": dt.date.today().isoformat()}
    ),
    ("GET", f"{APP}/outcome"): Route(200),
    ("POST", f"{APP}/applicant-token"): Route(200),
    ("DELETE", f"{APP}/applicant-token"): Route(200),
    ("PUT", "/webhook"): Route(None, why="the caller's own registration, keyed by the caller's partner id"),
    ("GET", "/webhook"): Route(None, why="the caller's own registration"),
    ("DELETE", "/webhook"): Route(None, why="the caller's own registration"),
    ("POST", "/webhook/rotate-secret"): Route(None, why="the caller's own registration"),
    ("GET", "/webhook/deliveries"): Route(None, why="the caller's own log (tests/e2e/test_webhooks.py)"),
    ("GET", "/applicant/application"): Route(None, why="a link's token names its application; partners: 403"),
    ("POST", "/applicant/uploads"): Route(None, why="applicant link only (tests/e2e/test_applicant_link.py)"),
    ("POST", "/applicant/submit"): Route(None, why="applicant link only"),
    ("GET", "/applicant/result"): Route(None, why="applicant link only"),
    ("DELETE", "/applicant/application"): Route(None, why="applicant link only"),
    ("DELETE", APP): Route(200),  # the owner's call runs last
}


def test_the_route_table_covers_every_registered_route() -> None:
    registered = registered_routes()
    missing = registered - set(ROUTES)
    assert not missing, f"add these routes to ROUTES with what another partner must get: {sorted(missing)}"
    stale = set(ROUTES) - registered
    assert not stale, f"no longer registered, remove from ROUTES: {sorted(stale)}"


def _call(
    client: Any, method: str, path: str, application_id: str, body: dict[str, Any] | None
) -> requests.Response:
    return requests.request(
        method,
        client.base_url + path.replace("<application_id>", application_id),
        headers={"Authorization": f"Bearer {client.api_key}"},
        json=body,
        timeout=60,
    )


@pytest.fixture(scope="module")
def scored(partner: Any) -> str:
    created = partner.create_application({"linkedin": 1})
    upload(created["uploads"][0], SAMPLES / "linkedin.zip")
    assert partner.wait(created["application_id"])["status"] == "scored"
    return str(created["application_id"])


def test_another_partner_gets_404_on_every_route_and_changes_nothing(
    partner: Any, other_partner: Any, scored: str
) -> None:
    per_application = {k: v for k, v in ROUTES.items() if v.owner_status is not None}
    result_before = partner.result(scored)["result"]

    for (method, path), route in per_application.items():
        for application_id in (scored, new_application_id()):  # A's application, and one that never existed
            answer = _call(other_partner, method, path, application_id, route.body)
            assert answer.status_code == 404, (method, path, answer.status_code, answer.text)
            assert answer.json() == {"error": "not_found", "message": "no such application for this partner"}

    # Nothing another partner sent changed anything: not rescored, not erased.
    assert partner.application(scored)["status"] == "scored"
    assert partner.result(scored)["result"] == result_before
    listed = other_partner.list_applications(limit=100)["applications"]
    assert scored not in {a["application_id"] for a in listed}

    # The same calls from the owner do what the table says, so the 404s above were about ownership.
    for (method, path), route in sorted(per_application.items(), key=lambda kv: kv[0][0] == "DELETE"):
        answer = _call(partner, method, path, scored, route.body)
        assert answer.status_code == route.owner_status, (method, path, answer.status_code, answer.text)


# ---------------------------------------------------------------------------------------------------- erasure
def _objects(stack: Any, application_id: str) -> dict[str, int]:
    s3 = stack.client("s3")
    return {
        prefix: s3.list_objects_v2(Bucket=stack.deployed.bucket, Prefix=f"{prefix}/{application_id}/")[
            "KeyCount"
        ]
        for prefix in ("uploads", "work")
    }


def _assert_nothing_left(stack: Any, application_id: str) -> None:
    assert _objects(stack, application_id) == {"uploads": 0, "work": 0}
    items = application_items(stack, application_id)
    assert [i["sk"] for i in items] == ["META"], "every item but the tombstone is gone"
    assert items[0]["status"] == "erased"
    assert set(items[0]) <= TOMBSTONE_FIELDS, set(items[0]) - TOMBSTONE_FIELDS


def test_erasure_while_collecting_deletes_the_uploads_and_every_record(stack: Any, partner: Any) -> None:
    created = partner.create_application({"linkedin": 1, "facebook": 1})
    application_id = created["application_id"]
    upload(next(f for f in created["uploads"] if f["platform"] == "linkedin"), SAMPLES / "linkedin.zip")
    deadline = time.time() + 60
    while partner.application(application_id)["received"] != ["linkedin/1"]:
        assert time.time() < deadline, "the upload was never recorded"
        time.sleep(0.2)
    assert partner.application(application_id)["status"] == "collecting"
    assert _objects(stack, application_id) == {"uploads": 1, "work": 0}
    # The application, the audit entries of its creation, its applicant link and its upload.
    records = len(application_items(stack, application_id))

    receipt = partner.erase(application_id)
    assert receipt["objects_deleted"] == 1
    assert receipt["records_deleted"] == records == 4
    _assert_nothing_left(stack, application_id)


def test_erasure_after_scoring_deletes_the_result_features_and_audit_trail(stack: Any, partner: Any) -> None:
    created = partner.create_application({"linkedin": 1})
    application_id = created["application_id"]
    upload(created["uploads"][0], SAMPLES / "linkedin.zip")
    assert partner.wait(application_id)["status"] == "scored"
    kinds = {i["sk"].split("#")[0] for i in application_items(stack, application_id)}
    assert kinds == {"META", "RESULT", "FEATURES", "AUDIT"}
    # Without an erasure, every record still ends: DynamoDB's TTL deletes each at the retention's end.
    retention = int(stack.parameters["ResultRetentionDays"]) * 86400
    meta = next(i for i in application_items(stack, application_id) if i["sk"] == "META")
    for item in application_items(stack, application_id):
        assert "expires_at" in item, item["sk"]
        if item["sk"] != "META":
            assert int(item["expires_at"]) <= int(meta["expires_at"]) + 600, (item["sk"], "outlives the META")
        assert int(item["expires_at"]) <= time.time() + retention + 60, item["sk"]
    records = len(application_items(stack, application_id))
    assert _objects(stack, application_id) == {"uploads": 0, "work": 0}, "scoring already purged the raw data"

    receipt = partner.erase(application_id)
    assert receipt["objects_deleted"] == 0
    assert receipt["records_deleted"] == records
    _assert_nothing_left(stack, application_id)
    again = partner.erase(application_id)
    assert (again["objects_deleted"], again["records_deleted"]) == (0, 0), "erasing again is harmless"


# Erasure while processing, at every state boundary of the real state machine, with the receipt's object count
# checked against what was there: tests/reliability/test_erasure_races.py.
