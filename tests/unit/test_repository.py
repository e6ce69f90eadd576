"""The DynamoDB repository against moto, with the table defined exactly as template.yaml defines it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from credscore.application import Status, new_application_id
from credscore_aws.repository import ApplicationRepository, Conflict, NotFound
from credscore_local.fidelity import serialize_dynamodb_writes
from credscore_local.template import load_template


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApplicationRepository]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    serialize_dynamodb_writes()  # DynamoDB's conditional writes are atomic; moto's need the local-stack patch
    props = load_template()["Resources"]["ApplicationsTable"]["Properties"]
    with mock_aws():
        ddb = boto3.resource("dynamodb")
        table = ddb.create_table(
            TableName="applications",
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
            BillingMode="PAY_PER_REQUEST",
        )
        yield ApplicationRepository(table)


def _new(repo: ApplicationRepository, partner: str = "p1", declared: dict[str, int] | None = None) -> str:
    application_id = new_application_id()
    repo.create(
        {
            "application_id": application_id,
            "partner_id": partner,
            "declared": declared or {"linkedin": 1, "facebook": 1},
        }
    )
    return application_id


def test_create_is_conditional(repo: ApplicationRepository) -> None:
    application_id = _new(repo)
    with pytest.raises(Conflict):
        repo.create({"application_id": application_id, "partner_id": "p2", "declared": {}})
    assert repo.get(application_id)["partner_id"] == "p1"


def test_uploads_are_recorded_once_and_reuploads_noted(repo: ApplicationRepository) -> None:
    application_id = _new(repo)
    assert repo.record_upload(application_id, "linkedin/1")["received"] == ["linkedin/1"]
    assert repo.record_upload(application_id, "linkedin/1")["received"] == ["linkedin/1"]
    events = [a["event"] for a in repo.audit_trail(application_id)]
    assert events == ["created", "upload_received", "upload_replaced"]


def test_unknown_application(repo: ApplicationRepository) -> None:
    with pytest.raises(NotFound):
        repo.record_upload(new_application_id(), "linkedin/1")


def test_exactly_one_claim_wins_a_race(repo: ApplicationRepository) -> None:
    application_id = _new(repo)
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        wins.append(repo.claim_for_scoring(application_id, "race"))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]
    assert repo.get(application_id)["status"] == Status.PROCESSING


def test_results_partner_listing_and_erasure(repo: ApplicationRepository) -> None:
    mine = _new(repo, "p1")
    _new(repo, "p2")
    repo.save_result(mine, {"total_points": 1.5, "config_version": "v1"}, {"age": {"value": 30.5}})
    assert repo.get(mine)["status"] == Status.SCORED
    assert repo.get_doc(mine, "RESULT") == {"total_points": 1.5, "config_version": "v1"}
    assert [a["application_id"] for a in repo.list_for_partner("p1")[0]] == [mine]

    deleted = repo.erase(mine, "p1")
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
        "erased_at",
        "created_at",
        "updated_at",
    }


def test_partner_keys_are_stored_only_as_hashes(repo: ApplicationRepository) -> None:
    repo.put_partner_key("secret-key-123", "p9", "Lender")
    assert repo.partner_for_key("secret-key-123") == "p9"
    assert repo.partner_for_key("secret-key-124") is None
    items = repo.table.scan()["Items"]
    assert all("secret-key-123" not in str(item) for item in items)


def test_expired_applications_read_as_gone(repo: ApplicationRepository) -> None:
    application_id = new_application_id()
    repo.create({"application_id": application_id, "partner_id": "p1", "declared": {}, "expires_at": 1})
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
        seen += [i["application_id"] for i in items]
        if after is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 5
    assert set(seen) == mine
    assert not set(seen) & others
    # A position is only ever a place in the caller's own list: p2 starting after p1's position sees p2's.
    items, _ = repo.list_for_partner("p2", limit=10, after=repo.list_for_partner("p1", limit=1)[1])
    assert {i["application_id"] for i in items} <= others


def test_an_expired_application_is_not_listed(repo: ApplicationRepository) -> None:
    kept = _new(repo, "p1")
    expired = new_application_id()
    repo.create(
        {"application_id": expired, "partner_id": "p1", "declared": {}, "expires_at": int(time.time()) - 1}
    )
    assert [a["application_id"] for a in repo.list_for_partner("p1")[0]] == [kept]


def test_only_applications_still_collecting_are_stale_and_a_claim_beats_a_close(
    repo: ApplicationRepository,
) -> None:
    old, claimed, young = _new(repo), _new(repo), _new(repo)
    assert repo.claim_for_scoring(claimed, "upload")
    later = int(time.time()) + 10
    assert {a["application_id"] for a in repo.stale_collecting(created_before=later)} == {old, young}
    assert repo.stale_collecting(created_before=0) == []
    assert repo.close_unused(old, "no_upload", "nothing arrived")
    assert repo.get(old)["status"] == Status.FAILED
    assert repo.get(old)["error"] == {"code": "no_upload", "message": "nothing arrived"}
    assert not repo.close_unused(claimed, "no_upload", "nothing arrived"), "already processing: left alone"
    assert repo.get(claimed)["status"] == Status.PROCESSING
    assert {a["application_id"] for a in repo.stale_collecting(created_before=later)} == {young}


def test_the_partner_list_filters_by_status_and_searches_references_page_by_page(
    repo: ApplicationRepository,
) -> None:
    ids = []
    for n in range(7):
        application_id = new_application_id()
        repo.create(
            {"application_id": application_id, "partner_id": "p1", "reference": f"loan-{n}", "declared": {}}
        )
        ids.append(application_id)
    _new(repo, "p2")
    for application_id in ids[::2]:  # 0, 2, 4, 6 scored
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
    assert sorted(i["application_id"] for i in seen) == sorted(ids[::2])
    assert {i["score"] for i in seen} == {612.3}
    assert {i["status"] for i in seen} == {"scored"}
    found, after = repo.search_for_partner("p1", reference="an-3")
    assert [(i["application_id"], i["reference"]) for i in found] == [(ids[3], "loan-3")]
    assert after is None
    assert repo.search_for_partner("p1", reference="loan-3", status="scored")[0] == []
    assert repo.search_for_partner("p2", reference="loan")[0] == []


def test_an_applicant_token_is_kept_as_a_hash_revoked_and_gone_with_erasure(
    repo: ApplicationRepository,
) -> None:
    application_id = _new(repo)
    repo.set_applicant_token(application_id, "h1")
    assert repo.get(application_id)["applicant_token_hash"] == "h1"
    assert repo.revoke_applicant_token(application_id) is True
    assert "applicant_token_hash" not in repo.get(application_id)
    assert repo.revoke_applicant_token(application_id) is False
    repo.set_applicant_token(application_id, "h2")
    repo.erase(application_id, "p1")
    assert "applicant_token_hash" not in repo.get(application_id)
