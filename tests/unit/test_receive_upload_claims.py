"""ReceiveUpload's claim decisions (credscore_aws.logic.uploads) against the repository in moto, with the Step
Functions answers about the execution holding a claim given by a stand-in: its own retry finds its claim, another
execution loses, and only a holder that ended parked has its claim taken over."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credscore.application import Platform, Status, new_application_id, upload_key
from credscore_aws.dal.repository import ApplicationRepository
from credscore_aws.logic import uploads
from credscore_aws.models.records import NewApplication
from credscore_aws.models.states import ReceiveUploadRequest
from credscore_local.fidelity import serialize_dynamodb_writes
from credscore_local.template import REPO_ROOT, load_template
from tests.fake_aws import fake_aws, new_application
from tests.moto_tables import create_applications_table

PIPELINE = "arn:aws:states:us-east-1:123456789012:execution:credscore-dev-scoring:"
MINE, OTHER = PIPELINE + "mine", PIPELINE + "other"


class Executions:
    """Stands in for Step Functions' DescribeExecution: what each execution ARN is said to be."""

    def __init__(self) -> None:
        self.described: dict[str, dict[str, Any]] = {}
        self.asked: list[str] = []

    def describe_execution(self, executionArn: str) -> dict[str, Any]:  # boto3's parameter name
        self.asked.append(executionArn)
        if executionArn not in self.described:
            error = {"Error": {"Code": "ExecutionDoesNotExist", "Message": executionArn}}
            raise ClientError(error, "DescribeExecution")
        return self.described[executionArn]


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApplicationRepository]:
    serialize_dynamodb_writes()
    with fake_aws(monkeypatch):
        repository = ApplicationRepository(create_applications_table())
        monkeypatch.setattr(uploads, "repository", lambda: repository)
        yield repository


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> Executions:
    stand_in = Executions()
    monkeypatch.setattr(uploads, "_stepfunctions", lambda: stand_in)
    return stand_in


def _new(repo: ApplicationRepository) -> str:
    return new_application(repo)


def _submit(application_id: str, execution: str) -> tuple[bool, str]:
    event = {"action": "submit", "application_id": application_id}
    out = uploads.receive(ReceiveUploadRequest.model_validate({"event": event, "execution": execution}))
    return out.ready, out.reason


def _upload(
    application_id: str, execution: str, platform: Platform = Platform.LINKEDIN, sequencer: str = "0A1"
) -> tuple[bool, str]:
    key = upload_key(application_id, platform, 1)
    event = {
        "source": "aws.s3",
        "detail": {
            "object": {"key": key, "etag": "b1946ac92492d2347c6235b4d2611184", "sequencer": sequencer}
        },
    }
    out = uploads.receive(ReceiveUploadRequest.model_validate({"event": event, "execution": execution}))
    return out.ready, out.reason


@pytest.mark.parametrize("receive", [_submit, _upload], ids=["submit", "upload"])
def test_the_claiming_executions_retry_is_ready_again_and_another_execution_is_not(
    repo: ApplicationRepository, executions: Executions, receive: Any
) -> None:
    application_id = _new(repo)
    executions.described[MINE] = {"status": "RUNNING"}
    first = receive(application_id, MINE)
    assert first[0], first
    assert receive(application_id, MINE) == first, "the retry of the execution that claimed"
    assert receive(application_id, OTHER)[0] is False
    assert executions.asked == [MINE], "the other execution asked whether the holder still runs"
    assert repo.get(application_id).claimed_by == MINE


@pytest.mark.parametrize(
    "holder",
    [
        {"status": "RUNNING"},
        {"status": "SUCCEEDED"},
        {"status": "FAILED", "error": "States.Timeout"},
        {"status": "TIMED_OUT"},
        None,  # gone from Step Functions' history
    ],
    ids=["running", "succeeded", "failed-otherwise", "timed-out", "unknown"],
)
def test_a_claim_is_left_alone_unless_its_execution_ended_parked(
    repo: ApplicationRepository, executions: Executions, holder: dict[str, Any] | None
) -> None:
    application_id = _new(repo)
    assert _submit(application_id, MINE)[0]
    if holder is not None:
        executions.described[MINE] = holder
    assert _submit(application_id, OTHER) == (False, "already_claimed")
    assert _upload(application_id, OTHER) == (False, "already_processing")
    assert repo.get(application_id).claimed_by == MINE


@pytest.mark.parametrize("receive", [_submit, _upload], ids=["submit", "upload"])
def test_the_claim_of_an_execution_that_parked_its_event_is_taken_over_once(
    repo: ApplicationRepository, executions: Executions, receive: Any
) -> None:
    application_id = _new(repo)
    assert _submit(application_id, MINE)[0]
    executions.described[MINE] = {"status": "FAILED", "error": uploads.PARKED_ERROR}
    executions.described[OTHER] = {"status": "RUNNING"}
    assert receive(application_id, OTHER)[0], "the replay takes the claim over"
    assert repo.get(application_id).claimed_by == OTHER
    assert receive(application_id, PIPELINE + "third")[0] is False, "the new holder runs: no second takeover"
    assert repo.get(application_id).status == Status.PROCESSING


def test_an_erased_application_is_never_taken_over(
    repo: ApplicationRepository, executions: Executions
) -> None:
    application_id = _new(repo)
    assert _submit(application_id, MINE)[0]
    executions.described[MINE] = {"status": "FAILED", "error": uploads.PARKED_ERROR}
    repo.erase(application_id, "p1")
    assert _submit(application_id, OTHER)[0] is False
    assert _submit(application_id, MINE)[0] is False
    assert executions.asked == [], "an erased application's claim is not even looked at"


def test_a_retry_that_records_the_same_upload_again_writes_no_replaced_entry_and_a_new_upload_does(
    repo: ApplicationRepository, executions: Executions
) -> None:
    application_id = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {"application_id": application_id, "partner_id": "p1", "declared": {"linkedin": 1, "facebook": 1}}
        )
    )
    waiting = (False, "waiting_for_sources")
    assert _upload(application_id, MINE) == waiting
    assert _upload(application_id, MINE) == waiting, "the retry of the attempt that recorded it"
    assert _upload(application_id, OTHER) == waiting, "the replay of the parked event (another execution)"
    assert [a.event for a in repo.audit_trail(application_id)] == ["created", "upload_received"]
    # The same bytes uploaded again are another write of the key (S3 gives it a later sequencer).
    assert _upload(application_id, OTHER, sequencer="0A2") == waiting
    assert [a.event for a in repo.audit_trail(application_id)][-1] == "upload_replaced"
    assert _upload(application_id, OTHER, platform=Platform.FACEBOOK)[0], "the last part claims"
    events = [a.event for a in repo.audit_trail(application_id)]
    assert events == ["created", "upload_received", "upload_replaced", "upload_received", "claimed"]


def _unnamed_claim(repo: ApplicationRepository, application_id: str, idle_seconds: int) -> None:
    """The application as an older deploy left it: claimed without naming the execution, last written then."""
    assert repo.claim_for_scoring(application_id, "submit", MINE)
    repo.table.update_item(
        Key={"pk": f"APP#{application_id}", "sk": "META"},
        UpdateExpression="SET updated_at = :t REMOVE claimed_by",
        ExpressionAttributeValues={":t": int(time.time()) - idle_seconds},
    )
    assert repo.get(application_id).claimed_by is None


@pytest.mark.parametrize(
    "idle", [0, uploads.UNNAMED_CLAIM_ENDED_AFTER - 60], ids=["just-claimed", "within-bound"]
)
def test_an_unnamed_claim_is_left_alone_while_its_execution_may_live(
    repo: ApplicationRepository, executions: Executions, idle: int
) -> None:
    application_id = _new(repo)
    _unnamed_claim(repo, application_id, idle)
    # Not even the holder's own retry may take it: nothing tells it from another execution.
    for execution in (MINE, OTHER):
        assert _submit(application_id, execution) == (False, "already_claimed")
        assert _upload(application_id, execution) == (False, "already_processing")
    assert repo.get(application_id).claimed_by is None
    assert executions.asked == [], "an unnamed holder cannot be asked about"


@pytest.mark.parametrize("receive", [_submit, _upload], ids=["submit", "upload"])
def test_an_unnamed_claim_untouched_for_longer_than_an_execution_lives_is_taken_over_once(
    repo: ApplicationRepository, executions: Executions, receive: Any
) -> None:
    application_id = _new(repo)
    _unnamed_claim(repo, application_id, uploads.UNNAMED_CLAIM_ENDED_AFTER + 60)
    executions.described[OTHER] = {"status": "RUNNING"}
    assert receive(application_id, OTHER)[0], "its holder has ended: nobody else will score it"
    assert repo.get(application_id).claimed_by == OTHER
    assert receive(application_id, PIPELINE + "third")[0] is False, "the new holder runs: no second takeover"
    takeovers = [e for e in repo.audit_trail(application_id) if e.event == "claim_taken_over"]
    assert [e.details for e in takeovers] == [
        {"trigger": takeovers[0].details["trigger"], "holder": "unnamed"}
    ]


def test_the_unnamed_claims_bound_is_the_state_machines_deadline_and_lambdas_longest_run() -> None:
    asl = json.loads((REPO_ROOT / "statemachine.asl.json").read_text(encoding="utf-8"))
    assert asl["TimeoutSeconds"] == uploads.PIPELINE_TIMEOUT_SECONDS
    resources = load_template()["Resources"]
    timeouts = [
        r["Properties"]["Timeout"] for r in resources.values() if r["Type"] == "AWS::Serverless::Function"
    ]
    assert max(timeouts) <= uploads.LAMBDA_MAX_TIMEOUT_SECONDS
    assert asl["TimeoutSeconds"] + max(timeouts) <= uploads.UNNAMED_CLAIM_ENDED_AFTER


def test_the_unnamed_takeover_is_one_conditional_write(repo: ApplicationRepository) -> None:
    application_id = _new(repo)
    _unnamed_claim(repo, application_id, uploads.UNNAMED_CLAIM_ENDED_AFTER + 60)
    written = repo.get(application_id).updated_at
    assert not repo.take_over_unnamed_claim(application_id, "submit", OTHER, written), "written since then"
    assert repo.take_over_unnamed_claim(application_id, "submit", OTHER, written + 1)
    assert not repo.take_over_unnamed_claim(application_id, "submit", MINE, written + 1), "named now"
    assert repo.get(application_id).claimed_by == OTHER
