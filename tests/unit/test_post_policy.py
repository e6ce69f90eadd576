"""The local stack refuses a form upload as S3 does when the form's policy does not allow it
(`credscore_local.post_policy`): the forms here are the API's own, signed by boto3 offline."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import boto3
import pytest
from botocore.config import Config

from credscore_local.post_policy import Refusal, error_body, refusal

BUCKET = "data"
KEY = "uploads/" + "a" * 32 + "/linkedin/part-1.zip"
# Within the forms' 15 minutes (each test makes its own form).
NOW = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)


def _form(max_bytes: int = 100, expires_in: int = 900) -> dict[str, str]:
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(signature_version="s3v4"),  # as the API signs them
    )
    post = (
        s3.generate_presigned_post(  # the API's conditions (credscore_aws.logic.applications._upload_forms)
            Bucket=BUCKET,
            Key=KEY,
            Fields={"Content-Type": "application/zip"},
            Conditions=[
                ["content-length-range", 1, max_bytes],
                {"Content-Type": "application/zip"},
                ["starts-with", "$key", "uploads/" + "a" * 32 + "/"],
            ],
            ExpiresIn=expires_in,
        )
    )
    return dict(post["fields"])


def _policy(fields: dict[str, str]) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.b64decode(fields["policy"]))
    return decoded


def _with_policy(fields: dict[str, str], policy: dict[str, Any]) -> dict[str, str]:
    return {**fields, "policy": base64.b64encode(json.dumps(policy).encode()).decode()}


def test_the_apis_form_allows_an_export_within_its_limits() -> None:
    fields = _form()
    assert refusal(fields, BUCKET, 1, now=dt.datetime.now(dt.UTC)) is None
    assert refusal(fields, BUCKET, 100, now=dt.datetime.now(dt.UTC)) is None


@pytest.mark.parametrize(
    ("size", "code"), [(101, "EntityTooLarge"), (0, "EntityTooSmall")], ids=["one byte over", "empty"]
)
def test_the_size_must_lie_in_the_content_length_range_at_its_exact_edges(size: int, code: str) -> None:
    refused = refusal(_form(), BUCKET, size, now=dt.datetime.now(dt.UTC))
    assert refused is not None
    assert (refused.status, refused.code) == (400, code)


def test_an_expired_form_is_refused() -> None:
    fields = _form()
    expiration = dt.datetime.fromisoformat(_policy(fields)["expiration"].replace("Z", "+00:00"))
    assert refusal(fields, BUCKET, 10, now=expiration - dt.timedelta(seconds=1)) is None
    refused = refusal(fields, BUCKET, 10, now=expiration)
    assert refused == Refusal(403, "AccessDenied", "Invalid according to Policy: Policy expired.")


@pytest.mark.parametrize(
    ("change", "failed"),
    [
        ({"Content-Type": "text/plain"}, '["eq", "$content-type", "application/zip"]'),
        ({"key": "uploads/" + "b" * 32 + "/linkedin/part-1.zip"}, '"$key"'),
        ({"x-amz-date": "20260101T000000Z"}, '"$x-amz-date"'),
    ],
    ids=["content type", "another application's key", "a signed field changed"],
)
def test_every_condition_must_hold(change: dict[str, str], failed: str) -> None:
    refused = refusal({**_form(), **change}, BUCKET, 10, now=NOW)
    assert refused is not None
    assert (refused.status, refused.code) == (403, "AccessDenied")
    assert refused.message.startswith("Invalid according to Policy: Policy Condition failed: [")
    assert failed in refused.message


def test_the_bucket_is_the_one_posted_to_and_field_names_ignore_case() -> None:
    fields = _form()
    assert refusal(fields, "other-bucket", 10, now=NOW) is not None
    shouted = {("CONTENT-TYPE" if name == "Content-Type" else name): value for name, value in fields.items()}
    assert refusal(shouted, BUCKET, 10, now=NOW) is None


def test_a_field_no_condition_names_is_refused_but_x_ignore_fields_pass() -> None:
    fields = _form()
    refused = refusal({**fields, "success_action_status": "201"}, BUCKET, 10, now=NOW)
    assert refused == Refusal(
        403, "AccessDenied", "Invalid according to Policy: Extra input fields: success_action_status"
    )
    assert refusal({**fields, "x-ignore-note": "anything"}, BUCKET, 10, now=NOW) is None


def test_starts_with_checks_the_prefix_only() -> None:
    fields = _form()
    policy = _policy(fields)
    policy["conditions"] = [c for c in policy["conditions"] if not (isinstance(c, dict) and "key" in c)]
    relaxed = _with_policy(fields, policy)
    assert refusal({**relaxed, "key": "uploads/" + "a" * 32 + "/x/part-9.zip"}, BUCKET, 10, now=NOW) is None
    assert refusal({**relaxed, "key": "work/" + "a" * 32 + "/x.zip"}, BUCKET, 10, now=NOW) is not None


@pytest.mark.parametrize(
    "policy", ["not base64!", base64.b64encode(b"{}").decode(), base64.b64encode(b"[1]").decode()]
)
def test_a_policy_that_cannot_be_read_is_refused(policy: str) -> None:
    refused = refusal({**_form(), "policy": policy}, BUCKET, 10, now=NOW)
    assert refused is not None
    assert (refused.status, refused.code) == (400, "InvalidPolicyDocument")


def test_a_form_without_a_policy_is_not_a_browser_upload() -> None:
    assert refusal({"key": KEY}, BUCKET, 10**12, now=NOW) is None


def test_the_error_document_is_s3s_and_escaped() -> None:
    body = error_body(Refusal(403, "AccessDenied", 'failed: ["eq", "$key", "<x>&"]'))
    assert body.endswith(
        '<Error><Code>AccessDenied</Code><Message>failed: ["eq", "$key", "&lt;x&gt;&amp;"]</Message></Error>'
    )
