"""What a partner and an admin do around one application, on the local stack: rescoring after a weights change,
the last good configuration staying in force, idempotent creation, submitting early, re-uploading, racing
uploads, and erasure."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credscore_aws.dal.config_store import ConfigStore
from credscore_local.client import ApiError, upload
from tests.exports import assert_no_raw_data_left
from tests.stack_items import application_items

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _scored(partner: Any, files: dict[str, Path]) -> str:
    created = partner.create_application({p: 1 for p in files})
    for form in created["uploads"]:
        upload(form, files[form["platform"]])
    state = partner.wait(created["application_id"])
    assert state["status"] == "scored", state
    return str(created["application_id"])


@pytest.fixture
def config_store(stack: Any) -> Iterator[ConfigStore]:
    """The admin's view of the scoring configuration; whatever a test writes is rolled back afterwards."""
    store = ConfigStore(stack.client("ssm"), stack.deployed.config_parameter)
    before = store.load_fresh().parameter_version
    yield store
    if store.load_fresh().parameter_version != before:
        store.rollback(before)


def test_changing_weights_changes_the_score_without_a_new_upload(
    partner: Any, config_store: ConfigStore
) -> None:
    application_id = _scored(partner, {"linkedin": SAMPLES / "linkedin.zip"})
    first = partner.result(application_id)["result"]
    config = json.loads(config_store.text_of(first["config_parameter_version"]))
    skills = config["scorecard"]["characteristics"]["skills"]
    for knot in skills["knots"]:
        knot["points"] = knot["points"] / 2
    skills["missing_points"] /= 2
    skills["reference_points"] /= 2
    config["version"] = "half-skills"
    new_version = config_store.set(json.dumps(config))

    second = partner.rescore(application_id)["result"]
    assert second["config_parameter_version"] == new_version
    assert second["config_version"] == "half-skills"
    assert second["rescored_from"] == first["config_parameter_version"]
    skills_before = next(f for f in first["breakdown"] if f["feature"] == "skills")
    skills_after = next(f for f in second["breakdown"] if f["feature"] == "skills")
    assert skills_after["weight"] == skills_before["weight"] / 2
    assert skills_after["points"] == pytest.approx(skills_before["points"] / 2)
    assert second["total_points"] < first["total_points"]
    assert partner.result(application_id)["result"]["config_version"] == "half-skills", (
        "the rescore is stored"
    )


def test_a_bad_configuration_written_behind_the_admin_tool_leaves_the_last_good_one_in_force(
    stack: Any, partner: Any, config_store: ConfigStore
) -> None:
    application_id = _scored(partner, {"linkedin": SAMPLES / "linkedin.zip"})
    good = config_store.load_fresh().parameter_version
    stack.client("ssm").put_parameter(
        Name=stack.deployed.config_parameter,
        Value='{"version": "bad", "scorecard": {"scaling": {"pdo": -5}}}',
        Type="String",
        Overwrite=True,
    )
    result = partner.rescore(application_id)["result"]
    assert result["config_parameter_version"] == good
    assert result["config_fallback_used"] is True
    assert "scorecard.scaling.pdo" in result["config_error"]


def test_create_is_idempotent_per_key_and_body(partner: Any) -> None:
    # A retry resends the very same body (consent time included), whenever it happens.
    granted_at = int(time.time()) - 5
    first = partner.create_application(
        {"linkedin": 1}, idempotency_key="order-42", consent_granted_at=granted_at
    )
    again = partner.create_application(
        {"linkedin": 1}, idempotency_key="order-42", consent_granted_at=granted_at
    )
    assert again["application_id"] == first["application_id"]
    assert again["uploads"][0]["fields"]["key"] == first["uploads"][0]["fields"]["key"]
    with pytest.raises(ApiError) as exc:
        partner.create_application({"facebook": 1}, idempotency_key="order-42", consent_granted_at=granted_at)
    assert exc.value.status == 409
    other = partner.create_application({"linkedin": 1}, idempotency_key="order-43")
    assert other["application_id"] != first["application_id"]


def test_a_replayed_create_after_erasure_hands_out_nothing(stack: Any, partner: Any) -> None:
    granted_at = int(time.time()) - 5
    first = partner.create_application(
        {"linkedin": 1}, idempotency_key="order-77", consent_granted_at=granted_at
    )
    application_id = first["application_id"]
    partner.erase(application_id)
    meta = stack.client("dynamodb").get_item(
        TableName=stack.deployed.table, Key={"pk": {"S": f"APP#{application_id}"}, "sk": {"S": "META"}}
    )["Item"]
    with pytest.raises(ApiError) as exc:
        partner.create_application({"linkedin": 1}, idempotency_key="order-77", consent_granted_at=granted_at)
    assert exc.value.status == 410, exc.value.body
    assert exc.value.body["error"] == "erased"
    assert set(exc.value.body) == {"error", "message"}, "no forms and no link"
    after = stack.client("dynamodb").get_item(
        TableName=stack.deployed.table, Key={"pk": {"S": f"APP#{application_id}"}, "sk": {"S": "META"}}
    )["Item"]
    assert after == meta, "the tombstone is not touched (no link issued on it)"


def test_a_replayed_create_after_scoring_gives_no_forms(partner: Any) -> None:
    granted_at = int(time.time()) - 5
    first = partner.create_application(
        {"linkedin": 1}, idempotency_key="order-78", consent_granted_at=granted_at
    )
    upload(first["uploads"][0], SAMPLES / "linkedin.zip")
    assert partner.wait(first["application_id"])["status"] == "scored"
    again = partner.create_application(
        {"linkedin": 1}, idempotency_key="order-78", consent_granted_at=granted_at
    )
    assert again["application_id"] == first["application_id"]
    assert again["status"] == "scored"
    assert again["uploads"] == [], "nothing more to upload: a form would only make a late upload"


def test_submit_scores_with_what_arrived_and_reports_the_rest_absent(partner: Any) -> None:
    created = partner.create_application({"linkedin": 1, "facebook": 1})
    forms = {f["platform"]: f for f in created["uploads"]}
    with pytest.raises(ApiError) as exc:
        partner.submit(created["application_id"])
    assert exc.value.status == 409, "nothing uploaded yet"
    upload(forms["linkedin"], SAMPLES / "linkedin.zip")
    partner.submit(created["application_id"])
    state = partner.wait(created["application_id"])
    assert state["status"] == "scored"
    sources = {s["platform"]: s for s in state["sources"]}
    assert sources["linkedin"]["status"] == "parsed"
    assert sources["facebook"]["status"] == "absent"
    assert sources["facebook"]["reason_code"] == "not_uploaded"


def test_a_reupload_before_scoring_replaces_the_earlier_file(partner: Any) -> None:
    created = partner.create_application({"linkedin": 1, "facebook": 1})
    forms = {f["platform"]: f for f in created["uploads"]}
    upload(forms["linkedin"], b"oops, the wrong file")
    upload(forms["linkedin"], SAMPLES / "linkedin.zip")
    upload(forms["facebook"], SAMPLES / "facebook.zip")
    state = partner.wait(created["application_id"])
    assert state["status"] == "scored"
    assert {s["platform"]: s["status"] for s in state["sources"]} == {
        "linkedin": "parsed",
        "facebook": "parsed",
    }


def test_racing_uploads_score_exactly_once(stack: Any, partner: Any) -> None:
    files = {p: SAMPLES / f"{p}.zip" for p in ("facebook", "linkedin", "instagram", "x")}
    created = partner.create_application({p: 1 for p in files})
    barrier = threading.Barrier(len(files))

    def send(form: dict[str, Any]) -> None:
        barrier.wait()
        upload(form, files[form["platform"]])

    threads = [threading.Thread(target=send, args=(f,)) for f in created["uploads"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert partner.wait(created["application_id"])["status"] == "scored"
    executions = [
        e for e in stack.wait_for_executions() if created["application_id"] in (e.get("output") or "")
    ]
    assert len(executions) == 4
    assert sum('"status": "scored"' in e["output"] for e in executions) == 1
    audit = [
        i["event"]
        for i in application_items(stack, created["application_id"])
        if i["sk"].startswith("AUDIT#")
    ]
    assert audit.count("claimed") == 1
    assert audit.count("scored") == 1


def test_erasure_leaves_nothing_behind(stack: Any, partner: Any) -> None:
    application_id = _scored(partner, {"linkedin": SAMPLES / "linkedin.zip"})
    receipt = partner.erase(application_id)
    assert receipt["status"] == "erased"
    assert receipt["records_deleted"] >= 4

    assert_no_raw_data_left(stack, application_id)
    items = application_items(stack, application_id)
    assert len(items) == 1, "only the tombstone is left"
    tombstone = items[0]
    assert tombstone["status"] == "erased"
    assert not {"consent", "x_handle", "source_reports", "archive_hashes", "reference", "doc"} & set(
        tombstone
    )

    assert partner.application(application_id)["status"] == "erased"
    with pytest.raises(ApiError) as exc:
        partner.result(application_id)
    assert exc.value.status == 410, "gone for good"


def test_applications_are_listed_a_page_at_a_time(stack: Any) -> None:
    from credscore_local.client import PartnerClient
    from credscore_local.partners import register_partner

    api_key = secrets.token_urlsafe(24)
    register_partner(stack, "partner-paging", "Paging Partner", api_key)
    client = PartnerClient(stack.api_url, api_key)
    created = {client.create_application({"linkedin": 1})["application_id"] for _ in range(3)}

    first = client.list_applications(limit=2)
    assert len(first["applications"]) == 2
    assert first["next_token"]
    second = client.list_applications(limit=2, next_token=first["next_token"])
    assert second.get("next_token") is None
    listed = first["applications"] + second["applications"]
    assert {a["application_id"] for a in listed} == created
    assert [a["created_at"] for a in listed] == sorted((a["created_at"] for a in listed), reverse=True)

    with pytest.raises(ApiError) as bad_token:
        client.list_applications(next_token="not-a-token")
    assert bad_token.value.status == 422
    with pytest.raises(ApiError) as bad_limit:
        client.list_applications(limit=0)
    assert bad_limit.value.status == 422


def _posted(form: dict[str, Any], data: bytes, **field_changes: str) -> Any:
    """POST `data` to a presigned form as a browser would (the response, not raised)."""
    import requests

    fields = {**form["fields"], **field_changes}
    return requests.post(
        form["url"], data=fields, files={"file": ("export.zip", data, "application/zip")}, timeout=60
    )


def test_an_upload_its_form_does_not_allow_is_refused_as_s3_refuses_it(stack: Any, partner: Any) -> None:
    # moto stored an upload over the form's size limit, or of another content type, and the pipeline read it;
    # S3 refuses it before storing a byte (the local stack now checks the form's policy as S3 does).
    previous = stack.faults.reconfigure("ApiFunction", env={"MAX_UPLOAD_BYTES": "4096"})
    try:
        created = partner.create_application({"linkedin": 1})
    finally:
        stack.faults.restore("ApiFunction", previous)
    (form,) = created["uploads"]
    assert form["max_bytes"] == 4096

    too_large = _posted(form, b"x" * 4097)
    assert too_large.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in too_large.text
    other_type = _posted(form, b"x" * 10, **{"Content-Type": "text/plain"})
    assert other_type.status_code == 403
    assert "Policy Condition failed" in other_type.text
    extra_field = _posted(form, b"x" * 10, **{"x-amz-meta-note": "hello"})
    assert extra_field.status_code == 403
    assert "Extra input fields: x-amz-meta-note" in extra_field.text

    stored = stack.client("s3").list_objects_v2(
        Bucket=stack.deployed.bucket, Prefix=f"uploads/{created['application_id']}/"
    )
    assert stored["KeyCount"] == 0, "nothing was stored"
    state = partner.application(created["application_id"])
    assert (state["status"], state["received"]) == ("collecting", [])
