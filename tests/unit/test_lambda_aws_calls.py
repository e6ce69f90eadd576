"""The local Lambda runtime counts the AWS calls each invocation makes (for the cost model in bench/cost):
per call in `InvocationStats.aws_calls`, summed in `FunctionPool.aws_calls`; calls refused by the IAM guard and
calls made at import time (the cold start) are counted too."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from credscore_local.lambda_runtime import FunctionPool
from tests.local_functions import one_file_function

# Every call goes to a closed port with no retries: it fails fast, but it was made.
HANDLER = textwrap.dedent(
    """
    import boto3
    from botocore.config import Config

    def _client(service):
        return boto3.client(
            service, region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
            aws_access_key_id="x", aws_secret_access_key="x",
            config=Config(retries={"total_max_attempts": 1}, connect_timeout=1),
        )

    def _try(call):
        try:
            call()
        except Exception as exc:
            return type(exc).__name__
        return "ok"

    _try(lambda: _client("ssm").get_parameter(Name="/at/import"))  # a cold start's call

    def lambda_handler(event, context):
        s3 = _client("s3")
        outcomes = [_try(lambda: s3.get_object(Bucket="b", Key="k")) for _ in range(event["gets"])]
        outcomes.append(_try(lambda: _client("dynamodb").get_item(TableName="t", Key={})))
        return outcomes
    """
)
ACCOUNT = "123456789012"


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[FunctionPool]:
    spec = one_file_function(
        tmp_path,
        "caller",
        HANDLER,
        # S3 reads allowed; DynamoDB not: the guard refuses GetItem before it is sent.
        policy_statements=[
            {"Effect": "Allow", "Action": ["s3:GetObject", "ssm:GetParameter"], "Resource": "*"}
        ],
    )
    running = FunctionPool(spec, {}, f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:caller", 1)
    yield running
    running.stop()


def test_each_invocation_counts_its_own_calls_and_the_pool_sums_them(pool: FunctionPool) -> None:
    payload, errored = pool.invoke({"gets": 3})
    assert not errored, payload
    outcomes = json.loads(payload)
    assert outcomes[-1] == "ClientError", "the guard refused GetItem"
    assert pool.stats[-1].aws_calls == {"ssm:GetParameter": 1, "s3:GetObject": 3, "dynamodb:GetItem": 1}
    pool.invoke({"gets": 1})
    # The warm call pays no import-time call and counts only its own.
    assert pool.stats[-1].aws_calls == {"s3:GetObject": 1, "dynamodb:GetItem": 1}
    assert pool.aws_calls == {"ssm:GetParameter": 1, "s3:GetObject": 4, "dynamodb:GetItem": 2}


def test_cpu_time_is_recorded_per_invocation(pool: FunctionPool) -> None:
    pool.invoke({"gets": 0})
    stats = pool.stats[-1]
    assert stats.cpu_ms is not None
    assert 0 < stats.cpu_ms <= stats.duration_ms + 50
