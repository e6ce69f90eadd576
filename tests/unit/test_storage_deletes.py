"""The deletes erasure and purge rely on (credscore_aws.storage), against moto: a thousand keys per request (S3's
limit), quiet responses, and a partial failure raised with what failed."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from credscore_aws.dal import storage


def test_keys_go_a_thousand_per_quiet_request(bucket: str) -> None:
    requests: list[tuple[int, bool, str]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        objects = params["Delete"]["Objects"]
        requests.append((len(objects), params["Delete"]["Quiet"], objects[0]["Key"]))

    storage.s3_client().meta.events.register("provide-client-params.s3.DeleteObjects", record)
    keys = [f"work/a/{i:05d}" for i in range(2001)]  # absent keys: deleting one is no error
    storage.delete_keys(bucket, keys)
    assert requests == [(1000, True, keys[0]), (1000, True, keys[1000]), (1, True, keys[2000])]


def test_delete_prefix_counts_and_removes_only_its_prefix(bucket: str) -> None:
    for key in ("uploads/a/1.zip", "uploads/a/2.zip", "uploads/ab/1.zip"):
        storage.put_json(bucket, key, "x")
    assert storage.delete_prefix(bucket, "uploads/a/") == 2
    assert storage.list_keys(bucket, "uploads/") == ["uploads/ab/1.zip"]
    assert storage.delete_prefix(bucket, "uploads/a/") == 0


def test_objects_s3_did_not_delete_are_an_error_naming_the_first(bucket: str) -> None:
    with Stubber(storage.s3_client()) as stub:
        stub.add_response(
            "delete_objects",
            {
                "Errors": [
                    {"Key": "work/a/1", "Code": "AccessDenied"},
                    {"Key": "work/a/2", "Code": "AccessDenied"},
                ]
            },
        )
        with pytest.raises(RuntimeError) as failed:
            storage.delete_keys(bucket, ["work/a/1", "work/a/2"])
    assert str(failed.value) == "2 objects not deleted, the first: AccessDenied work/a/1"
