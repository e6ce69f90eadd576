"""The whole pipeline on the embedded local stack: API → presigned uploads → S3 → EventBridge → the real state
machine with the real handlers → DynamoDB → result API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from credscore_local.client import ApiError, upload
from tests.exports import assert_no_raw_data_left, small_applicant

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return small_applicant(tmp_path_factory.mktemp("exports"))


def _scored(partner: Any, exports: dict[str, Path]) -> tuple[str, dict[str, Any]]:
    created = partner.create_application({"linkedin": 1, "facebook": 1})
    assert created["status"] == "collecting"
    forms = {f["platform"]: f for f in created["uploads"]}
    upload(forms["linkedin"], exports["linkedin"])
    assert partner.application(created["application_id"])["status"] == "collecting"
    upload(forms["facebook"], exports["facebook"])
    state = partner.wait(created["application_id"])
    return created["application_id"], state


def test_upload_two_exports_and_get_an_explained_score(
    stack: Any, partner: Any, exports: dict[str, Path]
) -> None:
    application_id, state = _scored(partner, exports)
    assert state["status"] == "scored", state
    assert {s["platform"]: s["status"] for s in state["sources"]} == {
        "linkedin": "parsed",
        "facebook": "parsed",
    }

    result = partner.result(application_id)["result"]
    features = {f["feature"]: f for f in result["breakdown"]}
    # The first slice of real features is scored from real parsed data.
    for name in ("age", "connections", "skills"):
        assert features[name]["has_evidence"], name
        assert 0 < features[name]["points"] <= features[name]["weight"], features[name]
    assert 0 <= result["total_points"] <= result["max_possible"]
    assert result["config_parameter_version"] >= 1
    assert result["code_version"]
    assert result["analysis_failures"] == []
    assert len(result["reasons"]) <= 4
    # What the analyses read travels from the branches to the result and the API's plain words.
    coverage = result["analysis_coverage"]
    assert coverage["images"]["found"] == 3
    assert coverage["images"]["does_not_detect"] == ["violence", "weapons", "drugs", "hate symbols"]
    assert any(m.startswith("py3langid") for m in coverage["texts"]["models"])
    assert coverage["texts"]["analysed"] + coverage["texts"]["not_analysed"] == coverage["texts"]["found"]
    assert partner.result(application_id)["analysed"][2].startswith("Photos: 3 found")

    # The printable report is made from the stored result.
    report = requests.get(
        f"{partner.base_url}/applications/{application_id}/report",
        headers={"Authorization": f"Bearer {partner.api_key}"},
        timeout=30,
    )
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    assert application_id in report.text
    assert "<script" not in report.text

    # The real definition ran to the end: one execution per upload, exactly one of which went on to score.
    executions = [
        e for e in stack.wait_for_executions(expected=2) if application_id in (e.get("output") or "")
    ]
    assert len(executions) == 2
    assert all(e["status"] == "SUCCEEDED" for e in executions)
    assert sum('"status": "scored"' in e["output"] for e in executions) == 1
    scoring = stack.scoring_execution(application_id)
    assert scoring is not None
    assert scoring["status"] == "SUCCEEDED"
    assert scoring["startDate"] <= scoring["stopDate"]
    times = {name: (seconds, entered) for name, seconds, entered in stack.state_times(application_id)}
    assert {"ReceiveUpload", "Ingest", "AnalyzeText", "AnalyzeProfanity", "Analyse", "Score"} <= set(times)
    assert times["AnalyzeImages"][1] == 1, "three photos make one batch"
    assert times["Analyse"][0] <= (scoring["stopDate"] - scoring["startDate"]).total_seconds()
    assert_no_raw_data_left(stack, application_id)


def test_a_failed_branch_is_recorded_and_the_rest_still_scores(
    stack: Any, partner: Any, exports: dict[str, Path]
) -> None:
    # Permanent failure of the profanity branch (every attempt fails, so retries do not save it).
    stack.inject_faults("AnalyzeProfanityFunction", "ModelCrashed", "profanity list failed to load", times=1)
    application_id, state = _scored(partner, exports)
    assert state["status"] == "scored", state
    result = partner.result(application_id)["result"]
    failures = result["analysis_failures"]
    assert [f["analysis"] for f in failures] == ["profanity"]
    assert failures[0]["error"] == "ModelCrashed"
    assert "profanity list failed to load" in failures[0]["cause"]
    features = {f["feature"]: f for f in result["breakdown"]}
    assert not features["negative_groups"]["has_evidence"]
    assert not features["negative_pages"]["has_evidence"]
    assert features["connections"]["has_evidence"]
    assert result["analysis_coverage"]["names"]["summary"] == "Names: the analysis failed."


def test_an_application_whose_only_source_is_unreadable_fails_with_a_clear_reason(partner: Any) -> None:
    created = partner.create_application({"linkedin": 1})
    upload(created["uploads"][0], b"this is not a zip file at all")
    state = partner.wait(created["application_id"])
    assert state["status"] == "failed"
    assert state["error"]["code"] == "NoUsableSource"
    assert "linkedin" in state["error"]["message"]
    assert state["sources"][0]["reason_code"] == "not_a_zip"
    with pytest.raises(ApiError) as exc:
        partner.result(created["application_id"])
    assert exc.value.status == 409


def test_partners_cannot_see_each_others_applications(partner: Any, other_partner: Any) -> None:
    created = partner.create_application({"linkedin": 1})
    with pytest.raises(ApiError) as exc:
        other_partner.application(created["application_id"])
    assert exc.value.status == 404
    assert created["application_id"] not in {
        a["application_id"] for a in other_partner._call("GET", "/applications")["applications"]
    }
