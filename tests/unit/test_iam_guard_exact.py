"""The local IAM guard, pinned down call by call (written to kill the mutants `make mutate` found surviving; see
MUTATION.md): every branch of `requests_for`, conditions that must be read to the end, and `install` refusing and
passing real botocore calls against moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from credscore_local import iam_guard
from credscore_local.iam_guard import PolicyGuard, Request, requests_for
from tests.fake_aws import fake_aws

R, A = "eu-west-1", "123456789012"
T = f"arn:aws:dynamodb:{R}:{A}:table/"

CASES: list[tuple[str, str, dict[str, Any], list[Request]]] = [
    # s3: a bucket-level call without a bucket still names the bucket ARN prefix, never a placeholder
    ("s3", "HeadBucket", {}, [Request("s3:ListBucket", "arn:aws:s3:::")]),
    ("s3", "HeadBucket", {"Bucket": "b"}, [Request("s3:ListBucket", "arn:aws:s3:::b")]),
    ("s3", "DeleteObjects", {"Bucket": "b"}, []),
    ("s3", "DeleteObjects", {"Bucket": "b", "Delete": {}}, []),
    (
        "s3",
        "ListObjects",
        {"Bucket": "b", "Prefix": "w/"},
        [Request("s3:ListBucket", "arn:aws:s3:::b", (("s3:prefix", "w/"),))],
    ),
    (
        "s3",
        "ListObjectsV2",
        {"Bucket": "b"},
        [Request("s3:ListBucket", "arn:aws:s3:::b", (("s3:prefix", ""),))],
    ),
    ("s3", "PutObject", {"Bucket": "b", "Key": "k/1"}, [Request("s3:PutObject", "arn:aws:s3:::b/k/1")]),
    # dynamodb
    (
        "dynamodb",
        "BatchGetItem",
        {"RequestItems": {"a": {}, "b": {}}},
        [Request("dynamodb:BatchGetItem", T + "a"), Request("dynamodb:BatchGetItem", T + "b")],
    ),
    ("dynamodb", "BatchWriteItem", {}, []),
    (
        "dynamodb",
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "a"}},
                {"ConditionCheck": {"TableName": "b"}},
                {"Update": {"TableName": "c"}},
            ]
        },
        [
            Request("dynamodb:PutItem", T + "a"),
            Request("dynamodb:ConditionCheckItem", T + "b"),
            Request("dynamodb:UpdateItem", T + "c"),
        ],
    ),
    (
        "dynamodb",
        "TransactGetItems",
        {"TransactItems": [{"Get": {"TableName": "a"}}]},
        [Request("dynamodb:GetItem", T + "a")],
    ),
    ("dynamodb", "TransactWriteItems", {}, []),
    ("dynamodb", "ListTables", {}, [Request("dynamodb:ListTables", T + "*")]),
    ("dynamodb", "GetItem", {"TableName": "a"}, [Request("dynamodb:GetItem", T + "a")]),
    # ssm: a version or label selector is authorised as the parameter; a relative name gets its "/"
    (
        "ssm",
        "GetParameter",
        {"Name": "/c/p:3"},
        [Request("ssm:GetParameter", f"arn:aws:ssm:{R}:{A}:parameter/c/p")],
    ),
    (
        "ssm",
        "GetParameter",
        {"Name": "rel:lab:x"},
        [Request("ssm:GetParameter", f"arn:aws:ssm:{R}:{A}:parameter/rel")],
    ),
    (
        "ssm",
        "GetParameters",
        {"Names": ["/a", "b:2"]},
        [
            Request("ssm:GetParameters", f"arn:aws:ssm:{R}:{A}:parameter/a"),
            Request("ssm:GetParameters", f"arn:aws:ssm:{R}:{A}:parameter/b"),
        ],
    ),
    (
        "ssm",
        "DescribeParameters",
        {},
        [Request("ssm:DescribeParameters", f"arn:aws:ssm:{R}:{A}:parameter/*")],
    ),
    # step functions
    (
        "stepfunctions",
        "DescribeExecution",
        {"executionArn": "arn:ex"},
        [Request("states:DescribeExecution", "arn:ex")],
    ),
    ("stepfunctions", "ListStateMachines", {}, [Request("states:ListStateMachines", "*")]),
    # any other service: the action on every resource
    ("sqs", "SendMessage", {"QueueUrl": "q"}, [Request("sqs:SendMessage", "*")]),
]


@pytest.mark.parametrize(("service", "operation", "params", "expected"), CASES)
def test_each_call_maps_to_exactly_these_requests(
    service: str, operation: str, params: dict[str, Any], expected: list[Request]
) -> None:
    assert requests_for(service, operation, params, R, A) == expected


def test_every_condition_and_every_key_is_read_not_only_the_first() -> None:
    # The first operator is not evaluated and the first key is absent from the request: the guard must go on
    # to the ones after them (a `break` there would allow a listing outside the prefix).
    guard = PolicyGuard(
        [
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::b",
                "Condition": {
                    "NumericLessThan": {"s3:max-keys": "10"},
                    "StringLike": {"aws:SourceVpc": "vpc-1", "s3:prefix": ["work/*"]},
                },
            }
        ]
    )
    assert guard.allows(Request("s3:ListBucket", "arn:aws:s3:::b", (("s3:prefix", "work/a"),)))
    assert not guard.allows(Request("s3:ListBucket", "arn:aws:s3:::b", (("s3:prefix", "uploads/"),)))


def test_a_statement_without_action_or_resource_matches_nothing() -> None:
    guard = PolicyGuard([{"Effect": "Allow", "Resource": "*"}, {"Effect": "Allow", "Action": "*"}])
    assert not guard.allows(Request("s3:GetObject", "arn:aws:s3:::b/k"))


def test_nothing_allowed_is_exactly_false() -> None:
    assert PolicyGuard([]).allows(Request("s3:GetObject", "arn:aws:s3:::b/k")) is False


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(BaseClient, "_make_api_call", BaseClient._make_api_call)  # restored after the test
    with fake_aws(monkeypatch, R):
        boto3.client("s3").create_bucket(Bucket="bkt", CreateBucketConfiguration={"LocationConstraint": R})
        boto3.client("s3").put_object(Bucket="bkt", Key="work/a", Body=b"1")
        iam_guard.install(
            [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/work/*"},
                {"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": f"{T}*"},
            ],
            role="arn:aws:iam::123456789012:role/fn",
            account=A,
        )
        yield


def test_install_passes_allowed_calls_through_unchanged(guarded: None) -> None:
    assert boto3.client("s3").get_object(Bucket="bkt", Key="work/a")["Body"].read() == b"1"
    assert boto3.client("dynamodb").list_tables()["TableNames"] == []
    assert boto3.client("sqs").list_queues().get("QueueUrls", []) == [], "unguarded services pass"


def test_install_refuses_with_the_error_aws_gives(guarded: None) -> None:
    with pytest.raises(ClientError) as denied:
        boto3.client("s3").get_object(Bucket="bkt", Key="uploads/a")
    assert denied.value.operation_name == "GetObject"
    assert denied.value.response["Error"] == {
        "Code": "AccessDenied",
        "Message": "User: arn:aws:iam::123456789012:role/fn is not authorized to perform: s3:GetObject on "
        "resource: arn:aws:s3:::bkt/uploads/a because no identity-based policy allows the s3:GetObject action",
    }
    with pytest.raises(ClientError) as denied_ddb:
        boto3.client("dynamodb").describe_table(TableName="t")
    assert denied_ddb.value.response["Error"]["Code"] == "AccessDeniedException"
    assert f"on resource: {T}t " in denied_ddb.value.response["Error"]["Message"]
