"""The analyses' results stored in S3 rather than the execution's history (credscore_aws.logic.analysis_results),
against moto: written under the application's work files, read back by Score whatever the mix of stored, inline
(executions from before) and failed branches, and an erasure winning at either end."""

from __future__ import annotations

from typing import Any

import pytest

from credscore.application import analysis_prefix
from credscore.evidence import AnalysisStatus, ImageAnalysis, ProfanityAnalysis, TextAnalysis
from credscore_aws.dal import storage
from credscore_aws.dal.repository import ApplicationErased
from credscore_aws.logic import analysis_results, erasure
from credscore_aws.logic.analysis_results import StoredAnalysisMissing, load_analysis, store_analysis
from credscore_aws.models.states import BranchFailed, ScoreInput, StoredAnalysis
from tests.fake_aws import new_application


def _processing(repo: Any) -> str:
    return new_application(repo)


def _images(analysed: int) -> ImageAnalysis:
    return ImageAnalysis(status=AnalysisStatus.OK, analysed=analysed, flagged=1, category_counts={"x": 1})


def test_a_result_is_stored_under_the_application_and_read_back(store: Any) -> None:
    application_id = _processing(store)
    text = TextAnalysis(status=AnalysisStatus.NO_EVIDENCE, models=["vader"])
    marker = store_analysis(application_id, "text", "text", text)
    assert marker == StoredAnalysis(kind="text", key=f"{analysis_prefix(application_id)}text.json")
    assert marker.model_dump(mode="json") == {"kind": "text", "status": "stored", "key": marker.key}
    assert load_analysis(application_id, marker, TextAnalysis) == text
    assert erasure.purge_objects(application_id) == 1, "purged with the work files"


def test_score_reads_stored_inline_and_failed_branches_together(store: Any) -> None:
    application_id = _processing(store)
    profanity = ProfanityAnalysis(status=AnalysisStatus.NO_EVIDENCE)
    stored = [
        store_analysis(application_id, "profanity", "profanity", profanity),
        store_analysis(application_id, "images", "images/batch-0000", _images(3)),
        store_analysis(application_id, "images", "images/batch-0001", _images(4)),
    ]
    failed = {"kind": "images", "status": "failed", "error": "States.Timeout", "cause": "", "batch": "b2"}
    inline_text = TextAnalysis(status=AnalysisStatus.NO_EVIDENCE)
    request = ScoreInput.model_validate(
        {
            "application_id": application_id,
            "profile": "p",
            "analyses": [
                inline_text.model_dump(mode="json"),  # an execution from before results were stored
                stored[0].model_dump(mode="json"),
                [stored[1].model_dump(mode="json"), failed, stored[2].model_dump(mode="json")],
            ],
        }
    )
    text, names, images = analysis_results.with_results(application_id, request.analyses)
    assert text == inline_text
    assert names == profanity
    assert isinstance(images, list)
    assert [i.analysed if isinstance(i, ImageAnalysis) else i.batch for i in images] == [3, "b2", 4]
    assert isinstance(images[1], BranchFailed)


def test_a_result_the_erasure_purged_ends_the_run_as_erased(store: Any) -> None:
    application_id = _processing(store)
    marker = store_analysis(application_id, "images", "images/batch-0000", _images(2))
    store.erase(application_id, "p1")
    erasure.purge_objects(application_id)
    with pytest.raises(ApplicationErased):
        load_analysis(application_id, marker, ImageAnalysis)


def test_a_result_gone_without_an_erasure_fails_the_run(store: Any) -> None:
    application_id = _processing(store)
    marker = store_analysis(application_id, "text", "text", TextAnalysis(status=AnalysisStatus.NO_EVIDENCE))
    storage.delete_keys("data", [marker.key])
    with pytest.raises(StoredAnalysisMissing, match="text result was not found"):
        load_analysis(application_id, marker, TextAnalysis)


def test_a_marker_pointing_at_another_applications_result_is_refused(store: Any) -> None:
    mine, theirs = _processing(store), _processing(store)
    marker = store_analysis(theirs, "text", "text", TextAnalysis(status=AnalysisStatus.NO_EVIDENCE))
    with pytest.raises(StoredAnalysisMissing, match="not this application's"):
        load_analysis(mine, marker, TextAnalysis)


def test_storing_for_an_erased_application_leaves_nothing(store: Any) -> None:
    application_id = _processing(store)
    store.erase(application_id, "p1")
    with pytest.raises(ApplicationErased):
        store_analysis(application_id, "text", "text", TextAnalysis(status=AnalysisStatus.NO_EVIDENCE))
    assert storage.list_keys("data", analysis_prefix(application_id)) == []
