"""The presigned POST forms the API hands out, decoded: what S3 will enforce in AWS (moto does not check these
conditions, so the policy itself is the thing to test)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def _policy(form: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(form["fields"]["policy"])))


def test_upload_forms_limit_size_key_type_and_time(stack: Any, partner: Any) -> None:
    created = partner.create_application({"facebook": 2, "linkedin": 1})
    application_id = created["application_id"]
    assert sorted((f["platform"], f["part"]) for f in created["uploads"]) == [
        ("facebook", 1),
        ("facebook", 2),
        ("linkedin", 1),
    ]
    max_bytes = int(stack.deployed.functions["ApiFunction"].environment["MAX_UPLOAD_BYTES"])
    for form in created["uploads"]:
        policy = _policy(form)
        conditions = policy["conditions"]
        key = f"uploads/{application_id}/{form['platform']}/part-{form['part']}.zip"
        assert form["fields"]["key"] == key
        assert {"key": key} in conditions, "the form can write exactly one object"
        assert ["starts-with", "$key", f"uploads/{application_id}/"] in conditions
        assert ["content-length-range", 1, max_bytes] in conditions
        assert {"Content-Type": "application/zip"} in conditions
        assert {"bucket": stack.deployed.bucket} in conditions
        expires = dt.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        lifetime = (expires - dt.datetime.now(dt.UTC)).total_seconds()
        assert 0 < lifetime <= 3600
        assert form["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
        assert form["max_bytes"] == max_bytes


def test_forms_of_two_applications_cannot_write_each_others_objects(partner: Any) -> None:
    first = partner.create_application({"linkedin": 1})["uploads"][0]
    second = partner.create_application({"linkedin": 1})["uploads"][0]
    assert first["fields"]["key"] != second["fields"]["key"]
    assert {"key": second["fields"]["key"]} not in _policy(first)["conditions"]
