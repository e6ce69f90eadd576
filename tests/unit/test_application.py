from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from credscore.application import (
    APPLICATION_ID_PATTERN,
    SHADOW_PREFIX,
    UPLOADS_PREFIX,
    WORK_PREFIX,
    expected_parts,
    image_batch_key,
    is_application_id,
    new_application_id,
    parse_upload_key,
    profile_key,
    shadow_job_prefix,
    upload_key,
    upload_prefix,
    work_prefix,
)
from credscore.profile import Platform
from credscore_local.template import load_template

APP = "0123456789abcdef0123456789abcdef"


def test_upload_keys_round_trip() -> None:
    for platform in Platform:
        for part in (1, 2, 10):
            ref = parse_upload_key(upload_key(APP, platform, part))
            assert ref is not None
            assert (ref.application_id, ref.platform, ref.part) == (APP, platform, part)


@pytest.mark.parametrize(
    "key",
    [
        f"uploads/{APP}/facebook/part-0.zip",
        f"uploads/{APP}/facebook/part-11.zip",
        f"uploads/{APP}/myspace/part-1.zip",
        f"uploads/{APP}/facebook/../part-1.zip",
        f"uploads/{APP[:-1]}/facebook/part-1.zip",
        f"work/{APP}/profile.json",
        f"uploads/{APP}/facebook/part-1.zip.exe",
        # Each was read as part 1 while the Ingest step opens part-1.zip: the application failed on a 404.
        f"uploads/{APP}/facebook/part-01.zip",
        f"uploads/{APP}/facebook/part-\u0661.zip",  # an Arabic-Indic 1: \\d and int() take it
        f"uploads/{APP}/facebook/part-\uff11.zip",  # a fullwidth 1
        f"uploads/{APP}/facebook/part-1.zip\n",  # "$" matches before a final newline
    ],
)
def test_keys_we_did_not_hand_out_are_refused(key: str) -> None:
    assert parse_upload_key(key) is None


def test_expected_parts_lists_every_declared_part() -> None:
    assert expected_parts({"facebook": 2, "linkedin": 1}) == {"facebook/1", "facebook/2", "linkedin/1"}
    assert expected_parts({}) == set()


def test_new_ids_have_the_one_id_form_and_nothing_else_does() -> None:
    for _ in range(20):
        application_id = new_application_id()
        assert re.fullmatch(APPLICATION_ID_PATTERN, application_id)
        assert is_application_id(application_id)
    for bad in (APP.upper(), APP[:-1], APP + "0", f"{APP[:-1]}g", "", "shadow"):
        assert not is_application_id(bad), bad


def test_every_pipeline_object_is_under_the_applications_work_folder() -> None:
    assert profile_key(APP) == f"{work_prefix(APP)}profile.json"
    assert image_batch_key(APP, 7) == f"{work_prefix(APP)}images/batch-0007.json"
    assert upload_key(APP, Platform.X, 2).startswith(upload_prefix(APP))
    assert shadow_job_prefix("job1").startswith(SHADOW_PREFIX)
    assert not shadow_job_prefix("job1").startswith(work_prefix(APP))


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def test_the_template_grants_and_expires_by_the_same_layout() -> None:
    template = load_template()
    resources = template["Resources"]
    # What the functions may touch (the bucket policy's TLS-only deny covers the whole bucket).
    functions = [r for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]
    granted = {
        match[1]
        for text in _strings(functions)
        for match in re.finditer(r"\$\{DataBucket\.Arn\}/([^*]*)\*", text)
    }
    assert granted == {UPLOADS_PREFIX, WORK_PREFIX, SHADOW_PREFIX}
    rules = resources["DataBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert {rule["Prefix"] for rule in rules} == {UPLOADS_PREFIX, WORK_PREFIX}
    upload_events = [
        event["Properties"]["Pattern"]["detail"]["object"]["key"]
        for resource in resources.values()
        for event in resource.get("Properties", {}).get("Events", {}).values()
        if "object" in event.get("Properties", {}).get("Pattern", {}).get("detail", {})
    ]
    assert upload_events == [[{"prefix": UPLOADS_PREFIX}]]
