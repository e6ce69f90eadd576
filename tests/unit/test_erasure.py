"""The S3 half of erasure winning a race (credscore_aws.logic.erasure), against moto: a pipeline writer that finds the
application erased after writing deletes what it wrote; one that wrote before the erasure is purged by it."""

from __future__ import annotations

from typing import Any

import pytest

from credscore.application import (
    image_batch_key,
    profile_key,
    upload_key,
    upload_prefix,
    work_prefix,
)
from credscore.profile import Platform
from credscore_aws.dal import storage
from credscore_aws.dal.repository import ApplicationErased
from credscore_aws.logic import erasure
from tests.fake_aws import new_application


def _processing(repo: Any) -> str:
    application_id = new_application(repo)
    assert repo.claim_for_scoring(application_id, "upload", "execution-1")
    storage.put_json("data", upload_key(application_id, Platform.LINKEDIN, 1), "zip")
    return application_id


def _documents(application_id: str) -> dict[str, Any]:
    return {
        profile_key(application_id): {"texts": []},
        image_batch_key(application_id, 0): [],
    }


def test_a_writer_that_finds_the_application_erased_deletes_what_it_wrote(store: Any) -> None:
    application_id = _processing(store)
    neighbour = _processing(store)
    store.erase(application_id, "p1")  # the tombstone is written; erasure's own listing has not happened yet
    storage.put_json("data", profile_key(neighbour), {"texts": []})
    with pytest.raises(ApplicationErased):
        erasure.put_pipeline_files(application_id, _documents(application_id))
    assert storage.list_keys("data", work_prefix(application_id)) == []
    assert storage.list_keys("data", work_prefix(neighbour)) == [profile_key(neighbour)], "only its own"


def test_a_writer_before_the_erasure_keeps_its_files_and_the_erasure_purges_them(store: Any) -> None:
    application_id = _processing(store)
    written = erasure.put_pipeline_files(application_id, _documents(application_id))
    assert sorted(storage.list_keys("data", work_prefix(application_id))) == sorted(written)
    store.erase(application_id, "p1")
    assert erasure.purge_objects(application_id) == 3, "two work files and the upload"
    assert storage.list_keys("data", upload_prefix(application_id)) == []
    assert storage.list_keys("data", work_prefix(application_id)) == []


def test_a_purge_that_could_not_delete_everything_says_so(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id = _processing(store)
    client = storage.s3_client()

    def refuse(**kwargs: Any) -> dict[str, Any]:
        key = kwargs["Delete"]["Objects"][0]["Key"]
        return {"Errors": [{"Key": key, "Code": "AccessDenied", "Message": "Access Denied"}]}

    monkeypatch.setattr(client, "delete_objects", refuse)
    with pytest.raises(RuntimeError, match="1 objects not deleted, the first: AccessDenied"):
        erasure.purge_objects(application_id)
