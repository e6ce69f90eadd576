"""Partner ownership and erasure in process, against moto (fast: the mutation run of `make mutate` uses these; the
end-to-end version over HTTP is tests/security/test_partner_ownership.py).

Every partner operation of `credscore_aws.applications` that names an application is tried as another partner in
one table, and a test fails when an operation is missing from it. Erasure is tried while collecting, while
processing and after scoring, counting what it deletes and asserting each S3 prefix and DynamoDB item is gone."""

from __future__ import annotations

import datetime as dt
import inspect
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from credscore.application import Status, new_application_id
from credscore_aws import runtime
from credscore_aws.dal import repository as repository_module
from credscore_aws.dal import storage
from credscore_aws.dal.repository import ApplicationErased, ApplicationRepository, NotFound
from credscore_aws.logic import applications, erasure, outcomes
from credscore_aws.models.api import OutcomeReport
from credscore_aws.models.records import NewApplication
from credscore_local.fidelity import serialize_dynamodb_writes
from tests.fake_aws import fake_aws, recorded_calls
from tests.moto_tables import create_applications_table

BUCKET = "data"
OWNER, OTHER = "partner-a", "partner-b"


def _report(partner: str, application_id: str) -> object:
    return applications.report_outcome(
        partner, application_id, OutcomeReport(outcome="good", observed_at=dt.datetime.now(dt.UTC).date())
    )


# Every operation on one application, called as `partner`.
ROUTES: dict[str, Callable[[str, str], object]] = {
    "view": applications.view,
    "result": applications.result,
    "submit": applications.submit,
    "rescore": applications.rescore,
    "erase": applications.erase,
    "report_outcome": _report,
    "outcome": applications.outcome,
}
# What the owner of a fresh application (collecting, nothing uploaded) gets: past the ownership check each time.
OWNER_OF_COLLECTING: dict[str, type[Exception] | None] = {
    "view": None,
    "result": applications.WrongStatus,
    "submit": applications.WrongStatus,
    "rescore": applications.WrongStatus,
    "erase": None,
    "report_outcome": applications.WrongStatus,
    "outcome": outcomes.NoOutcome,
}


@pytest.fixture(scope="module")
def repo() -> Iterator[ApplicationRepository]:
    """One moto table and bucket for the module (each test makes its own applications and partners): creating
    them per test would cost more than the tests, and `make mutate` runs this module once per mutant."""
    caches = (storage.s3_client, storage.dynamodb_table, runtime.repository)
    with pytest.MonkeyPatch.context() as env:
        serialize_dynamodb_writes()
        for cached in caches:
            cached.cache_clear()
        with fake_aws(env, BUCKET_NAME=BUCKET, TABLE_NAME="applications", RESULT_RETENTION_DAYS="30"):
            boto3.client("s3").create_bucket(Bucket=BUCKET)
            create_applications_table()
            yield runtime.repository()
        for cached in caches:
            cached.cache_clear()


def _collecting(repo: ApplicationRepository, partner: str = OWNER, **fields: Any) -> str:
    application_id = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {"application_id": application_id, "partner_id": partner, "declared": {"linkedin": 1}, **fields}
        )
    )
    return application_id


def _uploaded(repo: ApplicationRepository, application_id: str, parts: int = 2) -> None:
    for i in range(1, parts + 1):
        storage.put_json(BUCKET, f"uploads/{application_id}/linkedin/part-{i}.zip", "zip")


def _processing(repo: ApplicationRepository, partner: str = OWNER) -> str:
    application_id = _collecting(repo, partner)
    _uploaded(repo, application_id)
    assert repo.claim_for_scoring(application_id, "upload", "execution-1")
    storage.put_json(BUCKET, f"work/{application_id}/profile.json", {"texts": []})
    return application_id


RESULT = {"total_points": 512.0, "normalised_score": 61.5, "config_version": "v1"}


def _scored(repo: ApplicationRepository, partner: str = OWNER) -> str:
    application_id = _processing(repo, partner)
    repo.store_result(application_id, RESULT, {"age": {"value": 30.5}})
    repo.mark_scored(application_id, RESULT)
    return application_id


def _items(repo: ApplicationRepository, application_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = repo.table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"APP#{application_id}"}
    )["Items"]
    return items


def _objects(application_id: str) -> list[str]:
    return storage.list_keys(BUCKET, f"uploads/{application_id}/") + storage.list_keys(
        BUCKET, f"work/{application_id}/"
    )


def test_the_table_names_every_operation_on_one_application() -> None:
    named = {
        name
        for name, fn in inspect.getmembers(applications, inspect.isfunction)
        if fn.__module__ == applications.__name__
        and not name.startswith("_")
        and "__mutmut_" not in name  # the mutants `make mutate` adds beside each function
        and list(inspect.signature(fn).parameters)[:2] == ["partner_id", "application_id"]
    }
    # report_outcome is called through _report (it takes a body too)
    assert named == set(ROUTES), "add the new operation to ROUTES and OWNER_OF_COLLECTING"
    assert set(OWNER_OF_COLLECTING) == set(ROUTES)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_another_partner_gets_not_found_and_changes_nothing(
    repo: ApplicationRepository, route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id = _scored(repo)
    before_items, before_objects = _items(repo, application_id), _objects(application_id)
    calls: list[str] = []
    erase = repo.erase

    # The ownership check comes first: another partner never reaches the write (whose own condition is a second
    # line of defence, tested below), so a missing first check fails here even though the write would refuse.
    def recording_erase(*args: Any, **kwargs: Any) -> int:
        calls.append("erase")
        return erase(*args, **kwargs)

    monkeypatch.setattr(repo, "erase", recording_erase)
    with pytest.raises(applications.ApplicationNotFound) as refused:
        ROUTES[route](OTHER, application_id)
    assert str(refused.value) == application_id
    assert calls == []
    assert _items(repo, application_id) == before_items
    assert _objects(application_id) == before_objects
    assert repo.get(application_id).status == Status.SCORED


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_an_unknown_application_is_not_found_for_everyone(repo: ApplicationRepository, route: str) -> None:
    missing = new_application_id()
    with pytest.raises(applications.ApplicationNotFound) as refused:
        ROUTES[route](OWNER, missing)
    assert str(refused.value) == missing


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_the_owner_gets_past_the_ownership_check(repo: ApplicationRepository, route: str) -> None:
    application_id = _collecting(repo)
    expected = OWNER_OF_COLLECTING[route]
    if expected is None:
        assert ROUTES[route](OWNER, application_id) is not None
    else:
        with pytest.raises(expected):
            ROUTES[route](OWNER, application_id)


def test_the_owner_reads_the_view_and_the_result(repo: ApplicationRepository) -> None:
    application_id = _scored(repo)
    view = applications.view(OWNER, application_id)
    assert (view.application_id, view.status, view.result_available) == (application_id, "scored", True)
    assert view.received == []
    assert view.declared == {"linkedin": 1}
    scored = applications.result(OWNER, application_id)
    assert (scored.application_id, scored.status, scored.result) == (application_id, "scored", RESULT)
    collecting = applications.view(OWNER, _collecting(repo, reference="loan-7"))
    assert (collecting.status, collecting.result_available, collecting.reference) == (
        "collecting",
        False,
        "loan-7",
    )


def test_an_erased_application_says_so_to_its_owner_only(repo: ApplicationRepository) -> None:
    application_id = _scored(repo)
    applications.erase(OWNER, application_id)
    # the texts are the 410 answers' messages
    with pytest.raises(applications.Erased, match=r"^the application was erased: its result is gone$"):
        applications.result(OWNER, application_id)
    with pytest.raises(
        applications.Erased, match=r"^the application was erased: nothing is left to rescore$"
    ):
        applications.rescore(OWNER, application_id)
    with pytest.raises(applications.ApplicationNotFound):
        applications.result(OTHER, application_id)
    with pytest.raises(applications.ApplicationNotFound):
        applications.erase(OTHER, application_id)


def test_submit_needs_an_upload_and_then_starts_the_pipeline(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[tuple[str, str]] = []
    monkeypatch.setattr(applications, "_start_execution", lambda a, reason: started.append((a, reason)))
    application_id = _collecting(repo)
    with pytest.raises(applications.WrongStatus, match=r"^cannot submit: nothing has been uploaded yet$"):
        applications.submit(OWNER, application_id)
    _uploaded(repo, application_id, parts=1)
    assert applications.submit(OWNER, application_id).application_id == application_id
    assert started == [(application_id, "submit")]
    with pytest.raises(applications.WrongStatus, match="cannot submit: the application is processing"):
        applications.submit(OWNER, _processing(repo))


# ---------------------------------------------------------------------------------------------------- erasure
STAGES: dict[str, Callable[[ApplicationRepository], str]] = {
    "collecting": lambda repo: _uploaded_collecting(repo),
    "processing": _processing,
    "scored": _scored,
}


def _uploaded_collecting(repo: ApplicationRepository) -> str:
    application_id = _collecting(repo)
    _uploaded(repo, application_id)
    repo.record_upload(application_id, "linkedin/1")
    return application_id


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_erasure_at_each_stage_leaves_only_the_tombstone(repo: ApplicationRepository, stage: str) -> None:
    application_id = STAGES[stage](repo)
    neighbour = _scored(repo)
    neighbour_items, neighbour_objects = _items(repo, neighbour), _objects(neighbour)
    objects = _objects(application_id)
    records = len(_items(repo, application_id))  # META (replaced by the tombstone) and every other item
    assert objects, "the stage has objects to erase"

    receipt = applications.erase(OWNER, application_id)

    assert (receipt.application_id, receipt.status) == (application_id, "erased")
    assert receipt.objects_deleted == len(objects)
    assert receipt.records_deleted == records
    assert _objects(application_id) == []
    (tombstone,) = _items(repo, application_id)
    assert (tombstone["sk"], tombstone["status"], tombstone["partner_id"]) == ("META", "erased", OWNER)
    assert _items(repo, neighbour) == neighbour_items, "another application is untouched"
    assert _objects(neighbour) == neighbour_objects

    again = applications.erase(OWNER, application_id)  # a retry purges again and finds nothing left
    assert (again.objects_deleted, again.records_deleted) == (0, 0)
    assert again.erased_at == receipt.erased_at == tombstone["erased_at"], "the first erasure's time stands"


def test_the_tombstone_keeps_the_applications_place_and_the_log_holds_ids_and_counts_only(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(applications.logger, "info", lambda msg, extra: logged.append((msg, extra)))
    application_id = _scored(repo)
    created = 1_700_000_000  # long before the erasure: the partner's list stays in creation order
    repo.table.update_item(
        Key={"pk": f"APP#{application_id}", "sk": "META"},
        UpdateExpression="SET created_at = :c",
        ExpressionAttributeValues={":c": created},
    )
    today = dt.datetime.now(dt.UTC).date()
    stored = applications.report_outcome(
        OWNER, application_id, OutcomeReport(outcome="good", observed_at=today)
    )
    objects, records = len(_objects(application_id)), len(_items(repo, application_id))

    applications.erase(OWNER, application_id)

    (tombstone,) = _items(repo, application_id)
    assert (tombstone["created_at"], tombstone["gsi1sk"]) == (created, f"{created:012d}#{application_id}")
    assert logged == [
        ("outcome recorded", {"application_id": application_id, "revision": stored.revision}),
        (
            "application erased",
            {"application_id": application_id, "objects_deleted": objects, "records_deleted": records},
        ),
    ]


def test_erasing_again_keeps_the_first_erasures_time(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A retried erasure moved `erased_at` to the retry: the record of when the applicant's data went was wrong.
    application_id = _scored(repo)
    clock = [1_800_000_000.0]
    monkeypatch.setattr(repository_module.time, "time", lambda: clock[0])
    first = applications.erase(OWNER, application_id)
    clock[0] += 86_400
    again = applications.erase(OWNER, application_id)
    (tombstone,) = _items(repo, application_id)
    assert (
        first.erased_at
        == again.erased_at
        == tombstone["erased_at"]
        == tombstone["updated_at"]
        == 1_800_000_000
    )
    assert (again.records_deleted, again.objects_deleted) == (0, 0)
    with pytest.raises(applications.ApplicationNotFound):
        applications.erase(OTHER, application_id)  # ownership is still the tombstone's condition


def test_an_application_past_its_retention_that_ttl_has_not_removed_is_erased_when_asked(
    repo: ApplicationRepository,
) -> None:
    # DynamoDB's TTL removes expired items up to days later (and S3's lifecycle its objects): the erasure
    # answered 404 meanwhile, and the applicant's data stayed until then.
    application_id = _scored(repo)
    repo.table.update_item(
        Key={"pk": f"APP#{application_id}", "sk": "META"},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": 1_700_000_000},
    )
    with pytest.raises(applications.ApplicationNotFound):
        applications.view(OWNER, application_id)  # gone for every reader
    objects, records = len(_objects(application_id)), len(_items(repo, application_id))
    assert objects
    assert records > 1

    receipt = applications.erase(OWNER, application_id)

    assert (receipt.objects_deleted, receipt.records_deleted) == (objects, records)
    assert _objects(application_id) == []
    (tombstone,) = _items(repo, application_id)
    assert tombstone["status"] == "erased"
    assert "expires_at" not in tombstone
    with pytest.raises(applications.ApplicationNotFound):
        applications.erase(OTHER, application_id)


def test_the_purge_reads_consistently_page_by_page(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DynamoDB pages a query at 1 MB (forced here to one item a page) and may serve an eventually consistent read
    from before the tombstone: the purge follows every page and reads consistently (moto is always consistent,
    so the flag is checked on the call)."""
    application_id = _scored(repo)
    records = len(_items(repo, application_id))
    assert records >= 3, "several items to page through"
    calls: list[dict[str, Any]] = []
    query = repo.table.query

    def one_item_pages(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return query(**{**kwargs, "Limit": 1})

    monkeypatch.setattr(repo.table, "query", one_item_pages)
    assert repo.erase(application_id, OWNER).records_deleted == records
    monkeypatch.undo()
    (tombstone,) = _items(repo, application_id)
    assert tombstone["status"] == "erased"
    assert len(calls) >= records, "one page per item"
    assert all(call["ConsistentRead"] is True for call in calls)


def test_the_final_status_write_is_purged_before_and_after(repo: ApplicationRepository) -> None:
    application_id = _processing(repo)
    before = _objects(application_id)
    late = f"uploads/{application_id}/linkedin/late.zip"

    def final_write() -> None:
        assert _objects(application_id) == [], "nobody sees a finished application with exports left"
        storage.put_json(BUCKET, late, "zip")  # an upload that landed while the status still said processing

    assert erasure.purge_raw(application_id, final_write) == len(before) + 1
    assert _objects(application_id) == []

    failing_id = _processing(repo)
    failing_late = f"uploads/{failing_id}/linkedin/late.zip"

    def refused() -> None:
        storage.put_json(BUCKET, failing_late, "zip")
        raise RuntimeError("write refused")

    with pytest.raises(RuntimeError, match="write refused"):
        erasure.purge_raw(failing_id, refused)
    assert _objects(failing_id) == [failing_late], "an error of the write propagates without the second purge"


def test_a_pipeline_writer_after_the_erasure_names_the_application_it_stops(
    repo: ApplicationRepository,
) -> None:
    application_id = _processing(repo)
    applications.erase(OWNER, application_id)
    with pytest.raises(ApplicationErased) as stopped:
        erasure.put_pipeline_files(application_id, {f"work/{application_id}/profile.json": {"texts": []}})
    assert stopped.value.args == (application_id,)  # it names the application it stopped for
    assert _objects(application_id) == []


def test_the_write_itself_refuses_another_partners_erasure(repo: ApplicationRepository) -> None:
    application_id = _scored(repo)
    before = _items(repo, application_id)
    with pytest.raises(NotFound) as refused:
        repo.erase(application_id, OTHER)
    assert refused.value.args == (application_id,)
    assert _items(repo, application_id) == before


# ---------------------------------------------------------------------------------------------------- lists
def test_lists_hold_only_the_partners_own_applications(repo: ApplicationRepository) -> None:
    owner, other = (
        f"lister-{uuid.uuid4()}",
        f"lister-{uuid.uuid4()}",
    )  # partners no other test of the module uses
    mine = {_collecting(repo, owner, reference=f"ref-{i}") for i in range(3)}
    theirs = _collecting(repo, other, reference="ref-9")
    first = applications.list_for_partner(owner, limit=2)
    assert len(first.applications) == 2
    assert first.next_token is not None
    assert "." in first.next_token
    assert "#" not in first.next_token
    second = applications.list_for_partner(owner, limit=2, next_token=first.next_token)
    assert second.next_token is None
    listed = [a.application_id for a in first.applications + second.applications]
    assert sorted(listed) == sorted(mine)
    assert [a.application_id for a in applications.list_for_partner(other).applications] == [theirs]

    filtered = applications.list_filtered(owner, limit=2, reference="ref-")
    assert len(filtered.applications) == 2
    assert filtered.next_token is not None
    assert "#" not in filtered.next_token
    rest = applications.list_filtered(owner, limit=2, next_token=filtered.next_token, reference="ref-")
    assert rest.next_token is None
    assert sorted(a.application_id for a in filtered.applications + rest.applications) == sorted(mine)
    assert {a.reference for a in filtered.applications + rest.applications} == {"ref-0", "ref-1", "ref-2"}
    assert applications.list_filtered(owner, reference="ref-9").applications == []
    assert [
        a.application_id for a in applications.list_filtered(other, status="collecting").applications
    ] == [theirs]
    assert applications.list_filtered(other, status="scored").applications == []


def test_an_application_is_read_consistently_and_a_missing_one_is_named(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ownership check and `is_erased` must see a write that has just committed (the tombstone above all):
    DynamoDB reads eventually consistently unless asked (moto is always consistent, so the flag is checked)."""
    application_id = _collecting(repo)
    calls = recorded_calls(monkeypatch, repo.table, "get_item")
    assert repo.get(application_id).application_id == application_id
    assert calls[-1]["ConsistentRead"] is True
    unknown = new_application_id()
    with pytest.raises(NotFound) as gone:
        repo.get(unknown)
    assert gone.value.args == (unknown,), "a pipeline step that fails on it names the application"


def test_the_list_is_newest_first_and_a_position_is_the_key_dynamodb_returned(
    repo: ApplicationRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    partner = f"lister-{uuid.uuid4()}"
    ids = [_collecting(repo, partner) for _ in range(3)]
    for i, application_id in enumerate(ids):  # created a minute apart, oldest first
        created = 1_700_000_000 + 60 * i
        repo.table.update_item(
            Key={"pk": f"APP#{application_id}", "sk": "META"},
            UpdateExpression="SET created_at = :c, gsi1sk = :s",
            ExpressionAttributeValues={":c": created, ":s": f"{created:012d}#{application_id}"},
        )
    queries: list[tuple[dict[str, Any], dict[str, Any]]] = []
    query = repo.table.query

    def spy(**kwargs: Any) -> Any:
        response = query(**kwargs)
        queries.append((kwargs, response))
        return response

    monkeypatch.setattr(repo.table, "query", spy)
    first, after = repo.list_for_partner(partner, limit=2)
    assert [a.application_id for a in first] == [ids[2], ids[1]]
    second, end = repo.list_for_partner(partner, limit=2, after=after)
    assert ([a.application_id for a in second], end) == ([ids[0]], None)
    # AWS asks for the LastEvaluatedKey it returned; moto would also accept a key with a wrong table key
    assert queries[1][0]["ExclusiveStartKey"] == queries[0][1]["LastEvaluatedKey"]


def test_the_owner_reports_and_reads_back_an_outcome(repo: ApplicationRepository) -> None:
    application_id = _scored(repo)
    today = dt.datetime.now(dt.UTC).date()
    stored = applications.report_outcome(
        OWNER, application_id, OutcomeReport(outcome="bad", observed_at=today)
    )
    assert (stored.application_id, stored.outcome, stored.observed_at, stored.revision) == (
        application_id,
        "bad",
        today,
        1,
    )
    assert applications.outcome(OWNER, application_id) == stored
    with pytest.raises(
        applications.WrongStatus, match="no outcome can be recorded: the application is collecting"
    ):
        applications.report_outcome(
            OWNER, _collecting(repo), OutcomeReport(outcome="good", observed_at=today)
        )


def test_result_and_submit_say_why_they_refuse(repo: ApplicationRepository) -> None:
    with pytest.raises(applications.WrongStatus, match=r"^no result: the application is collecting$"):
        applications.result(OWNER, _collecting(repo))
    with pytest.raises(applications.WrongStatus, match=r"^cannot rescore: the application is processing$"):
        applications.rescore(OWNER, _processing(repo))
    unstored = _processing(repo)
    repo.mark_scored(unstored, RESULT)  # scored without a stored result: refused, never an empty result
    with pytest.raises(applications.WrongStatus, match=r"^no result stored$"):
        applications.result(OWNER, unstored)


def test_the_pipelines_view_of_an_erased_or_vanished_application(repo: ApplicationRepository) -> None:
    application_id = _processing(repo)
    assert repo.is_erased(application_id) is False
    assert repo.get_live(application_id).status == Status.PROCESSING
    applications.erase(OWNER, application_id)
    assert repo.is_erased(application_id) is True
    with pytest.raises(ApplicationErased) as stopped:
        repo.get_live(application_id)
    assert stopped.value.args == (application_id,)
    assert repo.is_erased(new_application_id()) is True, "gone (expired, never created) counts as erased"
