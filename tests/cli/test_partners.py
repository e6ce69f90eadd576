"""`credscore partners`: a key is issued once, stored only as its hash, and revoked (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from credscore_aws.dal.repository import ApplicationRepository, hash_api_key
from credscore_cli.main import main
from tests.fake_aws import fake_aws
from tests.moto_tables import create_applications_table


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with fake_aws(monkeypatch):
        yield create_applications_table()


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
