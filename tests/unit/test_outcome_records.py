"""Outcomes, model data, training rows, candidates and the weekly record against moto (table as in template.yaml)."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from credscore.application import new_application_id
from credscore.monitoring import psi
from credscore.scoring.config import FeatureId, InvalidConfig, canonical_json, load_default_config
from credscore_aws.dal.repository import ApplicationRepository
from credscore_aws.logic import outcomes
from credscore_aws.logic.candidates import CandidateStore, candidates_prefix
from credscore_aws.logic.monitoring import MIN_WEEK_APPLICATIONS as MIN_WEEK
from credscore_aws.logic.monitoring import development_baseline, record_week
from credscore_aws.models.records import NewApplication
from credscore_local.fidelity import serialize_dynamodb_writes
from tests.fake_aws import fake_aws
from tests.moto_tables import create_applications_table

TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    serialize_dynamodb_writes()
    with fake_aws(monkeypatch):
        yield


@pytest.fixture
def repo(aws: None) -> ApplicationRepository:
    return ApplicationRepository(create_applications_table())


def _features(**values: float | None) -> dict[str, Any]:
    return {
        "values": {
            f.value: {
                "value": values.get(f.value),
                "evidence": ["linkedin:Profile.csv"],
                "notes": ["a caveat"],
            }
            for f in FeatureId
        }
    }


def _result(status: str = "scored", score: float = 640.0) -> dict[str, Any]:
    return {
        "status": status,
        "normalised_score": score if status == "scored" else None,
        "scored_at": int(time.time()),
        "config_parameter_version": 3,
        "config_version": "default-1",
    }


def _scored(repo: ApplicationRepository, consent: bool = True, **values: float | None) -> str:
    application_id = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {
                "application_id": application_id,
                "partner_id": "p1",
                "declared": {"linkedin": 1},
                "consent": {
                    "granted": True,
                    "notice_version": "n1",
                    "granted_at": 0,
                    "model_development": consent,
                },
                "expires_at": int(time.time()) + 86400,
            }
        )
    )
    # As the pipeline goes: claimed (processing), the result stored, then marked scored.
    repo.table.update_item(
        Key={"pk": f"APP#{application_id}", "sk": "META"},
        UpdateExpression="SET #s = :p",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":p": "processing"},
    )
    repo.store_result(application_id, _result(), _features(**values))
    repo.mark_scored(application_id, _result())
    return application_id


def _model(repo: ApplicationRepository, application_id: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = repo.table.get_item(Key={"pk": f"APP#{application_id}", "sk": "MODEL"}).get(
        "Item"
    )
    return item


# ------------------------------------------------------------------------------------------------ model data
def test_a_stored_result_keeps_only_numbers_and_only_with_consent(repo: ApplicationRepository) -> None:
    kept = _scored(repo, consent=True, connections=120, skills=7.5)
    not_kept = _scored(repo, consent=False, connections=120)
    assert _model(repo, not_kept) is None
    model = _model(repo, kept)
    assert model is not None
    assert json.loads(model["features"]) == {f.value: None for f in FeatureId} | {
        "connections": 120.0,
        "skills": 7.5,
    }
    assert "Profile.csv" not in json.dumps(model, default=str)
    assert "caveat" not in json.dumps(model, default=str)
    assert model["expires_at"] == repo.get(kept).expires_at
    assert json.loads(model["score"]) == 640.0


def test_a_rescore_that_no_longer_scores_removes_the_model_data(repo: ApplicationRepository) -> None:
    application_id = _scored(repo, connections=3)
    repo.save_rescored(application_id, _result(status="ineligible"), _features(connections=3))
    assert _model(repo, application_id) is None


def test_erasure_removes_model_data_and_outcome(repo: ApplicationRepository) -> None:
    application_id = _scored(repo, connections=3)
    outcomes.put_outcome(repo.table, repo.get(application_id), "good", TODAY)
    repo.erase(application_id, "p1")
    assert _model(repo, application_id) is None
    assert outcomes.get_outcome(repo.table, application_id) is None


# ------------------------------------------------------------------------------------------------ outcomes
def test_outcomes_are_idempotent_and_corrections_are_recorded(repo: ApplicationRepository) -> None:
    application_id = _scored(repo)
    application = repo.get(application_id)
    T0 = int(time.time()) - 5000  # reports made over the last hour and a half, all after the scoring
    first = outcomes.put_outcome(repo.table, application, "indeterminate", TODAY, now=T0 + 1000)
    assert (first["revision"], first["reported_at"], first["changes"]) == (1, T0 + 1000, [])
    assert outcomes.put_outcome(repo.table, application, "indeterminate", TODAY, now=T0 + 2000) == first
    second = outcomes.put_outcome(repo.table, application, "bad", TODAY, now=T0 + 3000)
    assert second["revision"] == 2
    assert second["changes"] == [
        {
            "outcome": "indeterminate",
            "observed_at": TODAY.isoformat(),
            "reported_at": T0 + 1000,
            "replaced_at": T0 + 3000,
        }
    ]
    third = outcomes.put_outcome(repo.table, application, "bad", TODAY, now=T0 + 4000)
    assert third == second, "the corrected report sent again changes nothing"
    assert outcomes.get_outcome(repo.table, application_id) == second
    stored = repo.table.get_item(Key={"pk": f"APP#{application_id}", "sk": "OUTCOME"})["Item"]
    assert stored["expires_at"] == application.expires_at


def test_only_scored_applications_take_an_outcome(repo: ApplicationRepository) -> None:
    collecting = new_application_id()
    repo.create(
        NewApplication.model_validate(
            {"application_id": collecting, "partner_id": "p1", "declared": {"linkedin": 1}}
        )
    )
    with pytest.raises(outcomes.NotScored):
        outcomes.put_outcome(repo.table, repo.get(collecting), "good", TODAY)


def test_an_erasure_between_read_and_write_wins(repo: ApplicationRepository) -> None:
    application_id = _scored(repo)
    read_before = repo.get(application_id)
    repo.erase(application_id, "p1")
    with pytest.raises(outcomes.NotScored, match="no longer scored"):
        outcomes.put_outcome(repo.table, read_before, "good", TODAY)
    assert outcomes.get_outcome(repo.table, application_id) is None


def test_an_outcome_observed_before_the_application_or_in_the_future_is_refused(
    repo: ApplicationRepository,
) -> None:
    application_id = _scored(repo)
    with pytest.raises(outcomes.InvalidOutcome, match="before the application"):
        outcomes.put_outcome(repo.table, repo.get(application_id), "bad", TODAY - dt.timedelta(days=2))
    with pytest.raises(outcomes.InvalidOutcome, match="future"):
        outcomes.put_outcome(repo.table, repo.get(application_id), "bad", TODAY + dt.timedelta(days=2))
    tomorrow = outcomes.put_outcome(repo.table, repo.get(application_id), "bad", TODAY + dt.timedelta(days=1))
    assert tomorrow["revision"] == 1, "a day's grace for the partner's time zone"


# ------------------------------------------------------------------------------------------------ export
def test_training_rows_join_model_data_and_outcomes(repo: ApplicationRepository) -> None:
    labelled = _scored(repo, connections=150, age=30)
    unlabelled = _scored(repo, connections=20)
    _scored(repo, consent=False, connections=5)
    outcomes.put_outcome(repo.table, repo.get(labelled), "bad", TODAY)
    rows = outcomes.training_rows(outcomes.scan_training_items(repo.table))
    assert [r["application_id"] for r in rows] == [labelled]
    row = rows[0]
    assert (row["outcome"], row["outcome_observed_at"], row["age_band"]) == (
        "bad",
        TODAY.isoformat(),
        "25-34",
    )
    assert (row["connections"], row["skills"]) == (150.0, "")
    every = outcomes.training_rows(outcomes.scan_training_items(repo.table), with_unlabelled=True)
    assert {r["application_id"] for r in every} == {labelled, unlabelled}
    out = io.StringIO()
    outcomes.write_training_csv(rows, out)
    header, line = out.getvalue().splitlines()
    assert header.split(",") == outcomes.TRAINING_COLUMNS
    assert line.startswith(f"{labelled},")
    assert ",bad," in line


def test_expired_model_data_is_neither_exported_nor_scanned(repo: ApplicationRepository) -> None:
    application_id = _scored(repo, connections=1)
    outcomes.put_outcome(repo.table, repo.get(application_id), "good", TODAY)
    repo.table.update_item(
        Key={"pk": f"APP#{application_id}", "sk": "MODEL"},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": int(time.time()) - 10},
    )
    assert outcomes.training_rows(outcomes.scan_training_items(repo.table), with_unlabelled=True) == []
    assert outcomes.scan_model_data(repo.table)[0] == []


def test_scan_segments_cover_every_application_once(repo: ApplicationRepository) -> None:
    ids = {_scored(repo, connections=float(i)) for i in range(12)}
    seen: list[str] = []
    for segment in range(3):
        start: dict[str, Any] | None = None
        while True:
            items, start = outcomes.scan_model_data(repo.table, segment, 3, start, page_size=2)
            seen += [i["application_id"] for i in items]
            if start is None:
                break
    assert sorted(seen) == sorted(ids)


# ------------------------------------------------------------------------------------------------ candidates
def test_candidates_are_validated_stored_apart_and_listed(aws: None) -> None:
    ssm = boto3.client("ssm")
    store = CandidateStore(ssm, "/credscore/dev/scoring-config")
    assert candidates_prefix("/credscore/dev/scoring-config") == "/credscore/dev/scoring-candidates/"
    document = json.loads(canonical_json(load_default_config()))
    document["version"] = "2026-12-a"
    name, config = store.put(json.dumps(document))
    assert name == "/credscore/dev/scoring-candidates/2026-12-a"
    assert store.get("2026-12-a") == config
    assert store.labels() == ["2026-12-a"]
    with pytest.raises(InvalidConfig):
        store.put('{"version": "bad", "priority_weights": {"P1": -1}}')
    assert store.labels() == ["2026-12-a"], "an invalid candidate is not written"
    # "$" also matches before a final newline: the label check let "v1\n" through into a parameter name.
    for label in ("has space", "v1\n", "a/../b"):
        document["version"] = label
        with pytest.raises(ValueError, match="candidate label"):
            store.put(json.dumps(document))
    assert store.labels() == ["2026-12-a"]


# ------------------------------------------------------------------------------------------------ monitoring
DEVELOPMENT_CONFIG: dict[str, Any] = {
    "version": "fitted-1",
    "scorecard": {
        "kind": "fitted",
        "characteristics": {
            "connections": {
                "bins": [
                    {"upper": 50.0, "points": 1},
                    {"upper": 200.0, "points": 2},
                    {"upper": None, "points": 3},
                ]
            }
        },
        "development": {
            "n": 1000,
            "score_bands": [500.0, 600.0],
            "score_shares": [0.25, 0.5, 0.25],
            "characteristics": {"connections": {"bin_shares": [0.2, 0.5, 0.3], "missing_share": 0.0}},
        },
    },
}


def _week_item(repo: ApplicationRepository, scored_at: int, score: float, connections: float | None) -> None:
    application_id = new_application_id()
    features = {f.value: None for f in FeatureId} | {"connections": connections}
    repo.table.put_item(
        Item={
            "pk": f"APP#{application_id}",
            "sk": "MODEL",
            "application_id": application_id,
            "features": json.dumps(features),
            "scored_at": scored_at,
            "score": json.dumps(score),
        }
    )


def test_the_week_is_compared_with_the_development_sample(repo: ApplicationRepository) -> None:
    monday = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    for score, connections in ((450, 10), (550, 100), (550, 100), (650, 300)) * (MIN_WEEK // 4):
        _week_item(repo, int(monday.timestamp()) + 3600, score, connections)
    _week_item(repo, int(monday.timestamp()) - 1, 900, 1e6)  # the week before: not counted
    record = record_week(repo.table, DEVELOPMENT_CONFIG, 7, monday + dt.timedelta(days=8))
    assert record["week"] == "2026-W48"
    assert record["applications"] == MIN_WEEK
    assert record["baseline"]["kind"] == "development"
    assert record["score"]["counts"] == [MIN_WEEK // 4, MIN_WEEK // 2, MIN_WEEK // 4]
    assert record["score"]["psi"] == pytest.approx(0.0, abs=1e-12), "the same shares as development"
    # connections: [0.25, 0.5, 0.25, 0] against [0.2, 0.5, 0.3, 0]: 0.05·ln 1.25 + (-0.05)·ln(0.25/0.3)
    assert record["characteristics"]["connections"]["psi"] == pytest.approx(0.0202733, abs=1e-6)
    assert record["max_characteristic"] == "connections"
    assert set(record["characteristics"]) == {"connections"}


def test_without_a_development_sample_the_first_week_is_the_baseline(repo: ApplicationRepository) -> None:
    first_monday = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
    for i in range(MIN_WEEK):
        _week_item(repo, int(first_monday.timestamp()) + i, 500.0 + 10 * i, float(i))
    second_monday = first_monday + dt.timedelta(days=7)
    for i in range(MIN_WEEK):
        _week_item(repo, int(second_monday.timestamp()) + i, 500.0 + 10 * i, 100.0 + i)
    config = json.loads(canonical_json(load_default_config()))
    assert development_baseline(config) is None
    first = record_week(repo.table, config, 1, second_monday + dt.timedelta(hours=3))
    assert first["baseline"]["kind"] == "first_week"
    assert first["score"]["psi"] is None
    second = record_week(repo.table, config, 1, second_monday + dt.timedelta(days=7, hours=3))
    assert second["baseline"]["week"] == first["week"]
    assert second["score"]["psi"] == pytest.approx(0.0, abs=1e-12), "same scores"
    # every connections value now lands in the baseline's top decile: [0]*9 + [1] + [0 missing] vs 0.1 each
    connections = second["characteristics"]["connections"]
    assert connections["counts"][-1] == MIN_WEEK
    assert connections["psi"] == pytest.approx(
        psi(first["characteristics"]["connections"]["shares"], connections["shares"])
    )
    assert connections["psi"] > 0.25
    assert second["max_characteristic"] == "connections"
    again = record_week(repo.table, config, 1, second_monday + dt.timedelta(hours=3))
    assert again["baseline"]["week"] == first["week"], "re-running the baseline week keeps it the baseline"
    assert again["score"]["psi"] is None


def test_a_week_of_a_few_applications_records_their_count_and_nothing_that_describes_one_of_them(
    repo: ApplicationRepository,
) -> None:
    """WEEK records are kept for good and outlive every application's erasure and retention. With the hand-set
    scorecard the first week's deciles become the bins, and each edge is one applicant's exact value: a week of
    two applications kept one applicant's score and connections for ever. Too few applications (or present values
    of a characteristic) record no distribution, and such a week is never the baseline."""
    config = json.loads(canonical_json(load_default_config()))
    first_monday = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
    _week_item(repo, int(first_monday.timestamp()) + 1, 611.5, 347.0)
    _week_item(repo, int(first_monday.timestamp()) + 2, 702.25, 5123.0)
    small = record_week(repo.table, config, 1, first_monday + dt.timedelta(days=7, hours=3))
    assert small["applications"] == 2
    assert small["baseline"]["kind"] == "too_few"
    stored = repo.table.get_item(Key={"pk": "MONITOR", "sk": f"WEEK#{small['week']}"})["Item"]["doc"]
    for exact in ("611.5", "702.25", "347", "5123"):
        assert exact not in stored, exact

    # The next week, large enough but with connections known for only two applicants: none of theirs is an edge.
    second_monday = first_monday + dt.timedelta(days=7)
    for i in range(MIN_WEEK):
        _week_item(repo, int(second_monday.timestamp()) + i, 500.0 + i, 4321.0 + i if i < 2 else None)
    baseline = record_week(repo.table, config, 1, second_monday + dt.timedelta(days=7, hours=3))
    assert baseline["baseline"] == {**baseline["baseline"], "kind": "first_week", "week": baseline["week"]}
    assert baseline["characteristics"]["connections"]["edges"] == []
    assert "4321" not in json.dumps(baseline)
    assert "4322" not in json.dumps(baseline)
    assert len(baseline["score"]["edges"]) > 1, "enough scores: deciles"
