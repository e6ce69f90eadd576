"""The local stack's transaction patch (credscore_local.ddb_transactions): a transaction copies the items it names,
not their tables, with the same outcome as moto's own: what it commits, what a cancelled one leaves behind (items
and stream records), and the errors it answers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credscore_local import ddb_transactions
from credscore_local.deployment import ACCOUNT_ID, REGION, aws_client
from tests.moto_server import moto_server

_names = itertools.count()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server(ddb_transactions) as url:
        yield url


@pytest.fixture(params=["patched", "moto"])
def mode(request: pytest.FixtureRequest, endpoint: str) -> str:
    """Each behaviour is shown with the patch and with moto's own transactions: the outcomes are the same."""
    (ddb_transactions.install if request.param == "patched" else ddb_transactions.uninstall)()
    assert ddb_transactions.installed() == (request.param == "patched")
    return request.param


@pytest.fixture
def table(endpoint: str, mode: str) -> str:
    """A table keyed as the application table (pk, sk), streaming new images as it does, holding two items."""
    name = f"apps-{mode}-{next(_names)}"
    ddb = aws_client(endpoint, "dynamodb")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "META"}, "v": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "c"}, "sk": {"S": "META"}, "v": {"N": "1"}})
    return name


def _items(endpoint: str, table: str) -> list[dict[str, Any]]:
    rows = aws_client(endpoint, "dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(rows, key=lambda r: (r["pk"]["S"], r["sk"]["S"]))


def _stream(endpoint: str, table: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(event, sequence number, new image) of every record in the table's stream."""
    arn = aws_client(endpoint, "dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = aws_client(endpoint, "dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return [
        (r["eventName"], r["dynamodb"]["SequenceNumber"], r["dynamodb"].get("NewImage", {})) for r in records
    ]


def _update(table: str, pk: str, value: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": pk}, "sk": {"S": "META"}},
            "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"N": value}},
        }
    }


def _put_new(table: str, pk: str) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table,
            "Item": {"pk": {"S": pk}, "sk": {"S": "META"}, "v": {"N": "9"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def test_a_committed_transaction_writes_every_item_and_its_stream_records(endpoint: str, table: str) -> None:
    before = _stream(endpoint, table)
    aws_client(endpoint, "dynamodb").transact_write_items(
        TransactItems=[_update(table, "a", "2"), _put_new(table, "b")]
    )
    assert [(r["pk"]["S"], r["v"]["N"]) for r in _items(endpoint, table)] == [
        ("a", "2"),
        ("b", "9"),
        ("c", "1"),
    ]
    after = _stream(endpoint, table)
    assert after[: len(before)] == before
    assert [(event, image["pk"]["S"]) for event, _, image in after[len(before) :]] == [
        ("MODIFY", "a"),
        ("INSERT", "b"),
    ]


def test_a_cancelled_transaction_leaves_the_items_and_the_stream_as_they_were(
    endpoint: str, table: str
) -> None:
    """The update and the new item come before the failing condition, so both were written and are undone."""
    items, stream = _items(endpoint, table), _stream(endpoint, table)
    with pytest.raises(ClientError) as raised:
        aws_client(endpoint, "dynamodb").transact_write_items(
            TransactItems=[_update(table, "a", "2"), _put_new(table, "b"), _put_new(table, "c")]
        )
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    assert _items(endpoint, table) == items
    assert _stream(endpoint, table) == stream
    # The next write's record follows on from the last one kept, as if the cancelled ones never were.
    aws_client(endpoint, "dynamodb").transact_write_items(TransactItems=[_update(table, "c", "5")])
    after = _stream(endpoint, table)
    assert after[: len(stream)] == stream
    assert len(after) == len(stream) + 1


def test_a_key_named_twice_is_refused_and_its_first_write_undone(endpoint: str, table: str) -> None:
    items, stream = _items(endpoint, table), _stream(endpoint, table)
    with pytest.raises(ClientError) as raised:
        aws_client(endpoint, "dynamodb").transact_write_items(
            TransactItems=[_update(table, "a", "2"), _update(table, "a", "3")]
        )
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert _items(endpoint, table) == items
    assert _stream(endpoint, table) == stream


def test_a_transaction_naming_an_unknown_table_gets_motos_answer(endpoint: str, table: str) -> None:
    with pytest.raises(ClientError) as raised:
        aws_client(endpoint, "dynamodb").transact_write_items(
            TransactItems=[_update(table, "a", "2"), _update("no-such-table", "a", "2")]
        )
    assert raised.value.response["Error"]["Code"] in (
        "ResourceNotFoundException",
        "TransactionCanceledException",
    )
    assert [(r["pk"]["S"], r["v"]["N"]) for r in _items(endpoint, table)] == [("a", "1"), ("c", "1")]


def test_a_cancelled_insert_leaves_no_trace_of_its_key(endpoint: str, table: str) -> None:
    """Inside moto: no empty partition is left behind for a key the cancelled transaction created."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    with pytest.raises(ClientError):
        aws_client(endpoint, "dynamodb").transact_write_items(
            TransactItems=[_put_new(table, "new"), _put_new(table, "c")]
        )
    stored = dynamodb_backends[ACCOUNT_ID][REGION].tables[table]
    assert DynamoType({"S": "new"}) not in stored.items


def test_only_moto_copies_whole_tables(
    endpoint: str, table: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The point of the patch: with it, a transaction never deep-copies a table (one that cannot be copied
    commits and cancels as before); moto's own transaction copies it (and fails)."""
    from moto.dynamodb.models.table import Table

    def refuse(self: Any, memo: Any) -> Any:
        raise RuntimeError("a whole table was deep-copied")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    ddb = aws_client(endpoint, "dynamodb")
    if mode == "moto":
        with pytest.raises(ClientError):
            ddb.transact_write_items(TransactItems=[_update(table, "a", "2")])
        return
    ddb.transact_write_items(TransactItems=[_update(table, "a", "2")])
    with pytest.raises(ClientError) as raised:
        ddb.transact_write_items(TransactItems=[_update(table, "a", "3"), _put_new(table, "c")])
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [(r["pk"]["S"], r["v"]["N"]) for r in _items(endpoint, table)] == [("a", "2"), ("c", "1")]
