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


def _listing(prefix: str) -> Request:
    return requests_for("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": prefix}, R, A)[0]


def _guard_on_prefix(operator: str, expected: str | list[str], effect: str = "Allow") -> PolicyGuard:
    statements = [
        {
            "Effect": effect,
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::b",
            "Condition": {operator: {"s3:prefix": expected}},
        }
    ]
    if effect == "Deny":
        statements.append({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"})
    return PolicyGuard(statements)


def test_string_equals_allows_exactly_the_values_it_names_and_nothing_else() -> None:
    guard = _guard_on_prefix("StringEquals", ["uploads/", "work/"])
    assert guard.allows(_listing("uploads/"))
    assert guard.allows(_listing("work/")), "any of the listed values"
    assert not guard.allows(_listing("uploads/abc/")), "equality, not a prefix or a wildcard"
    assert not guard.allows(_listing("Uploads/")), "StringEquals is case-sensitive"
    assert not _guard_on_prefix("StringEquals", "uploads/*").allows(_listing("uploads/x")), "no wildcards"


def test_string_not_equals_and_the_ignore_case_forms() -> None:
    not_equals = _guard_on_prefix("StringNotEquals", "work/")
    assert not_equals.allows(_listing("uploads/"))
    assert not not_equals.allows(_listing("work/"))
    assert not_equals.allows(_listing("WORK/")), "case-sensitive, so another value"
    ignore_case = _guard_on_prefix("StringEqualsIgnoreCase", "Uploads/")
    assert ignore_case.allows(_listing("uPLOADS/"))
    assert not ignore_case.allows(_listing("work/"))
    not_ignore_case = _guard_on_prefix("StringNotEqualsIgnoreCase", "work/")
    assert not not_ignore_case.allows(_listing("WORK/"))
    assert not_ignore_case.allows(_listing("uploads/"))


def test_string_like_and_not_like_use_iam_wildcards_case_sensitively() -> None:
    like = _guard_on_prefix("StringLike", ["uploads/?/*", "work/"])
    assert like.allows(_listing("uploads/a/b/c"))
    assert not like.allows(_listing("uploads/ab/c")), "? is exactly one character"
    assert like.allows(_listing("work/"))
    assert not like.allows(_listing("Uploads/a/b")), "StringLike is case-sensitive"
    not_like = _guard_on_prefix("StringNotLike", "work/*")
    assert not_like.allows(_listing("uploads/x"))
    assert not not_like.allows(_listing("work/x"))


def test_if_exists_forms_and_conditions_in_a_deny() -> None:
    assert _guard_on_prefix("StringEqualsIfExists", "uploads/").allows(_listing("uploads/"))
    assert not _guard_on_prefix("StringEqualsIfExists", "uploads/").allows(_listing("work/"))
    deny_work = _guard_on_prefix("StringLike", "work/*", effect="Deny")
    assert not deny_work.allows(_listing("work/a")), "the deny applies where its condition holds"
    assert deny_work.allows(_listing("uploads/a")), "and only there"


def test_conditions_the_guard_does_not_evaluate_are_taken_as_met() -> None:
    """Documented: the guard may miss a denial on an operator or key it does not know, never invent one."""
    assert _guard_on_prefix("NumericLessThan", "3").allows(_listing("work/"))
    other_key = PolicyGuard(
        [
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::b",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "x"}},
            }
        ]
    )
    assert other_key.allows(_listing("work/"))


def test_resource_arns_match_case_sensitively_and_actions_do_not() -> None:
    guard = PolicyGuard(
        [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/work/*"},
            {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": TABLE},
        ]
    )
    assert guard.allows(Request("s3:GetObject", "arn:aws:s3:::b/work/x"))
    assert guard.allows(Request("S3:GETOBJECT", "arn:aws:s3:::b/work/x"))
    assert not guard.allows(Request("s3:GetObject", "arn:aws:s3:::b/WORK/x")), (
        "object keys are case-sensitive"
    )
    assert not guard.allows(Request("s3:GetObject", "arn:aws:s3:::B/work/x")), "bucket names too"
    assert not guard.allows(Request("dynamodb:GetItem", TABLE.replace("apps", "Apps"))), "table names too"
