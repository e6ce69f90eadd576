"""The template's function policies, enforced on the local stack as IAM would enforce them in AWS.

moto does not evaluate a Lambda role's policies, so a missing permission would pass every local test and fail
in production. Each local worker therefore checks every AWS call its handler makes against the function's own
policy statements (read from template.yaml) before the call is sent, and refuses it with the error AWS gives
(`AccessDenied` / `AccessDeniedException`). Covered: the S3, DynamoDB, SSM and Step Functions operations, with
the resource ARNs IAM evaluates for them. Not covered: the KMS permissions that S3 and DynamoDB use on a caller's
behalf for encryption at rest (the IAM matrix test in tests/security reviews those). Conditions: the string
operators (StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike,
StringNotLike, and their IfExists forms) on `s3:prefix` (a listing's prefix) are evaluated; other operators and keys
are taken as met, so the guard can miss a denial there but never invents one.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

# IAM's service prefix where it differs from botocore's service name.
_IAM_PREFIX = {"stepfunctions": "states"}
# Operations authorised under another action's name.
_ACTION_OF = {
    ("s3", "HeadObject"): "GetObject",
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "DeleteObjects"): "DeleteObject",
    ("s3", "HeadBucket"): "ListBucket",
}
GUARDED_SERVICES = frozenset({"s3", "dynamodb", "ssm", "stepfunctions"})


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    # Condition keys IAM would set for the call (only those the guard knows, e.g. s3:prefix of a listing).
    context: tuple[tuple[str, str], ...] = ()


def requests_for(
    service: str, operation: str, params: Mapping[str, Any], region: str, account: str
) -> list[Request]:
    """The (action, resource) pairs IAM authorises for one API call."""
    action = f"{_IAM_PREFIX.get(service, service)}:{_ACTION_OF.get((service, operation), operation)}"
    if service == "s3":
        bucket = params.get("Bucket", "")
        if operation == "DeleteObjects":
            keys = [o["Key"] for o in params.get("Delete", {}).get("Objects", [])]
            return [Request(action, f"arn:aws:s3:::{bucket}/{key}") for key in keys]
        if "Key" in params:
            return [Request(action, f"arn:aws:s3:::{bucket}/{params['Key']}")]
        if operation in ("ListObjectsV2", "ListObjects"):
            return [
                Request(action, f"arn:aws:s3:::{bucket}", (("s3:prefix", str(params.get("Prefix", ""))),))
            ]
        return [Request(action, f"arn:aws:s3:::{bucket}")]
    if service == "dynamodb":
        table = f"arn:aws:dynamodb:{region}:{account}:table/"
        if operation in ("BatchWriteItem", "BatchGetItem"):
            return [Request(action, table + name) for name in params.get("RequestItems", {})]
        if operation in ("TransactWriteItems", "TransactGetItems"):
            return [
                Request(
                    f"dynamodb:{kind}Item" if kind != "ConditionCheck" else "dynamodb:ConditionCheckItem",
                    table + body["TableName"],
                )
                for item in params.get("TransactItems", [])
                for kind, body in item.items()
            ]
        arn = table + params.get("TableName", "*")
        return [Request(action, arn + (f"/index/{params['IndexName']}" if "IndexName" in params else ""))]
    if service == "ssm":
        # A version or label selector ("name:3") is authorised as the parameter itself.
        names = [n.split(":", 1)[0] for n in params.get("Names") or [params.get("Name", "*")]]
        return [
            Request(action, f"arn:aws:ssm:{region}:{account}:parameter{'' if n.startswith('/') else '/'}{n}")
            for n in names
        ]
    if service == "stepfunctions":
        return [Request(action, str(params.get("stateMachineArn") or params.get("executionArn") or "*"))]
    return [Request(action, "*")]


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@cache
def _wildcard(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """IAM wildcards: * any run of characters (across "/" too), ? one character. Compiled once per pattern:
    every AWS call of a worker is checked."""
    return re.compile(fnmatch.translate(pattern), 0 if case_sensitive else re.IGNORECASE)


def _matches(patterns: Iterable[str], value: str, case_sensitive: bool) -> bool:
    return any(_wildcard(pattern, case_sensitive).fullmatch(value) for pattern in patterns)


def _string_test(operator: str) -> Callable[[list[str], str], bool] | None:
    """The test of one IAM string condition operator (None: not evaluated by the guard)."""
    base = operator.removesuffix("IfExists")
    negated = base.startswith("StringNot")
    kind = base.removeprefix("StringNot" if negated else "String")
    if kind == "Equals":

        def test(expected: list[str], value: str) -> bool:
            return value in expected
    elif kind == "EqualsIgnoreCase":

        def test(expected: list[str], value: str) -> bool:
            return value.casefold() in {e.casefold() for e in expected}
    elif kind == "Like":

        def test(expected: list[str], value: str) -> bool:
            return _matches(expected, value, case_sensitive=True)
    else:
        return None
    if negated:
        return lambda expected, value: not test(expected, value)
    return test


def _conditions_hold(conditions: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    """String operators (Equals, EqualsIgnoreCase, Like, their Not forms and IfExists variants) on keys the
    request carries; any other operator, or a key the request does not carry, is taken as met."""
    for operator, tests in conditions.items():
        test = _string_test(operator)
        if test is None:
            continue
        for key, expected in tests.items():
            if key not in context:
                continue
            if not test(_as_list(expected), context[key]):
                return False
    return True


class PolicyGuard:
    """Allow/deny by identity-policy statements: an explicit Deny wins, otherwise an Allow must match."""

    def __init__(self, statements: Iterable[Mapping[str, Any]]) -> None:
        self._statements = [
            (
                s["Effect"],
                _as_list(s.get("Action", [])),
                _as_list(s.get("Resource", [])),
                s.get("Condition", {}),
            )
            for s in statements
        ]

    def allows(self, request: Request) -> bool:
        allowed = False
        context = dict(request.context)
        for effect, actions, resources, conditions in self._statements:
            if (
                _matches(actions, request.action, case_sensitive=False)
                and _matches(resources, request.resource, case_sensitive=True)
                and _conditions_hold(conditions, context)
            ):
                if effect == "Deny":
                    return False
                allowed = True
        return allowed


def install(statements: Iterable[Mapping[str, Any]], role: str, account: str) -> None:
    """Check every botocore call of this process against `statements` (the process is one function's worker,
    `role` its execution role as error messages name it)."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    guard = PolicyGuard(statements)
    original = BaseClient._make_api_call

    def _make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        if service in GUARDED_SERVICES:
            region = client.meta.region_name or "us-east-1"
            for request in requests_for(service, operation_name, api_params, region, account):
                if not guard.allows(request):
                    code = "AccessDenied" if service == "s3" else "AccessDeniedException"
                    message = (
                        f"User: {role} is not authorized to perform: {request.action} on resource: "
                        f"{request.resource} because no identity-based policy allows the {request.action} action"
                    )
                    raise ClientError({"Error": {"Code": code, "Message": message}}, operation_name)
        return original(client, operation_name, api_params)

    BaseClient._make_api_call = _make_api_call
