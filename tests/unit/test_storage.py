"""Work-file writes: several at once, every one landed, keys in order, a failure raised."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from credscore_aws.dal import storage


def test_put_json_many_writes_every_document_and_keeps_the_order(bucket: str) -> None:
    documents = {f"w/batch-{i:04d}.json": [{"member": f"photo-{i}.jpg"}] for i in range(20)}
    documents["w/profile.json"] = '{"already": "serialized"}'
    keys = storage.put_json_many(bucket, documents)
    assert keys == list(documents)
    assert sorted(storage.list_keys(bucket, "w/")) == sorted(documents)
    assert storage.get_json(bucket, "w/batch-0007.json") == [{"member": "photo-7.jpg"}]
    assert storage.get_json(bucket, "w/profile.json") == json.loads(documents["w/profile.json"])


def test_put_json_many_raises_when_a_put_fails(bucket: str) -> None:
    with pytest.raises(ClientError):
        storage.put_json_many("no-such-bucket", {"a.json": [1], "b.json": [2]})
