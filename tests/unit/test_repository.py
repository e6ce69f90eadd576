"""The DynamoDB repository against moto, with the table defined exactly as template.yaml defines it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credscore.application import Status, new_application_id
from credscore.errors import TransientError
from credscore.profile import Platform, SourceReport, SourceStatus
from credscore_aws.dal import repository as repository_module
from credscore_aws.dal.repository import (
    TOMBSTONE_FIELDS,
    ApplicationErased,
    ApplicationRepository,
    Conflict,
    Erasure,
    NotFound,
)
from credscore_aws.models.records import ApplicationError, ApplicationRecord, NewApplication, StoredConsent
from credscore_local.fidelity import serialize_dynamodb_writes
from credscore_local.template import load_template
from tests.fake_aws import fake_aws, recorded_calls
from tests.moto_tables import create_applications_table


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApplicationRepository]:
    serialize_dynamodb_writes()  # DynamoDB's conditional writes are atomic; moto's need the local-stack patch
    with fake_aws(monkeypatch):
        yield ApplicationRepository(create_applications_table())


def _new(repo: ApplicationRepository, partner: str = "p1", declared: dict[str, int] | None = None) -> str:
    application_id = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {
                "application_id": application_id,
                "partner_id": partner,
                "declared": declared or {"linkedin": 1, "facebook": 1},
            }
        )
    )
    return application_id


def test_create_is_conditional(repo: ApplicationRepository) -> None:
    application_id = _new(repo)
    with pytest.raises(Conflict):
        repo.create(
            NewApplication.model_validate(
                {"application_id": application_id, "partner_id": "p2", "declared": {}}
            )
        )
    assert repo.get(application_id).partner_id == "p1"


def test_uploads_are_recorded_once_and_reuploads_noted(repo: ApplicationRepository) -> None:
    application_id = _new(repo)
    assert repo.record_upload(application_id, "linkedin/1").received == ["linkedin/1"]
    assert repo.record_upload(application_id, "linkedin/1").received == ["linkedin/1"]
    events = [a.event for a in repo.audit_trail(application_id)]
    assert events == ["created", "upload_received", "upload_replaced"]


def test_the_same_write_recorded_again_notes_nothing_and_another_write_is_noted_as_replaced(
    repo: ApplicationRepository,
) -> None:
    application_id = _new(repo)
    repo.record_upload(application_id, "linkedin/1", "write-1")
    repo.record_upload(
        application_id, "linkedin/1", "write-1"
    )  # the step's retry: its attempt had recorded it
    assert [a.event for a in repo.audit_trail(application_id)] == ["created", "upload_received"]
    repo.record_upload(application_id, "linkedin/1", "write-2")  # the applicant uploaded the part again
    repo.record_upload(application_id, "linkedin/1", "write-2")  # that event's retry
    repo.record_upload(application_id, "linkedin/1", "write-1")  # a late duplicate of the first event
    events = [a.event for a in repo.audit_trail(application_id)]
    assert events == ["created", "upload_received", "upload_replaced"]
    record = repo.get(application_id)
    assert record.received == ["linkedin/1"]
    assert record.received_writes == ["linkedin/1@write-1", "linkedin/1@write-2"]


def test_unknown_application(repo: ApplicationRepository) -> None:
    with pytest.raises(NotFound):
        repo.record_upload(new_application_id(), "linkedin/1")


def test_exactly_one_claim_wins_a_race(repo: ApplicationRepository) -> None:
    application_id = _new(repo)
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def claim(execution: str) -> None:
        barrier.wait()
        wins.append(repo.claim_for_scoring(application_id, "race", execution))

    # Eight executions (duplicate deliveries, several uploads, a submit) race: each has its own name.
    threads = [threading.Thread(target=claim, args=(f"execution-{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]
    assert repo.get(application_id).status == Status.PROCESSING


def test_the_claiming_execution_finds_its_own_claim_again_and_no_other_does(
    repo: ApplicationRepository,
) -> None:
    application_id = _new(repo)
    assert repo.claim_for_scoring(application_id, "all_sources_received", "execution-a")
    # Its attempt wrote the claim, then timed out: the retry of the same execution is told it holds the claim.
    assert repo.claim_for_scoring(application_id, "all_sources_received", "execution-a")
    # A duplicate delivery, another upload or a submit runs as another execution: it still loses.
    assert not repo.claim_for_scoring(application_id, "all_sources_received", "execution-b")
    assert not repo.claim_for_scoring(application_id, "submit", "execution-b")
    record = repo.get(application_id)
    assert (record.status, record.claimed_by) == (Status.PROCESSING, "execution-a")
    claims = [e for e in repo.audit_trail(application_id) if e.event == "claimed"]
    assert len(claims) == 1, "finding the claim again writes nothing"


@pytest.mark.parametrize("after", ["scored", "failed"])
def test_a_finished_application_is_not_claimed_again_by_the_execution_that_claimed_it(
    repo: ApplicationRepository, after: str
) -> None:
    application_id = _new(repo)
    assert repo.claim_for_scoring(application_id, "submit", "execution-a")
    if after == "scored":
        repo.mark_scored(application_id, {"config_version": "v1"})
    else:
        repo.record_failure(application_id, "ParserCrashed", "the parser hit a bug")
    assert not repo.claim_for_scoring(application_id, "submit", "execution-a")


def test_erasure_wins_over_the_claiming_executions_retry(repo: ApplicationRepository) -> None:
    application_id = _new(repo)
    assert repo.claim_for_scoring(application_id, "submit", "execution-a")
    repo.erase(application_id, "p1")
    assert not repo.claim_for_scoring(application_id, "submit", "execution-a")
    assert "claimed_by" not in _assert_only_tombstone(repo, application_id)


def test_a_claim_left_by_an_ended_execution_is_taken_over_once_and_only_from_it(
    repo: ApplicationRepository,
) -> None:
    application_id = _new(repo)
    assert repo.claim_for_scoring(application_id, "all_sources_received", "execution-a")
    # Only from the named holder: a caller that read a stale holder loses.
    assert not repo.take_over_claim(application_id, "all_sources_received", "execution-b", "execution-x")
    assert repo.take_over_claim(application_id, "all_sources_received", "execution-b", "execution-a")
    assert not repo.take_over_claim(application_id, "all_sources_received", "execution-c", "execution-a")
    assert repo.get(application_id).claimed_by == "execution-b"
    assert repo.claim_for_scoring(application_id, "all_sources_received", "execution-b"), "now its own"
    assert not repo.claim_for_scoring(application_id, "all_sources_received", "execution-a")
    assert [e.event for e in repo.audit_trail(application_id)].count("claim_taken_over") == 1


def test_no_claim_is_taken_over_once_the_application_finished_or_was_erased(
    repo: ApplicationRepository,
) -> None:
    scored = _new(repo)
    assert repo.claim_for_scoring(scored, "submit", "execution-a")
    repo.mark_scored(scored, {"config_version": "v1"})
    assert not repo.take_over_claim(scored, "submit", "execution-b", "execution-a")
    assert repo.get(scored).status == Status.SCORED
    erased = _new(repo)
    assert repo.claim_for_scoring(erased, "submit", "execution-a")
    repo.erase(erased, "p1")
    assert not repo.take_over_claim(erased, "submit", "execution-b", "execution-a")
    _assert_only_tombstone(repo, erased)


def test_a_claim_on_an_unknown_application_loses(repo: ApplicationRepository) -> None:
    assert not repo.claim_for_scoring(new_application_id(), "submit", "execution-a")


def test_results_partner_listing_and_erasure(repo: ApplicationRepository) -> None:
    mine = _new(repo, "p1")
    _new(repo, "p2")
    assert repo.claim_for_scoring(mine, "upload", "execution-1")
    repo.store_result(mine, {"total_points": 1.5, "config_version": "v1"}, {"age": {"value": 30.5}})
    repo.mark_scored(mine, {"config_version": "v1"})
    assert repo.get(mine).status == Status.SCORED
    assert repo.get_doc(mine, "RESULT") == {"total_points": 1.5, "config_version": "v1"}
    assert [a.application_id for a in repo.list_for_partner("p1")[0]] == [mine]

    deleted = repo.erase(mine, "p1").records_deleted
    assert deleted >= 4  # meta, result, features, audit entries
    remaining: list[dict[str, Any]] = repo.table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"APP#{mine}"}
    )["Items"]
    assert len(remaining) == 1
    tombstone = remaining[0]
    assert tombstone["status"] == Status.ERASED
    assert set(tombstone) <= {
        "pk",
        "sk",
        "application_id",
        "partner_id",
        "gsi1pk",
        "gsi1sk",
        "status",
        "status_at",
        "erased_at",
        "created_at",
        "updated_at",
    }


def test_a_status_write_dates_the_move_and_later_writes_keep_that_date(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The webhook dispatcher reads new images only: `status_at == updated_at` is how it knows a write moved the
    status (tests/unit/test_webhook_parts.py); a later write of a finished application must not look like one."""
    clock = [1_800_000_000.0]
    monkeypatch.setattr(repository_module.time, "time", lambda: clock[0])

    def meta() -> dict[str, Any]:
        item: dict[str, Any] = repo.table.get_item(Key={"pk": f"APP#{application_id}", "sk": "META"})["Item"]
        return item

    application_id = _new(repo)
    assert (meta()["status_at"], meta()["updated_at"]) == (1_800_000_000, 1_800_000_000)
    clock[0] += 10
    assert repo.claim_for_scoring(application_id, "upload", "execution-1")
    clock[0] += 10
    repo.mark_scored(application_id, {"config_version": "v1"})
    assert (meta()["status"], meta()["status_at"], meta()["updated_at"]) == (
        "scored",
        1_800_000_020,
        1_800_000_020,
    )
    clock[0] += 10
    repo.set_applicant_token(application_id, "h" * 64)
    assert (meta()["status_at"], meta()["updated_at"]) == (1_800_000_020, 1_800_000_030)
    clock[0] += 10
    repo.erase(application_id, "p1")
    assert (meta()["status"], meta()["status_at"], meta()["updated_at"]) == (
        "erased",
        1_800_000_040,
        1_800_000_040,
    )


def test_partner_keys_are_stored_only_as_hashes(repo: ApplicationRepository) -> None:
    repo.put_partner_key("secret-key-123", "p9", "Lender")
    assert repo.partner_for_key("secret-key-123") == "p9"
    assert repo.partner_for_key("secret-key-124") is None
    items = repo.table.scan()["Items"]
    assert all("secret-key-123" not in str(item) for item in items)


def test_expired_applications_read_as_gone(repo: ApplicationRepository) -> None:
    application_id = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {"application_id": application_id, "partner_id": "p1", "declared": {}, "expires_at": 1}
        )
    )
    with pytest.raises(NotFound):
        repo.get(application_id)
    assert repo.get(application_id, include_expired=True).application_id == application_id, (
        "its erasure finds it"
    )


def test_an_application_is_read_through_its_last_second_and_gone_after(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {
                "application_id": application_id,
                "partner_id": "p1",
                "declared": {},
                "expires_at": 1_800_000_000,
            }
        )
    )
    monkeypatch.setattr(repository_module.time, "time", lambda: 1_800_000_000.0)
    assert repo.get(application_id).application_id == application_id
    monkeypatch.setattr(repository_module.time, "time", lambda: 1_800_000_000.5)
    with pytest.raises(NotFound):
        repo.get(application_id)


def test_a_partner_lists_its_own_applications_page_by_page(repo: ApplicationRepository) -> None:
    mine = {_new(repo, "p1") for _ in range(5)}
    others = {_new(repo, "p2") for _ in range(2)}
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        items, after = repo.list_for_partner("p1", limit=2, after=after)
        pages += 1
        assert len(items) <= 2
        seen += [i.application_id for i in items]
        if after is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 5
    assert set(seen) == mine
    assert not set(seen) & others
    # A position is only ever a place in the caller's own list: p2 starting after p1's position sees p2's.
    items, _ = repo.list_for_partner("p2", limit=10, after=repo.list_for_partner("p1", limit=1)[1])
    assert {i.application_id for i in items} <= others


def test_an_expired_application_is_not_listed(repo: ApplicationRepository) -> None:
    kept = _new(repo, "p1")
    expired = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {
                "application_id": expired,
                "partner_id": "p1",
                "declared": {},
                "expires_at": int(time.time()) - 1,
            }
        )
    )
    assert [a.application_id for a in repo.list_for_partner("p1")[0]] == [kept]


def test_only_applications_still_collecting_are_stale_and_a_claim_beats_a_close(
    repo: ApplicationRepository,
) -> None:
    old, claimed, young = _new(repo), _new(repo), _new(repo)
    assert repo.claim_for_scoring(claimed, "upload", "execution-1")
    later = int(time.time()) + 10
    assert {a.application_id for a in repo.stale_collecting(created_before=later)} == {old, young}
    assert repo.stale_collecting(created_before=0) == []
    assert repo.close_unused(old, "no_upload", "nothing arrived")
    assert repo.get(old).status == Status.FAILED
    assert repo.get(old).error == ApplicationError(code="no_upload", message="nothing arrived")
    assert not repo.close_unused(claimed, "no_upload", "nothing arrived"), "already processing: left alone"
    assert repo.get(claimed).status == Status.PROCESSING
    assert {a.application_id for a in repo.stale_collecting(created_before=later)} == {young}


def test_an_upload_recorded_after_the_sweep_looked_is_not_closed_as_no_upload(
    repo: ApplicationRepository,
) -> None:
    # The sweep lists the bucket, then closes: an upload recorded in between was failed as "no export arrived".
    application_id = _new(repo)
    repo.record_upload(application_id, "linkedin/1")
    assert not repo.close_unused(application_id, "no_upload", "nothing arrived")
    assert repo.get(application_id).status == Status.COLLECTING
    assert repo.get(application_id).received == ["linkedin/1"]


def _items(repo: ApplicationRepository, application_id: str) -> list[dict[str, Any]]:
    return list(
        repo.table.query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": f"APP#{application_id}"},
            ConsistentRead=True,
        )["Items"]
    )


def _assert_only_tombstone(repo: ApplicationRepository, application_id: str) -> dict[str, Any]:
    items = _items(repo, application_id)
    assert [i["sk"] for i in items] == ["META"], items
    assert items[0]["status"] == Status.ERASED
    assert set(items[0]) <= TOMBSTONE_FIELDS, set(items[0]) - TOMBSTONE_FIELDS
    return items[0]


def _processing(repo: ApplicationRepository) -> str:
    application_id = _new(repo)
    assert repo.claim_for_scoring(application_id, "upload", "execution-1")
    return application_id


RESULT = {"total_points": 1.5, "config_version": "v1"}
FEATURES = {"age": {"value": 30.5}}

# Every write a pipeline (or the API) makes after creation, tried on an erased application.
LATE_WRITES: dict[str, Any] = {
    "update_fields": lambda r, a: r.update_fields(a, source_reports=[{"platform": "linkedin"}]),
    "store_result": lambda r, a: r.store_result(a, RESULT, FEATURES),
    "mark_scored": lambda r, a: r.mark_scored(a, RESULT),
    "record_failure": lambda r, a: r.record_failure(a, "Boom", "it broke"),
    "save_rescored": lambda r, a: r.save_rescored(a, RESULT, FEATURES),
    "audit": lambda r, a: r.audit(a, "something"),
    "set_applicant_token": lambda r, a: r.set_applicant_token(a, "h1"),
    "record_applicant_consent": lambda r, a: r.record_applicant_consent(
        a, StoredConsent(granted=True, notice_version="2026-12", granted_at=5)
    ),
}


@pytest.mark.parametrize("write", sorted(LATE_WRITES))
def test_no_write_lands_on_an_erased_application(repo: ApplicationRepository, write: str) -> None:
    application_id = _processing(repo)
    created_at = repo.get(application_id).created_at
    repo.erase(application_id, "p1", created_at)
    with pytest.raises(ApplicationErased):
        LATE_WRITES[write](repo, application_id)
    tombstone = _assert_only_tombstone(repo, application_id)
    assert tombstone["created_at"] == created_at, "erasure keeps when the application was made"


def test_an_erased_application_cannot_be_claimed_closed_or_given_an_upload(
    repo: ApplicationRepository,
) -> None:
    application_id = _new(repo)
    repo.erase(application_id, "p1")
    assert not repo.claim_for_scoring(application_id, "submit", "execution-1")
    assert not repo.close_unused(application_id, "no_upload", "nothing arrived")
    assert repo.record_upload(application_id, "linkedin/1").status == Status.ERASED
    _assert_only_tombstone(repo, application_id)
    with pytest.raises(ApplicationErased):
        repo.get_live(application_id)
    assert repo.is_erased(application_id)


def test_a_result_stored_before_the_erasure_is_purged_and_the_flip_to_scored_refused(
    repo: ApplicationRepository,
) -> None:
    application_id = _processing(repo)
    repo.update_fields(application_id, source_reports=[{"platform": "linkedin", "status": "parsed"}])
    repo.store_result(application_id, RESULT, FEATURES)
    deleted = repo.erase(application_id, "p1").records_deleted
    # META, FEATURES, RESULT and the audit entries of creation and claim.
    assert deleted == 5
    with pytest.raises(ApplicationErased):
        repo.mark_scored(application_id, RESULT)
    _assert_only_tombstone(repo, application_id)
    assert repo.get_doc(application_id, "RESULT") is None
    assert repo.erase(application_id, "p1").records_deleted == 0, "erasing again finds nothing more"


def test_only_the_owner_can_erase(repo: ApplicationRepository) -> None:
    application_id = _processing(repo)
    with pytest.raises(NotFound):
        repo.erase(application_id, "p2")
    assert repo.get(application_id).status == Status.PROCESSING
    assert repo.get(application_id).partner_id == "p1"


@pytest.mark.parametrize("finished", [Status.SCORED, Status.FAILED])
def test_a_finished_application_is_not_changed_by_a_late_upload_or_a_late_failure(
    repo: ApplicationRepository, finished: Status
) -> None:
    application_id = _processing(repo)
    if finished == Status.SCORED:
        repo.store_result(application_id, RESULT, FEATURES)
        repo.mark_scored(application_id, RESULT)
    else:
        repo.record_failure(application_id, "Boom", "it broke")
    before = _items(repo, application_id)
    assert repo.record_upload(application_id, "facebook/1").status == finished
    with pytest.raises(Conflict):
        repo.record_failure(application_id, "Late", "a retried step failed after the end")
    with pytest.raises(Conflict):
        repo.update_fields(application_id, source_reports=[])
    assert _items(repo, application_id) == before, "not a field, not an audit entry"


def _conflicting(repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """The next `times` transactions are cancelled as DynamoDB cancels one that meets another in flight."""
    client = repo.table.meta.client
    real = client.transact_write_items
    calls: list[int] = []

    def transact(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                    "CancellationReasons": [{"Code": "TransactionConflict"}, {"Code": "None"}],
                },
                "TransactWriteItems",
            )
        return real(**kwargs)

    monkeypatch.setattr(client, "transact_write_items", transact)
    return calls


def test_a_transaction_cancelled_by_a_concurrent_one_is_tried_again(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id = _new(repo)
    calls = _conflicting(repo, monkeypatch, times=2)
    assert repo.record_upload(application_id, "linkedin/1").received == ["linkedin/1"]
    assert len(calls) == 3, "two cancelled tries, then the one that landed"


def test_a_record_that_stays_busy_is_a_transient_error_not_a_lost_write(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id = _new(repo)
    _conflicting(repo, monkeypatch, times=100)
    with pytest.raises(TransientError):
        repo.record_upload(application_id, "linkedin/1")


def _tombstone_meets_a_transaction(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch, times: int
) -> list[int]:
    """The next `times` plain writes of an item are refused as DynamoDB refuses a PutItem on an item that a
    transaction in flight is writing (the pipeline's or an upload's): TransactionConflictException, which botocore
    does not retry. Returns the list that counts the writes tried."""
    real = repo.table.put_item
    calls: list[int] = []

    def put_item(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise ClientError(
                {"Error": {"Code": "TransactionConflictException", "Message": "ongoing transaction"}},
                "PutItem",
            )
        return real(**kwargs)

    monkeypatch.setattr(repo.table, "put_item", put_item)
    return calls


def test_an_erasure_meeting_a_transaction_in_flight_is_tried_again_and_wins(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id = _processing(repo)
    repo.store_result(application_id, RESULT, FEATURES)
    _tombstone_meets_a_transaction(repo, monkeypatch, times=2)
    assert repo.erase(application_id, "p1").records_deleted == 5, (
        "META, FEATURES, RESULT and two audit entries"
    )
    _assert_only_tombstone(repo, application_id)
    with pytest.raises(ApplicationErased):
        repo.mark_scored(application_id, RESULT)


def test_an_erasure_whose_record_stays_busy_is_a_transient_error_and_erases_nothing(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id = _processing(repo)
    monkeypatch.setattr(repository_module, "_pause_after_conflict", lambda _attempt: None)
    tried = _tombstone_meets_a_transaction(repo, monkeypatch, times=100)
    with pytest.raises(TransientError, match="erase it again"):
        repo.erase(application_id, "p1")
    assert len(tried) == 5, "five tries, as a transaction gets (_TRANSACT_ATTEMPTS)"
    assert repo.get(application_id).status == Status.PROCESSING, "not half erased: the caller tries again"


def test_erasing_again_reads_the_tombstone_consistently_and_only_for_its_owner(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id = _processing(repo)
    first = repo.erase(application_id, "p1")
    reads = recorded_calls(monkeypatch, repo.table, "get_item")
    assert repo.erase(application_id, "p1") == Erasure(records_deleted=0, erased_at=first.erased_at)
    assert reads
    assert all(read["ConsistentRead"] is True for read in reads), "a tombstone written just before is seen"
    with pytest.raises(NotFound):
        repo.erase(application_id, "p2")  # another partner's erasure of an erased application
    assert repo.get(application_id).partner_id == "p1"


def test_the_partner_list_filters_by_status_and_searches_references_page_by_page(
    repo: ApplicationRepository,
) -> None:
    ids = []
    for n in range(7):
        application_id = new_application_id()
        repo.create(
            NewApplication.model_validate(
                {
                    "application_id": application_id,
                    "partner_id": "p1",
                    "reference": f"loan-{n}",
                    "declared": {},
                }
            )
        )
        ids.append(application_id)
    _new(repo, "p2")
    for application_id in ids[::2]:  # 0, 2, 4, 6 scored
        assert repo.claim_for_scoring(application_id, "submit", "execution-1")
        repo.mark_scored(application_id, {"normalised_score": 612.34, "config_version": "v"})
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        # Reads of 2 with a filter that drops half: each page is still filled up to the limit.
        items, after = repo.search_for_partner("p1", limit=2, after=after, status="scored")
        seen += items
        if after is None:
            break
        assert len(items) == 2
    assert sorted(i.application_id for i in seen) == sorted(ids[::2])
    assert {i.score for i in seen} == {612.3}
    assert {i.status for i in seen} == {"scored"}
    found, after = repo.search_for_partner("p1", reference="an-3")
    assert [(i.application_id, i.reference) for i in found] == [(ids[3], "loan-3")]
    assert after is None
    assert repo.search_for_partner("p1", reference="loan-3", status="scored")[0] == []
    assert repo.search_for_partner("p2", reference="loan")[0] == []


def test_an_applicant_token_is_kept_as_a_hash_revoked_and_gone_with_erasure(
    repo: ApplicationRepository,
) -> None:
    application_id = _new(repo)
    repo.set_applicant_token(application_id, "h1")
    assert repo.get(application_id).applicant_token_hash == "h1"
    assert repo.revoke_applicant_token(application_id) is True
    assert repo.get(application_id).applicant_token_hash is None
    assert repo.revoke_applicant_token(application_id) is False
    repo.set_applicant_token(application_id, "h2")
    repo.erase(application_id, "p1")
    assert repo.get(application_id).applicant_token_hash is None


def test_the_meta_record_reads_back_what_the_pipeline_wrote(repo: ApplicationRepository) -> None:
    """Typed as ingest, record_failure and the applicant page write it (a field the record mistypes fails here,
    not as a 500 in the API)."""
    application_id = _new(repo, declared={"linkedin": 2})
    repo.record_upload(application_id, "linkedin/1")
    repo.record_applicant_consent(
        application_id,
        StoredConsent(granted=True, notice_version="2026-11", granted_at=5, model_development=True),
    )
    assert repo.claim_for_scoring(application_id, "submit", "execution-1")
    source = SourceReport(
        platform=Platform.LINKEDIN,
        status=SourceStatus.PARSED,
        warnings=["skipped a file"],
        archive_sha256=["sha256:aa", "sha256:bb"],
    )
    report = {
        "platform": source.platform.value,
        "status": source.status.value,
        "reason_code": source.reason_code,
        "reason": source.reason,
        "warnings": len(source.warnings),
    }
    repo.update_fields(
        application_id, source_reports=[report], archive_hashes={source.platform.value: source.archive_sha256}
    )
    repo.record_failure(application_id, "NoUsableSource", "nothing readable")
    record = repo.get(application_id)
    assert record.declared == {"linkedin": 2}
    assert record.received == ["linkedin/1"]
    assert [r.model_dump() for r in record.source_reports] == [report]
    assert record.archive_hashes == {"linkedin": ["sha256:aa", "sha256:bb"]}
    assert record.error is not None
    assert (record.status, record.error.code, record.error.message) == (
        Status.FAILED,
        "NoUsableSource",
        "nothing readable",
    )
    assert record.applicant_consent is not None
    assert record.applicant_consent.notice_version == "2026-11"
    assert record.model_development_consented()
    assert record.consent is None
    assert [a.event for a in repo.audit_trail(application_id)][-1] == "failed"
    assert {a.event: a.details for a in repo.audit_trail(application_id)}["failed"] == {
        "code": "NoUsableSource"
    }


def test_audit_entries_expire_with_the_retention(repo: ApplicationRepository) -> None:
    """An audit entry carries the TTL attribute, so none outlives the application's retention for good."""
    application_id = _new(repo)
    kept = ApplicationRepository(repo.table, audit_retention_days=30)
    before = int(time.time())
    kept.audit(application_id, "consent_recorded", notice="v1")
    after = int(time.time())
    (entry,) = [a for a in kept.audit_trail(application_id) if a.event == "consent_recorded"]
    assert entry.expires_at is not None
    assert before + 30 * 86400 <= entry.expires_at <= after + 30 * 86400
    assert entry.details == {"notice": "v1"}, "the expiry is not a detail of the event"
    ttl = load_template()["Resources"]["ApplicationsTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}


def test_the_x_handle_is_kept_while_the_pipeline_may_fetch_it_and_forgotten_when_it_finishes(
    repo: ApplicationRepository,
) -> None:
    def handled(partner: str = "p1") -> str:
        application_id = new_application_id()
        repo.create(
            NewApplication(
                application_id=application_id,
                partner_id=partner,
                declared={"linkedin": 1},
                x_handle="asharao",
            )
        )
        return application_id

    scored, failed, closed = handled(), handled(), handled()
    assert repo.get(scored).x_handle == "asharao"
    for application_id in (scored, failed):
        assert repo.claim_for_scoring(application_id, "upload", "execution-1")
        assert repo.get(application_id).x_handle == "asharao", "Ingest (and its retries) read it"
    repo.mark_scored(scored, {"config_version": "v1"})
    repo.record_failure(failed, "NoUsableSource", "nothing could be read")
    assert repo.close_unused(closed, "no_upload", "nothing arrived")
    for application_id in (scored, failed, closed):
        record = repo.get(application_id)
        assert record.x_handle is None
        assert record.asked_for_x, "the views still say one was given"
    plain = _new(repo)
    assert not repo.get(plain).asked_for_x


def test_a_record_from_before_the_flag_still_says_a_handle_was_given() -> None:
    fields = {
        "application_id": "a" * 32,
        "partner_id": "p1",
        "status": "scored",
        "created_at": 1,
        "updated_at": 1,
    }
    assert ApplicationRecord.model_validate({**fields, "x_handle": "asharao"}).asked_for_x
    assert not ApplicationRecord.model_validate({**fields, "x_handle": None}).asked_for_x


def test_a_create_cancelled_by_throttling_or_a_concurrent_transaction_is_transient_not_a_conflict(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It was Conflict("application exists"), which nothing answers: a 500 for a request that may simply be sent
    # again (the API answers TransientError with 503 busy and Retry-After).
    _conflicting(repo, monkeypatch, times=1)
    application_id = new_application_id()
    with pytest.raises(TransientError):
        repo.create(NewApplication(application_id=application_id, partner_id="p1", declared={"linkedin": 1}))
    repo.create(NewApplication(application_id=application_id, partner_id="p1", declared={"linkedin": 1}))
    assert repo.get(application_id).status == Status.COLLECTING
