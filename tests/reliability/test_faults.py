"""Fault injection on the local stack: after every fault each application is either scored or carries a clear
error, and nothing of its raw data is left behind."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credscore.application import upload_prefix
from credscore_local.client import upload
from tests.exports import assert_no_raw_data_left
from tests.stack_items import application_items

pytestmark = pytest.mark.e2e

LINKEDIN = Path(__file__).resolve().parents[2] / "samples" / "linkedin.zip"


def _run(partner: Any) -> dict[str, Any]:
    created = partner.create_application({"linkedin": 1})
    upload(created["uploads"][0], LINKEDIN)
    return dict(partner.wait(created["application_id"]))


@pytest.mark.parametrize(
    "function", ["IngestFunction", "AnalyzeTextFunction", "AnalyzeProfanityFunction", "ScoreFunction"]
)
def test_transient_failures_are_retried_with_backoff_then_succeed(
    stack: Any, partner: Any, function: str
) -> None:
    pool = stack.pool(function)
    calls_before = pool.invocations
    stack.inject_faults(function, "TransientError", "dependency hiccup", times=2)
    state = _run(partner)
    assert state["status"] == "scored", state
    assert pool.invocations - calls_before == 3, "two failed attempts, then the one that worked"
    result = partner.result(state["application_id"])["result"]
    assert result["analysis_failures"] == []
    assert_no_raw_data_left(stack, state["application_id"])


def test_a_permanent_ingest_failure_is_recorded_and_raw_data_purged(stack: Any, partner: Any) -> None:
    stack.inject_faults("IngestFunction", "ParserCrashed", "the parser hit a bug", times=1)
    state = _run(partner)
    assert state["status"] == "failed"
    assert state["error"] == {"code": "ParserCrashed", "message": "the parser hit a bug"}
    assert_no_raw_data_left(stack, state["application_id"])


def test_a_hanging_function_times_out_and_the_retry_succeeds(stack: Any, partner: Any) -> None:
    previous = stack.faults.reconfigure("AnalyzeTextFunction", timeout=2)
    try:
        pool = stack.pool("AnalyzeTextFunction")
        cold_before = pool.cold_starts
        stack.inject_hangs("AnalyzeTextFunction", seconds=6, times=1)
        state = _run(partner)
    finally:
        stack.faults.restore("AnalyzeTextFunction", previous)
    assert state["status"] == "scored", state
    assert partner.result(state["application_id"])["result"]["analysis_failures"] == []
    assert pool.cold_starts - cold_before == 2, "the timed-out environment was replaced by a fresh one"


def test_a_function_that_always_times_out_is_recorded_as_a_failed_analysis(stack: Any, partner: Any) -> None:
    previous = stack.faults.reconfigure("AnalyzeProfanityFunction", timeout=1)
    try:
        stack.inject_hangs("AnalyzeProfanityFunction", seconds=3, times=2)
        state = _run(partner)
    finally:
        stack.faults.restore("AnalyzeProfanityFunction", previous)
    assert state["status"] == "scored"
    failures = partner.result(state["application_id"])["result"]["analysis_failures"]
    assert [(f["analysis"], f["error"]) for f in failures] == [("profanity", "Sandbox.Timedout")]


@pytest.fixture
def parameter_store_unreachable(stack: Any) -> Iterator[None]:
    previous = stack.faults.reconfigure("ScoreFunction", env={"AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:9"})
    yield
    stack.faults.restore("ScoreFunction", previous)


def test_parameter_store_unreachable_is_retried_then_recorded(
    stack: Any, partner: Any, parameter_store_unreachable: None
) -> None:
    pool = stack.pool("ScoreFunction")
    calls_before = pool.invocations
    state = _run(partner)
    assert state["status"] == "failed"
    assert state["error"]["code"] == "TransientError"
    assert "Parameter Store" in state["error"]["message"]
    assert pool.invocations - calls_before == 4, "the first attempt and the three transient retries"
    assert_no_raw_data_left(stack, state["application_id"])


def test_duplicate_s3_events_score_once(stack: Any, partner: Any) -> None:
    state = _run(partner)
    application_id = state["application_id"]
    executions = [e for e in stack.wait_for_executions() if application_id in (e.get("output") or "")]
    (original,) = [e for e in executions if '"status": "scored"' in e["output"]]
    event = json.loads(original["input"])
    redelivered = {**event, "id": "redelivery-" + event["id"]}
    sqs = stack.client("sqs")
    for body in (event, event, redelivered):  # the same event twice, and a redelivery with a new id
        sqs.send_message(QueueUrl=stack.event_queue_url, MessageBody=json.dumps(body))
    # As in AWS (an EventBridge target starts an execution per delivery), every delivery runs; each late one
    # finds the application claimed and scored, and ends without touching it.
    deadline = time.time() + 60
    while True:
        mine = [e for e in stack.wait_for_executions() if application_id in (e.get("output") or "")]
        if len(mine) >= 4 or time.time() > deadline:
            break
        time.sleep(0.2)
    assert len(mine) == 4
    assert sum('"status": "scored"' in e["output"] for e in mine) == 1
    assert sum('"reason": "already_scored"' in e["output"] for e in mine) == 3
    assert partner.application(application_id)["status"] == "scored"


def test_one_failed_photo_batch_is_recorded_and_the_other_batches_still_count(
    stack: Any, partner: Any, tmp_path: Path
) -> None:
    from credscore.synth import make_export

    export = tmp_path / "facebook.zip"
    make_export("facebook", export, seed=11, layout="B", posts=20, photos=40, birth_year=1990)
    pool = stack.pool("AnalyzeImagesFunction")
    calls_before = pool.invocations
    stack.inject_faults("AnalyzeImagesFunction", "ModelCrashed", "the image model crashed", times=1)
    created = partner.create_application({"facebook": 1})
    upload(created["uploads"][0], export)
    state = partner.wait(created["application_id"], timeout=300)
    assert state["status"] == "scored", state
    assert pool.invocations - calls_before == 4, (
        "40 photos make four batches of ten; the failure is not retried"
    )
    result = partner.result(created["application_id"])["result"]
    assert [(f["analysis"], f["error"]) for f in result["analysis_failures"]] == [("images", "ModelCrashed")]
    images = next(f for f in result["breakdown"] if f["feature"] == "images")
    assert images["has_evidence"], "the three batches that ran still give evidence"
    assert_no_raw_data_left(stack, created["application_id"])


def test_an_upload_whose_pipeline_cannot_start_is_parked_with_its_error_then_replayed(
    stack: Any, partner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    state_machine = stack.deployed.state_machine_arn
    monkeypatch.setattr(stack.deployed, "state_machine_arn", state_machine + "-missing")
    created = partner.create_application({"linkedin": 1})
    upload(created["uploads"][0], LINKEDIN)
    parked = _parked(stack, created["application_id"], timeout=60)
    assert len(parked) == 1, "the event is parked, not dropped"
    attributes = parked[0]["MessageAttributes"]
    assert attributes["ERROR_CODE"]["StringValue"] == "StateMachineDoesNotExist"
    event = json.loads(parked[0]["Body"])
    assert event["detail"]["object"]["key"].startswith(upload_prefix(created["application_id"]))
    assert partner.application(created["application_id"])["status"] == "collecting"

    # The runbook's replay: start the pipeline with the parked event, then remove it from the queue.
    monkeypatch.undo()
    stack.client("stepfunctions").start_execution(stateMachineArn=state_machine, input=parked[0]["Body"])
    stack.client("sqs").delete_message(
        QueueUrl=stack.event_dead_letter_url, ReceiptHandle=parked[0]["ReceiptHandle"]
    )
    assert partner.wait(created["application_id"])["status"] == "scored"
    assert_no_raw_data_left(stack, created["application_id"])


def _executions_of(stack: Any, application_id: str, at_least: int = 1) -> list[dict[str, Any]]:
    """The application's executions (their input names it), described, once `at_least` exist and none runs."""
    deadline = time.time() + 180
    while True:
        mine = [e for e in stack.wait_for_executions() if application_id in e["input"]]
        if len(mine) >= at_least or time.time() > deadline:
            return mine
        time.sleep(0.2)


def _parked(stack: Any, application_id: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    """The application's messages in the upload-events dead-letter queue (received, not deleted)."""
    sqs = stack.client("sqs")
    parked: list[dict[str, Any]] = []
    deadline = time.time() + timeout
    while not parked and time.time() < deadline:
        messages = sqs.receive_message(
            QueueUrl=stack.event_dead_letter_url, MessageAttributeNames=["All"], WaitTimeSeconds=1
        ).get("Messages", [])
        parked = [m for m in messages if application_id in m["Body"]]
    return parked


def test_a_receive_upload_that_claimed_then_timed_out_is_retried_and_scores(stack: Any, partner: Any) -> None:
    """The attempt records the upload and claims the application, then answers too late (Sandbox.Timedout): the
    retry of the same execution finds its own claim and scores, instead of leaving the application processing."""
    previous = stack.faults.reconfigure("ReceiveUploadFunction", timeout=2)
    try:
        pool = stack.pool("ReceiveUploadFunction")
        calls_before = pool.invocations
        stack.inject_hangs("ReceiveUploadFunction", seconds=5, times=1, after_handler=True)
        state = _run(partner)
    finally:
        stack.faults.restore("ReceiveUploadFunction", previous)
    application_id = state["application_id"]
    assert state["status"] == "scored", state
    assert pool.invocations - calls_before == 2, "the attempt that claimed and timed out, then its retry"
    (execution,) = _executions_of(stack, application_id)
    assert execution["status"] == "SUCCEEDED"
    assert '"status": "scored"' in execution["output"]
    assert partner.result(application_id)["result"]["analysis_failures"] == []
    assert_no_raw_data_left(stack, application_id)


def test_a_receive_upload_that_keeps_failing_parks_its_event_which_a_replay_scores_once(
    stack: Any, partner: Any
) -> None:
    pool = stack.pool("ReceiveUploadFunction")
    calls_before = pool.invocations
    stack.inject_faults("ReceiveUploadFunction", "TransientError", "the table stayed busy", times=4)
    created = partner.create_application({"linkedin": 1})
    application_id = created["application_id"]
    upload(created["uploads"][0], LINKEDIN)
    (failed,) = _executions_of(stack, application_id)
    assert pool.invocations - calls_before == 5, (
        "the first attempt and its three transient retries, then DescribeParkedError"
    )
    assert (failed["status"], failed.get("error")) == ("FAILED", "UploadEventParked")

    sqs = stack.client("sqs")
    parked = _parked(stack, application_id)
    assert len(parked) == 1, "the event is parked, not lost"
    assert json.loads(parked[0]["Body"]) == json.loads(failed["input"]), "the execution's input, unchanged"
    attributes = parked[0]["MessageAttributes"]
    assert attributes["ERROR_CODE"]["StringValue"] == "TransientError"
    assert attributes["ERROR_MESSAGE"]["StringValue"] == "TransientError: the table stayed busy"
    assert attributes["EXECUTION_ARN"]["StringValue"] == failed["executionArn"]
    # Nothing recorded, nothing lost: still collecting, and the uploaded file is still there to be read.
    assert partner.application(application_id)["status"] == "collecting"
    s3 = stack.client("s3")
    listed = s3.list_objects_v2(Bucket=stack.deployed.bucket, Prefix=upload_prefix(application_id))
    assert listed.get("KeyCount") == 1

    # The runbook's replay: an execution with the parked body records the upload, claims and scores.
    sfn = stack.client("stepfunctions")
    sfn.start_execution(stateMachineArn=stack.deployed.state_machine_arn, input=parked[0]["Body"])
    sqs.delete_message(QueueUrl=stack.event_dead_letter_url, ReceiptHandle=parked[0]["ReceiptHandle"])
    assert partner.wait(application_id)["status"] == "scored"
    # Replayed twice (the message was received again before its deletion): the second finds it scored.
    sfn.start_execution(stateMachineArn=stack.deployed.state_machine_arn, input=parked[0]["Body"])
    mine = _executions_of(stack, application_id, at_least=3)
    assert len(mine) == 3
    assert sum('"status": "scored"' in (e.get("output") or "") for e in mine) == 1, "scored once"
    assert sum('"reason": "already_scored"' in (e.get("output") or "") for e in mine) == 1
    assert partner.application(application_id)["status"] == "scored"
    assert_no_raw_data_left(stack, application_id)


def test_a_claim_whose_every_answer_was_lost_is_taken_over_by_the_replay(stack: Any, partner: Any) -> None:
    """The first attempt claims, then it and every retry answer too late: the execution parks its event and fails,
    leaving the application processing under its claim. The replay finds the holder ended parked, takes the claim
    over and scores, once."""
    previous = stack.faults.reconfigure("ReceiveUploadFunction", timeout=2)
    try:
        pool = stack.pool("ReceiveUploadFunction")
        calls_before = pool.invocations
        stack.inject_hangs("ReceiveUploadFunction", seconds=4, times=5, after_handler=True)
        created = partner.create_application({"linkedin": 1})
        application_id = created["application_id"]
        upload(created["uploads"][0], LINKEDIN)
        (failed,) = _executions_of(stack, application_id)
    finally:
        stack.faults.restore("ReceiveUploadFunction", previous)
    assert pool.invocations - calls_before == 6, (
        "the attempt that claimed and its four retries, all timed out, then DescribeParkedError"
    )
    assert (failed["status"], failed.get("error")) == ("FAILED", "UploadEventParked")
    assert partner.application(application_id)["status"] == "processing", "claimed by the failed execution"
    (parked,) = _parked(stack, application_id)
    attributes = {k: v["StringValue"] for k, v in parked["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "Sandbox.Timedout"
    assert "timed out" in attributes["ERROR_MESSAGE"], "the platform's own words about the attempt"

    sfn = stack.client("stepfunctions")
    sfn.start_execution(stateMachineArn=stack.deployed.state_machine_arn, input=parked["Body"])
    stack.client("sqs").delete_message(
        QueueUrl=stack.event_dead_letter_url, ReceiptHandle=parked["ReceiptHandle"]
    )
    assert partner.wait(application_id)["status"] == "scored"
    mine = _executions_of(stack, application_id, at_least=2)
    assert len(mine) == 2
    assert sum('"status": "scored"' in (e.get("output") or "") for e in mine) == 1
    assert_no_raw_data_left(stack, application_id)


def _audit(stack: Any, application_id: str) -> list[str]:
    return [
        item["event"] for item in application_items(stack, application_id) if item["sk"].startswith("AUDIT#")
    ]


def test_a_retry_that_records_the_same_upload_notes_no_replacement_and_a_new_upload_of_it_does(
    stack: Any, partner: Any
) -> None:
    """The attempt records the part (another source is still awaited), then answers too late: its retry records
    the same write again and writes no `upload_replaced`. The applicant then sends the same file again: another
    write of the key, audited as replaced."""
    created = partner.create_application({"linkedin": 1, "facebook": 1})
    application_id = created["application_id"]
    (form,) = [f for f in created["uploads"] if f["platform"] == "linkedin"]
    previous = stack.faults.reconfigure("ReceiveUploadFunction", timeout=2)
    try:
        pool = stack.pool("ReceiveUploadFunction")
        calls_before = pool.invocations
        stack.inject_hangs("ReceiveUploadFunction", seconds=5, times=1, after_handler=True)
        upload(form, LINKEDIN)
        (first,) = _executions_of(stack, application_id)
    finally:
        stack.faults.restore("ReceiveUploadFunction", previous)
    assert pool.invocations - calls_before == 2, (
        "the attempt that recorded the part and timed out, then its retry"
    )
    assert first["status"] == "SUCCEEDED"
    assert '"reason": "waiting_for_sources"' in first["output"]
    assert _audit(stack, application_id).count("upload_received") == 1
    assert "upload_replaced" not in _audit(stack, application_id)

    upload(form, LINKEDIN)
    _executions_of(stack, application_id, at_least=2)
    assert _audit(stack, application_id).count("upload_replaced") == 1
    assert partner.application(application_id)["status"] == "collecting"


def test_an_event_is_parked_even_when_its_error_cannot_be_described(stack: Any, partner: Any) -> None:
    """ReceiveUpload's function fails its four attempts and then DescribeParkedError too: the event is parked all
    the same, its ERROR_MESSAGE the fixed one, and the replay still scores."""
    stack.inject_faults("ReceiveUploadFunction", "TransientError", "the table stayed busy", times=5)
    created = partner.create_application({"linkedin": 1})
    application_id = created["application_id"]
    upload(created["uploads"][0], LINKEDIN)
    (failed,) = _executions_of(stack, application_id)
    assert (failed["status"], failed.get("error")) == ("FAILED", "UploadEventParked")
    (parked,) = _parked(stack, application_id)
    attributes = {k: v["StringValue"] for k, v in parked["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "TransientError"
    assert attributes["ERROR_MESSAGE"].startswith("not described")
    assert attributes["EXECUTION_ARN"] == failed["executionArn"]

    stack.client("stepfunctions").start_execution(
        stateMachineArn=stack.deployed.state_machine_arn, input=parked["Body"]
    )
    stack.client("sqs").delete_message(
        QueueUrl=stack.event_dead_letter_url, ReceiptHandle=parked["ReceiptHandle"]
    )
    assert partner.wait(application_id)["status"] == "scored"
