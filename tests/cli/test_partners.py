"""`credscore partners`: a key is issued once, stored only as its hash, and revoked (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from credscore_aws.dal.repository import ApplicationRepository, hash_api_key
from credscore_cli.main import main
from credscore_local.template import load_template


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(key, value)
    props = load_template()["Resources"]["ApplicationsTable"]["Properties"]
    with mock_aws():
        yield boto3.resource("dynamodb").create_table(
            TableName="applications",
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
            BillingMode="PAY_PER_REQUEST",
        )


def test_create_prints_a_key_that_is_stored_only_as_its_hash(
    table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["partners", "--table", "applications", "create", "--partner-id", "p-1", "--name", "P"]) == 0
    key = capsys.readouterr().out.strip()
    assert len(key) >= 40
    repo = ApplicationRepository(table)
    assert repo.partner_for_key(key) == "p-1"
    stored = table.scan()["Items"]
    assert [item["pk"] for item in stored] == [f"PARTNERKEY#{hash_api_key(key)}"]
    assert key not in repr(stored)

    assert main(["partners", "--table", "applications", "revoke", "--key", key]) == 0
    assert repo.partner_for_key(key) is None


def test_an_action_is_required(table: Any) -> None:
    assert main(["partners", "--table", "applications"]) == 2
