"""The applicant's link on the local stack (real authorizer, real API, real pipeline): a token reaches only its own
application's applicant routes, never another application or a partner route; revoked, replaced and erased links
are refused; the applicant uploads, follows the stages, reads the result in plain words and erases; the partner's
list shows reference and score with a status filter and a reference search; a rescore says when nothing changed."""

from __future__ import annotations

import hashlib
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from boto3.dynamodb.conditions import Attr

from credscore import texts
from credscore_local.client import ApiError, upload
from credscore_local.deployment import REGION

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CONSENT = {"granted": True, "notice_version": "2026-11"}


def _call(stack: Any, token: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(
        method, stack.api_url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs
    )


def _token(created: dict[str, Any]) -> str:
    url = created["applicant_url"]
    assert "#t=" in url, url
    token = url.split("#t=", 1)[1]
    assert token == created["applicant_token"]
    return str(token)


def _table(stack: Any) -> Any:
    return boto3.resource("dynamodb", endpoint_url=stack.endpoint, region_name=REGION).Table(
        stack.deployed.table
    )


def _meta(stack: Any, application_id: str) -> dict[str, Any]:
    table = _table(stack)
    return dict(table.get_item(Key={"pk": f"APP#{application_id}", "sk": "META"})["Item"])


def test_a_link_reaches_its_own_applicant_routes_only(stack: Any, partner: Any, other_partner: Any) -> None:
    mine = partner.create_application({"linkedin": 1}, reference=f"ref-{uuid.uuid4().hex[:6]}")
    theirs = other_partner.create_application({"facebook": 1})
    token, other_token = _token(mine), _token(theirs)
    assert token.startswith(mine["application_id"] + ".")
    assert len(token.split(".", 1)[1]) == 43  # 256 random bits
    assert mine["upload_until"] > time.time() + 3600
    assert mine["view_until"] > mine["upload_until"]

    # Only the hash is stored, on the application item.
    item = _meta(stack, mine["application_id"])
    assert item["applicant_token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(item)

    status = _call(stack, token, "GET", "/applicant/application")
    assert status.status_code == 200, status.text
    assert status.json()["application_id"] == mine["application_id"]
    assert status.json()["stage"] == "collecting"
    assert status.json()["consented"] is False

    # Never a partner route, not even its own application's, and never another application.
    for method, path in [
        ("GET", "/applications"),
        ("GET", f"/applications/{mine['application_id']}"),
        ("GET", f"/applications/{mine['application_id']}/result"),
        ("DELETE", f"/applications/{mine['application_id']}"),
        ("DELETE", f"/applications/{mine['application_id']}/applicant-token"),
        ("GET", f"/applications/{theirs['application_id']}"),
    ]:
        refused = _call(stack, token, method, path)
        assert refused.status_code == 403, (method, path, refused.text)
    assert partner.application(mine["application_id"])["status"] == "collecting"
    forged = theirs["application_id"] + "." + token.split(".", 1)[1]
    assert _call(stack, forged, "GET", "/applicant/application").status_code == 403
    assert (
        _call(stack, other_token, "GET", "/applicant/application").json()["application_id"]
        == (theirs["application_id"])
    )
    # A partner key is no applicant link.
    assert _call(stack, partner.api_key, "GET", "/applicant/application").status_code == 403

    # Revoked by the partner: refused at once. Another partner cannot revoke it.
    with pytest.raises(ApiError) as not_theirs:
        other_partner._call("DELETE", f"/applications/{mine['application_id']}/applicant-token")
    assert not_theirs.value.status == 404
    revoked = partner._call("DELETE", f"/applications/{mine['application_id']}/applicant-token")
    assert revoked == {"application_id": mine["application_id"], "revoked": True}
    assert _call(stack, token, "GET", "/applicant/application").status_code == 403
    assert "applicant_token_hash" not in _meta(stack, mine["application_id"])

    # A new link works, the earlier one still not.
    fresh = partner._call("POST", f"/applications/{mine['application_id']}/applicant-token")
    assert _call(stack, fresh["applicant_token"], "GET", "/applicant/application").status_code == 200
    assert _call(stack, token, "GET", "/applicant/application").status_code == 403


def test_the_applicant_uploads_follows_reads_and_erases(stack: Any, partner: Any) -> None:
    reference = f"loan-{uuid.uuid4().hex[:8]}"
    created = partner.create_application({"linkedin": 1}, reference=reference)
    token = _token(created)
    application_id = created["application_id"]

    # No forms without the applicant's own consent.
    assert _call(stack, token, "POST", "/applicant/uploads", json={}).status_code == 422
    forms = _call(stack, token, "POST", "/applicant/uploads", json=CONSENT)
    assert forms.status_code == 200, forms.text
    [form] = forms.json()["uploads"]
    assert form["platform"] == "linkedin"
    upload(form, SAMPLES / "linkedin.zip")

    stages = set()
    deadline = time.time() + 180
    while time.time() < deadline:
        state = _call(stack, token, "GET", "/applicant/application").json()
        stages.add(state["stage"])
        if state["status"] in {"scored", "failed"}:
            break
        time.sleep(0.3)
    assert state["status"] == "scored", state
    assert state["consented"] is True
    assert state["uploads_open"] is False
    assert stages <= {"collecting", "ingest", "analyses", "scored"}
    [source] = state["sources"]
    assert source["platform"] == "linkedin"
    assert source["status_text"] == texts.source_status("parsed")

    # Uploads end when the application stops collecting.
    late = _call(stack, token, "POST", "/applicant/uploads", json=CONSENT)
    assert late.status_code == 403
    assert late.json()["error"] == "not_collecting"

    result = _call(stack, token, "GET", "/applicant/result").json()
    stored = partner.result(application_id)["result"]
    assert result["score"] == stored["normalised_score"]
    assert result["coverage"] == stored["coverage"]["ratio"]
    # What was analysed: the same sentences the partner reads, texts, names and photos.
    assert result["analysed"] == partner.result(application_id)["analysed"]
    assert len(result["analysed"]) == 3
    assert all(s.endswith(".") for s in result["analysed"])
    labels = {f["feature"]: f["label"] for f in result["features"]}
    assert labels["skills"] == texts.feature_label("skills") == "Skills listed"
    assert [r["code"] for r in result["reasons"]] == [r["code"] for r in stored["reasons"]]
    for reason in result["reasons"]:
        assert reason["text"] == texts.reason_text(reason["code"])
        assert "_" not in reason["text"]

    # The partner's list: reference, score, filter, search.
    listed = partner._call("GET", "/applications", params={"reference": reference})["applications"]
    assert [a["application_id"] for a in listed] == [application_id]
    assert listed[0]["reference"] == reference
    assert listed[0]["score"] == pytest.approx(stored["normalised_score"], abs=0.05)
    assert listed[0]["updated_at"] >= listed[0]["created_at"]
    assert (
        partner._call("GET", "/applications", params={"reference": reference, "status": "failed"})[
            "applications"
        ]
        == []
    )
    scored = partner._call("GET", "/applications", params={"status": "scored", "limit": 100})["applications"]
    assert application_id in {a["application_id"] for a in scored}
    assert {a["status"] for a in scored} == {"scored"}
    # Same configuration, same score: nothing changed, and nothing stored.
    again = partner.rescore(application_id)
    assert again["changed"] is False
    assert "Nothing changed" in again["message"]
    assert again["result"] == stored

    erased = _call(stack, token, "DELETE", "/applicant/application")
    assert erased.status_code == 200, erased.text
    assert erased.json()["status"] == "erased"
    assert erased.json()["records_deleted"] >= 3
    assert partner.application(application_id)["status"] == "erased"
    assert _call(stack, token, "GET", "/applicant/application").status_code == 403
    table = _table(stack)
    leftovers = table.scan(FilterExpression=Attr("pk").eq(f"APP#{application_id}"))["Items"]
    assert [i["sk"] for i in leftovers] == ["META"]


def test_the_applicant_scores_with_what_arrived(stack: Any, partner: Any) -> None:
    created = partner.create_application({"linkedin": 1, "facebook": 1})
    token = _token(created)
    early = _call(stack, token, "POST", "/applicant/submit")
    assert early.status_code == 409  # nothing uploaded yet
    forms = _call(stack, token, "POST", "/applicant/uploads", json=CONSENT).json()["uploads"]
    assert {f["platform"] for f in forms} == {"linkedin", "facebook"}
    upload(next(f for f in forms if f["platform"] == "linkedin"), SAMPLES / "linkedin.zip")
    # Only the missing part is offered again.
    again = _call(stack, token, "POST", "/applicant/uploads", json=CONSENT).json()["uploads"]
    deadline = time.time() + 30
    while {f["platform"] for f in again} != {"facebook"} and time.time() < deadline:
        time.sleep(0.3)
        again = _call(stack, token, "POST", "/applicant/uploads", json=CONSENT).json()["uploads"]
    assert {f["platform"] for f in again} == {"facebook"}
    submitted = _call(stack, token, "POST", "/applicant/submit")
    assert submitted.status_code == 200, submitted.text
    state = partner.wait(created["application_id"])
    assert state["status"] == "scored", state
    mine = _call(stack, token, "GET", "/applicant/application").json()
    assert {s["platform"]: s["status"] for s in mine["sources"]} == {
        "linkedin": "parsed",
        "facebook": "absent",
    }
    absent = next(s for s in mine["sources"] if s["platform"] == "facebook")
    assert absent["reason"] == texts.source_reason("not_uploaded")


def test_an_x_handle_without_the_x_token_fails_with_a_safe_message(stack: Any, partner: Any) -> None:
    created = partner.create_application({}, x_handle="someone_real")
    token = _token(created)
    deadline = time.time() + 120
    while time.time() < deadline:
        state = _call(stack, token, "GET", "/applicant/application").json()
        if state["status"] in {"scored", "failed"}:
            break
        time.sleep(0.3)
    assert state["status"] == "failed", state
    # The X source says why in plain words; the failure is that no source could be read.
    assert state["error"]["code"] == "no_usable_source", state
    assert state["error"]["message"] == texts.error_message("no_usable_source")
    (x,) = state["sources"]
    assert x["reason_code"] == "x_not_configured"
    assert x["reason"] == texts.source_reason("x_not_configured")
    assert "ParameterNotFound" not in str(state)
    assert "GetParameter" not in str(state)


def test_a_replayed_create_issues_a_new_link_and_stores_no_token(stack: Any, partner: Any) -> None:
    key = f"order-{uuid.uuid4().hex}"
    granted_at = int(time.time()) - 5
    first = partner.create_application({"linkedin": 1}, idempotency_key=key, consent_granted_at=granted_at)
    again = partner.create_application({"linkedin": 1}, idempotency_key=key, consent_granted_at=granted_at)
    assert again["application_id"] == first["application_id"]
    assert again["applicant_token"] != first["applicant_token"]
    assert _call(stack, again["applicant_token"], "GET", "/applicant/application").status_code == 200
    assert _call(stack, first["applicant_token"], "GET", "/applicant/application").status_code == 403
    # The idempotency record keeps the creation's answer, never a token.
    idempotency = boto3.resource("dynamodb", endpoint_url=stack.endpoint, region_name=REGION).Table(
        stack.deployed.refs["IdempotencyTable"]
    )
    records = str(idempotency.scan()["Items"])
    assert first["application_id"] in records
    assert first["applicant_token"].split(".", 1)[1] not in records
    assert again["applicant_token"].split(".", 1)[1] not in records
