"""The local IAM guard: which (action, resource) each call needs, and how statements decide."""

from __future__ import annotations

from credscore_local.iam_guard import PolicyGuard, Request, requests_for

R, A = "us-east-1", "123456789012"
TABLE = f"arn:aws:dynamodb:{R}:{A}:table/apps"


def test_calls_map_to_the_actions_and_resources_iam_evaluates() -> None:
    assert requests_for("s3", "HeadObject", {"Bucket": "b", "Key": "uploads/x.zip"}, R, A) == [
        Request("s3:GetObject", "arn:aws:s3:::b/uploads/x.zip")
    ]
    assert requests_for("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "work/"}, R, A) == [
        Request("s3:ListBucket", "arn:aws:s3:::b", (("s3:prefix", "work/"),))
    ]
    assert requests_for(
        "s3", "DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "a"}, {"Key": "c"}]}}, R, A
    ) == [
        Request("s3:DeleteObject", "arn:aws:s3:::b/a"),
        Request("s3:DeleteObject", "arn:aws:s3:::b/c"),
    ]
    assert requests_for("dynamodb", "Query", {"TableName": "apps", "IndexName": "by-partner"}, R, A) == [
        Request("dynamodb:Query", f"{TABLE}/index/by-partner")
    ]
    assert requests_for("dynamodb", "BatchWriteItem", {"RequestItems": {"apps": []}}, R, A) == [
        Request("dynamodb:BatchWriteItem", TABLE)
    ]
    assert requests_for("ssm", "GetParameter", {"Name": "/credscore/dev/config"}, R, A) == [
        Request("ssm:GetParameter", f"arn:aws:ssm:{R}:{A}:parameter/credscore/dev/config")
    ]
    assert requests_for("stepfunctions", "StartExecution", {"stateMachineArn": "arn:sm"}, R, A) == [
        Request("states:StartExecution", "arn:sm")
    ]


def test_an_allow_must_match_action_and_resource_and_a_deny_wins() -> None:
    guard = PolicyGuard(
        [
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/work/*"]},
            {"Effect": "Allow", "Action": "dynamodb:*", "Resource": TABLE},
            {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": "*"},
        ]
    )
    assert guard.allows(Request("s3:GetObject", "arn:aws:s3:::b/work/a/profile.json"))
    assert guard.allows(Request("S3:getobject", "arn:aws:s3:::b/work/x")), "actions are case-insensitive"
    assert not guard.allows(Request("s3:GetObject", "arn:aws:s3:::b/uploads/a.zip"))
    assert not guard.allows(Request("s3:PutObject", "arn:aws:s3:::b/work/x"))
    assert guard.allows(Request("dynamodb:Query", TABLE))
    assert not guard.allows(Request("dynamodb:Query", f"{TABLE}/index/by-partner")), (
        "an index is its own resource"
    )
    assert not guard.allows(Request("dynamodb:DeleteItem", TABLE)), "an explicit deny wins"


def test_a_listing_is_allowed_only_under_the_prefix_its_condition_names() -> None:
    guard = PolicyGuard(
        [
            {
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": "arn:aws:s3:::b",
                "Condition": {"StringLike": {"s3:prefix": "uploads/*"}},
            }
        ]
    )
    listing = requests_for("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "uploads/abc/"}, R, A)[0]
    assert guard.allows(listing)
    elsewhere = requests_for("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "work/abc/"}, R, A)[0]
    assert not guard.allows(elsewhere)
