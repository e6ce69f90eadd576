"""Erasure wins every race with a running pipeline, on the real state machine of the local stack.

The partner erases the application at each state boundary (a hook runs the erasure while the state machine waits
on that state); afterwards nothing of the application is left (no object under its upload or work prefix, only
the tombstone in DynamoDB, no result), nothing comes back later, the execution ends quietly (no failure recorded)
and the receipt counts exactly the objects that were there. A late upload with a still-valid form (after erasure,
after scoring, after failure) is deleted at once and the record is not touched."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from credscore.application import profile_key, upload_prefix, work_prefix
from credscore_aws.dal.repository import TOMBSTONE_FIELDS
from credscore_local.client import ApiError, upload
from credscore_local.faults import Hook, hooked, mentions
from tests.exports import small_applicant
from tests.stack_items import application_items

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return small_applicant(tmp_path_factory.mktemp("exports"))


def objects(stack: Any, application_id: str) -> list[str]:
    s3 = stack.client("s3")
    keys: list[str] = []
    for prefix in (upload_prefix(application_id), work_prefix(application_id)):
        keys += [
            o["Key"]
            for o in s3.list_objects_v2(Bucket=stack.deployed.bucket, Prefix=prefix).get("Contents", [])
        ]
    return keys


def executions(
    stack: Any, application_id: str, at_least: int = 1, timeout: float = 240.0
) -> list[dict[str, Any]]:
    """The application's executions once at least `at_least` exist and all have finished."""
    sfn = stack.client("stepfunctions")
    deadline = time.time() + timeout
    while True:
        pages = sfn.get_paginator("list_executions").paginate(
            stateMachineArn=stack.deployed.state_machine_arn
        )
        described = [
            sfn.describe_execution(executionArn=e["executionArn"]) for p in pages for e in p["executions"]
        ]
        mine = [d for d in described if application_id in d.get("input", "")]
        if len(mine) >= at_least and all(d["status"] != "RUNNING" for d in mine):
            return mine
        if time.time() > deadline:
            raise TimeoutError(f"{len(mine)} executions, some still running")
        time.sleep(0.3)


def states_entered(stack: Any, execution: dict[str, Any]) -> list[str]:
    events = stack.client("stepfunctions").get_execution_history(
        executionArn=execution["executionArn"], maxResults=1000
    )["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def assert_erased(stack: Any, partner: Any, application_id: str, created_at: int) -> None:
    """Nothing of the application is left: no object, only the tombstone (no personal field, no result)."""
    assert objects(stack, application_id) == []
    records = application_items(stack, application_id)
    assert [r["sk"] for r in records] == ["META"], records
    assert records[0]["status"] == "erased"
    assert set(records[0]) <= TOMBSTONE_FIELDS, set(records[0]) - TOMBSTONE_FIELDS
    view = partner.application(application_id)
    assert view["status"] == "erased"
    assert view["created_at"] == created_at, "the tombstone keeps when the application was made"
    assert view["sources"] == []
    assert view["received"] == []
    assert view["error"] is None
    for read in (partner.result, partner.rescore):
        with pytest.raises(ApiError) as gone:
            read(application_id)
        assert gone.value.status == 410, gone.value.body
        assert gone.value.body["error"] == "erased"


# (function, before or after its handler, the state the execution must end in, the event that must match)
BOUNDARIES: dict[str, tuple[str, str, str, str]] = {
    "after ReceiveUpload claimed it": ("ReceiveUploadFunction", "after", "Erased", '"ready": true'),
    "after Ingest wrote the profile": ("IngestFunction", "after", "Erased", ""),
    "while the photo Map runs": ("AnalyzeImagesFunction", "before", "Erased", ""),
    "before Score": ("ScoreFunction", "before", "Erased", ""),
    "after Score": ("ScoreFunction", "after", "Score", ""),
}


@pytest.mark.parametrize("boundary", list(BOUNDARIES))
def test_an_erasure_at_every_state_boundary_wins(
    stack: Any, partner: Any, exports: dict[str, Path], boundary: str
) -> None:
    function, when, final_state, payload_has = BOUNDARIES[boundary]
    created = partner.create_application({"linkedin": 1, "facebook": 1})
    application_id = created["application_id"]
    created_at = partner.application(application_id)["created_at"]
    seen: dict[str, Any] = {}

    def erase(event: Any, payload: str | None) -> None:
        if "receipt" in seen or (payload is not None and payload_has not in payload):
            return  # e.g. the upload that was not the last one: nothing claimed yet
        seen["objects"] = objects(stack, application_id)
        seen["receipt"] = partner.erase(application_id)

    failures = stack.pool("RecordFailureFunction")
    failures_before = failures.invocations
    with hooked(stack.pool(function), Hook(when, erase, mentions(application_id), times=2)) as hook:  # type: ignore[arg-type]
        for form in created["uploads"]:
            upload(form, exports[form["platform"]])
        runs = executions(stack, application_id, at_least=2)
    hook.check()
    assert "receipt" in seen, "the erasure ran at the boundary"

    # The receipt counts what was there when the erasure listed it: what the hook saw, and any result the text or
    # profanity branch stored in between (they run beside the photo Map; assert_erased checks none is left).
    receipt = seen["receipt"]
    stored_meanwhile = receipt["objects_deleted"] - len(seen["objects"])
    assert 0 <= stored_meanwhile <= (2 if function == "AnalyzeImagesFunction" else 0), seen["objects"]
    if boundary != "after Score":
        assert any(k.startswith(upload_prefix(application_id)) for k in seen["objects"])
    if boundary not in ("after ReceiveUpload claimed it", "after Score"):
        assert profile_key(application_id) in seen["objects"]
    assert receipt["records_deleted"] >= 2

    assert_erased(stack, partner, application_id, created_at)
    assert all(r["status"] == "SUCCEEDED" for r in runs), [(r["status"], r.get("error")) for r in runs]
    (run,) = [r for r in runs if "Ingest" in states_entered(stack, r)]
    entered = states_entered(stack, run)
    assert entered[-1] == final_state, entered
    assert "RecordFailure" not in entered
    assert failures.invocations == failures_before, "no failure recorded for an erased application"

    time.sleep(1.0)  # nothing comes back later either
    assert_erased(stack, partner, application_id, created_at)


def test_a_late_upload_after_erasure_is_deleted_and_never_touches_the_tombstone(
    stack: Any, partner: Any, exports: dict[str, Path]
) -> None:
    created = partner.create_application({"linkedin": 1, "facebook": 1})
    application_id = created["application_id"]
    created_at = partner.application(application_id)["created_at"]
    receipt = partner.erase(application_id)
    assert receipt["objects_deleted"] == 0
    assert receipt["records_deleted"] == 3, "the application, its creation entry and its applicant link entry"
    tombstone = application_items(stack, application_id)

    form = next(f for f in created["uploads"] if f["platform"] == "linkedin")
    upload(form, exports["linkedin"])  # the form is still valid: S3 takes it
    (run,) = executions(stack, application_id)
    assert json.loads(run["output"])["reason"] == "already_erased"
    assert_erased(stack, partner, application_id, created_at)
    assert application_items(stack, application_id) == tombstone, "not even a `received` entry"


@pytest.mark.parametrize("outcome", ["scored", "failed"])
def test_a_late_upload_after_the_application_finished_is_deleted_at_once(
    stack: Any, partner: Any, exports: dict[str, Path], outcome: str
) -> None:
    created = partner.create_application({"linkedin": 1})
    application_id = created["application_id"]
    if outcome == "failed":
        stack.inject_faults("IngestFunction", "ParserCrashed", "the parser hit a bug", times=1)
    upload(created["uploads"][0], exports["linkedin"])
    assert partner.wait(application_id)["status"] == outcome
    executions(stack, application_id)
    before = application_items(stack, application_id)

    upload(created["uploads"][0], exports["linkedin"])
    runs = executions(stack, application_id, at_least=2)
    late = [
        json.loads(r["output"])
        for r in runs
        if r["status"] == "SUCCEEDED" and "reason" in r.get("output", "")
    ]
    assert {"application_id": application_id, "ready": False, "reason": f"already_{outcome}"} in late
    assert objects(stack, application_id) == [], "deleted at once, not left for the one-day expiry"
    assert application_items(stack, application_id) == before, "the finished record is not touched"
    assert partner.application(application_id)["status"] == outcome
