"""The applicant link's rules that need no stack (token form, windows, expiry) and the catalogue of words."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest

from credscore import texts
from credscore.profile import SourceStatus
from credscore.render.chart import chart_spec
from credscore.scoring.features import FeatureId
from credscore.scoring.scorer import REASONS
from credscore_aws.logic import applicant, applicant_token
from credscore_aws.models.api import (
    ApplicantConsent,
    ApplicantFeature,
    ApplicantResult,
    RescoredResult,
    ScoreResultView,
)
from credscore_aws.models.records import ApplicationRecord

APP = "0123456789abcdef0123456789abcdef"


def _app(item: dict[str, Any]) -> ApplicationRecord:
    """The META record with these fields (the others as a newly created application has them)."""
    return ApplicationRecord.model_validate(
        {
            "application_id": APP,
            "partner_id": "p1",
            "status": "collecting",
            "created_at": 0,
            "updated_at": 0,
            **item,
        }
    )


def test_tokens_carry_256_random_bits_and_are_stored_as_sha256() -> None:
    tokens = {applicant_token.new_token(APP) for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert applicant_token.application_of(token) == APP
        assert applicant_token.hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert applicant_token.application_of("a-partner-key_without-a-dot") is None
    assert applicant_token.application_of(APP + ".short") is None
    token = tokens.pop()
    stored = _app({"applicant_token_hash": applicant_token.hash_token(token)})
    assert applicant_token.token_matches(stored, applicant_token.hash_token(token))
    assert not applicant_token.token_matches(stored, applicant_token.hash_token(token + "x"))
    assert not applicant_token.token_matches(_app({}), "")  # revoked: no hash matches anything


class _Repo:
    def __init__(self, item: dict[str, Any]) -> None:
        self.item = _app(item)
        self.writes = 0

    def get(self, application_id: str) -> ApplicationRecord:
        return self.item

    def record_applicant_consent(self, *args: Any) -> None:
        self.writes += 1


def test_a_link_expires_with_the_retention(monkeypatch: pytest.MonkeyPatch) -> None:
    token_hash = applicant_token.hash_token("t")
    now = time.time()
    repo = _Repo({"application_id": APP, "applicant_token_hash": token_hash, "expires_at": int(now) + 10})
    monkeypatch.setattr(applicant_token, "repository", lambda: repo)
    assert applicant_token.load(APP, token_hash, now=now).application_id == APP
    with pytest.raises(applicant_token.LinkRefused) as expired:
        applicant_token.load(APP, token_hash, now=now + 11)
    assert expired.value.code == "link_expired"
    with pytest.raises(applicant_token.LinkRefused) as other:
        applicant_token.load(APP, applicant_token.hash_token("u"), now=now)
    assert other.value.code == "link_revoked"


def test_uploads_end_with_the_upload_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPLOAD_WINDOW_HOURS", "26")
    created = 1_800_000_000
    item = {"application_id": APP, "status": "collecting", "created_at": created, "declared": {"linkedin": 1}}
    repo = _Repo(item)
    monkeypatch.setattr(applicant, "repository", lambda: repo)
    consent = ApplicantConsent(granted=True, notice_version="2026-11")
    assert applicant.upload_until(_app(item)) == created + 26 * 3600
    with pytest.raises(applicant_token.LinkRefused) as closed:
        applicant.upload_forms(_app(item), consent, now=created + 26 * 3600)
    assert closed.value.code == "upload_window_closed"
    with pytest.raises(applicant_token.LinkRefused) as moved_on:
        applicant.upload_forms(_app({**item, "status": "processing"}), consent, now=created + 60)
    assert moved_on.value.code == "not_collecting"
    assert repo.writes == 0  # no consent recorded for a refused request
    view = applicant.status(_app(item), now=created + 26 * 3600 - 1)
    assert view.uploads_open is True
    assert applicant.status(_app(item), now=created + 26 * 3600).uploads_open is False


def test_stages_follow_what_the_pipeline_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPLOAD_WINDOW_HOURS", "26")  # the function's environment (template.yaml)
    base = {"application_id": APP, "created_at": 0, "status": "processing"}
    assert applicant.status(_app(base)).stage == "ingest"
    reports = [{"platform": "instagram", "status": "parsed", "warnings": 1}]
    view = applicant.status(_app({**base, "source_reports": reports}))
    assert view.stage == "analyses"
    [source] = view.sources
    assert source.status_text == "read"
    assert source.warnings_text == texts.warnings_explained(1)
    assert "could not be read" in (source.warnings_text or "")


@pytest.mark.parametrize("code", ["ParameterNotFound", "GetParameterError"])
def test_a_missing_x_token_is_explained_to_the_applicant(code: str) -> None:
    shown = texts.safe_error(code, x_handle_requested=True)
    assert shown["code"] == "x_fetch_unavailable"
    assert code not in shown["message"]
    assert "X archive" in shown["message"]


def test_internal_errors_never_reach_a_person() -> None:
    for raw in ("ParameterNotFound", "KeyError", "botocore.exceptions.ClientError", None, ""):
        shown = texts.safe_error(raw)
        assert shown == {"code": "internal_error", "message": texts.error_message("internal_error")}
    assert texts.safe_error("NoUsableSource")["code"] == "no_usable_source"
    assert texts.safe_error("States.Timeout")["code"] == "timed_out"
    assert texts.safe_error("no_upload")["message"] == texts.catalogue()["errors"]["no_upload"]


def test_the_catalogue_covers_every_feature_reason_and_status() -> None:
    for feature in FeatureId:
        assert feature.value in texts.catalogue()["features"], feature
        assert texts.feature_about(feature.value)
    for code, _text in REASONS.values():
        assert code in texts.catalogue()["reasons"], code
    for status in SourceStatus:
        assert status.value in texts.catalogue()["source_statuses"]
    # "negative_posts 75/100" read as bad news: the label says what earns the points.
    assert texts.feature_label("negative_posts") == "Calm tone in posts"


def test_result_answers_carry_the_chart_the_report_draws() -> None:
    from tests.report.samples import sample_result

    result = sample_result()
    view = ScoreResultView(application_id=APP, status="scored", result=result)
    assert view.chart == chart_spec(result["breakdown"])
    assert [bar.feature for bar in view.chart.bars] == ["connections", "positive_posts", "negative_groups"]
    rescored = RescoredResult(application_id=APP, status="scored", result=result, changed=True, message="")
    assert rescored.model_dump(mode="json")["chart"] == view.model_dump(mode="json")["chart"]
    assert ScoreResultView(application_id=APP, status="scored", result={}).chart == chart_spec([])


def test_the_applicants_chart_is_drawn_from_their_features() -> None:
    features = [
        ApplicantFeature(
            feature="connections", label="", about="", points=15.5, max_points=20, has_evidence=True
        ),
        ApplicantFeature(
            feature="skills", label="", about="", points=None, max_points=10, has_evidence=False
        ),
    ]
    answer = ApplicantResult(
        application_id=APP,
        status="scored",
        score=612.0,
        score_range={"min": 300.0, "max": 900.0},
        coverage=0.5,
        sources=[],
        features=features,
        reasons=[],
        view_until=0,
    )
    assert answer.chart is not None
    assert [(b.feature, b.kind, b.points_share, b.max_share) for b in answer.chart.bars] == [
        ("connections", "earned", 0.775, 1.0),
        ("skills", "no_evidence", 0.0, 0.5),
    ]


def test_the_applicant_reads_what_was_analysed_and_what_failed_in_plain_words() -> None:
    from credscore.result import Result
    from tests.report.samples import sample_analysis_coverage

    coverage = sample_analysis_coverage()
    stored = {
        "analysis_coverage": coverage,
        "analysis_failures": [{"analysis": "images", "error": "ModelCrashed", "cause": "the model crashed"}],
    }
    said = applicant.analysed_in_plain_words(Result.read(stored))
    assert said[:3] == [coverage[key]["summary"] for key in ("texts", "names", "images")]
    assert said[3] == (
        "The images analysis could not run; it was left out of your score, neither for nor against you."
    )
    assert "ModelCrashed" not in " ".join(said), "an internal error code never reaches the applicant"
    assert applicant.analysed_in_plain_words(Result.read({})) == []
