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


def test_a_writer_whose_erasure_check_fails_deletes_what_it_wrote_before_the_error_goes_up(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A throttled or timed-out check left the files: the step's retry then met the erasure at its start and ended
    # the execution with nothing to remove them.
    application_id = _processing(store)
    store.erase(application_id, "p1")

    def throttled(_application_id: str) -> bool:
        raise RuntimeError("ThrottlingException")

    monkeypatch.setattr(store, "is_erased", throttled)
    with pytest.raises(RuntimeError, match="Throttling"):
        erasure.put_pipeline_files(application_id, _documents(application_id))
    assert storage.list_keys("data", work_prefix(application_id)) == []


def test_a_step_that_meets_the_erasure_removes_work_files_an_earlier_attempt_left(store: Any) -> None:
    # An attempt wrote the profile after the erasure's purge and died before its check (a Lambda timeout); its
    # retry stops at the tombstone, and the execution ends there.
    application_id = _processing(store)
    neighbour = _processing(store)
    store.erase(application_id, "p1")
    storage.put_json("data", profile_key(application_id), {"texts": ["left by the attempt that timed out"]})
    storage.put_json("data", profile_key(neighbour), {"texts": []})
    with pytest.raises(ApplicationErased), erasure.nothing_left_if_erased(application_id):
        store.get_live(application_id)
    assert storage.list_keys("data", work_prefix(application_id)) == []
    assert storage.list_keys("data", work_prefix(neighbour)) == [profile_key(neighbour)], "only its own"
    with erasure.nothing_left_if_erased(neighbour):  # not erased: nothing touched
        store.get_live(neighbour)
    assert storage.list_keys("data", work_prefix(neighbour)) == [profile_key(neighbour)]


def test_ingest_and_score_leave_no_work_file_of_an_erased_application(store: Any) -> None:
    from credscore_aws.logic.ingest import ingest
    from credscore_aws.logic.scoring import score_from_pipeline
    from credscore_aws.models.states import IngestInput, ScoreInput

    application_id = _processing(store)
    store.erase(application_id, "p1")
    steps = (
        lambda: ingest(IngestInput(application_id=application_id), time_left=lambda: 100.0),
        lambda: score_from_pipeline(
            ScoreInput.model_validate(
                {
                    "application_id": application_id,
                    "profile": profile_key(application_id),
                    "analyses": [{"status": "failed"}, {"status": "failed"}, []],
                }
            )
        ),
    )
    for step in steps:
        storage.put_json("data", profile_key(application_id), {"texts": ["left behind"]})
        with pytest.raises(ApplicationErased):
            step()
        assert storage.list_keys("data", work_prefix(application_id)) == []


def test_a_retry_of_a_score_that_finished_is_done_not_a_failure(store: Any) -> None:
    # It found the profile purged, raised NoSuchKey, and RecordFailure ended a scored application's execution in
    # ApplicationFailed.
    from credscore_aws.logic.scoring import score_from_pipeline
    from credscore_aws.models.states import ScoreInput

    application_id = _processing(store)
    store.mark_scored(application_id, {"config_version": "v1"})
    out = score_from_pipeline(
        ScoreInput.model_validate(
            {
                "application_id": application_id,
                "profile": profile_key(application_id),  # purged by the attempt that scored
                "analyses": [{"status": "failed"}, {"status": "failed"}, []],
            }
        )
    )
    assert (out.status, out.application_id) == ("scored", application_id)
    assert store.get(application_id).status.value == "scored"
