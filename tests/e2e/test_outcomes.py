"""Outcomes, model data, training export, shadow comparison, promotion and weekly monitoring on the local stack:
the real API, the real shadow state machine (shadow.asl.json) and the real handlers, with the template's IAM."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from credscore.model_compare import compare, shadow_row
from credscore.scoring.config import FeatureId, parse_config
from credscore_aws.dal.config_store import ConfigStore
from credscore_cli.main import main as credscore
from credscore_local.client import ApiError, upload

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
NOW = int(time.time())


@pytest.fixture(scope="module")
def table(stack: Any) -> Any:
    return boto3.resource("dynamodb", endpoint_url=stack.endpoint, region_name="us-east-1").Table(
        stack.deployed.table
    )


@pytest.fixture(scope="module")
def scored(partner: Any) -> dict[str, str]:
    """Three applications scored through the pipeline: two whose applicants agreed to model development, one not."""
    created = {
        "consented": partner.create_application({"linkedin": 1}, model_development=True),
        "consented_too": partner.create_application({"linkedin": 1}, model_development=True),
        "not_consented": partner.create_application({"linkedin": 1}),
    }
    for application in created.values():
        upload(application["uploads"][0], SAMPLES / "linkedin.zip")
    for application in created.values():
        assert partner.wait(application["application_id"])["status"] == "scored"
    return {k: v["application_id"] for k, v in created.items()}


def _item(table: Any, application_id: str, sk: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = table.get_item(Key={"pk": f"APP#{application_id}", "sk": sk}).get("Item")
    return item


def test_model_data_is_kept_only_with_consent_and_holds_only_numbers(
    table: Any, scored: dict[str, str]
) -> None:
    assert _item(table, scored["not_consented"], "MODEL") is None
    meta = _item(table, scored["consented"], "META")
    model = _item(table, scored["consented"], "MODEL")
    assert meta is not None
    assert model is not None
    assert model["expires_at"] == meta["expires_at"], "kept no longer than the application"
    features = json.loads(model["features"])
    assert set(features) == {f.value for f in FeatureId}
    assert all(v is None or isinstance(v, float) for v in features.values()), (
        "numbers only: no evidence, no notes"
    )
    assert features["skills"] is not None, "the LinkedIn sample lists skills"
    result = json.loads(_item(table, scored["consented"], "RESULT")["doc"])  # type: ignore[index]
    assert json.loads(model["score"]) == result["normalised_score"]


def test_a_partner_reports_outcomes_idempotently_and_may_correct_them(
    partner: Any, scored: dict[str, str]
) -> None:
    application_id = scored["consented"]
    today = dt.datetime.now(dt.UTC).date().isoformat()
    first = partner.report_outcome(application_id, "indeterminate", today)
    assert (first["outcome"], first["observed_at"], first["revision"], first["changes"]) == (
        "indeterminate",
        today,
        1,
        [],
    )
    assert partner.report_outcome(application_id, "indeterminate", today) == first, (
        "the same report is a no-op"
    )

    corrected = partner.report_outcome(application_id, "bad", today)
    assert corrected["revision"] == 2
    assert corrected["changes"] == [
        {
            "outcome": "indeterminate",
            "observed_at": today,
            "reported_at": first["reported_at"],
            "replaced_at": corrected["reported_at"],
        }
    ]
    assert partner.outcome(application_id) == corrected
    partner.report_outcome(scored["consented_too"], "good", today)


def test_outcomes_are_refused_for_others_unscored_and_implausible_reports(
    partner: Any, other_partner: Any, scored: dict[str, str]
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    with pytest.raises(ApiError) as other:
        other_partner.report_outcome(scored["consented"], "good", today.isoformat())
    assert other.value.status == 404
    collecting = partner.create_application({"linkedin": 1})["application_id"]
    with pytest.raises(ApiError) as unscored:
        partner.report_outcome(collecting, "good", today.isoformat())
    assert unscored.value.status == 409
    with pytest.raises(ApiError) as no_outcome:
        partner.outcome(scored["not_consented"])
    assert (no_outcome.value.status, no_outcome.value.body["error"]) == (404, "no_outcome")
    for outcome, observed in (("paid", today.isoformat()), ("good", "yesterday"), ("good", "2026-02-30")):
        with pytest.raises(ApiError) as invalid:
            partner.report_outcome(scored["consented_too"], outcome, observed)
        assert invalid.value.status == 422, (outcome, observed)
    for observed in (
        today + dt.timedelta(days=3),
        today - dt.timedelta(days=400),
    ):  # future; before the application
        with pytest.raises(ApiError) as implausible:
            partner.report_outcome(scored["consented_too"], "bad", observed.isoformat())
        assert (implausible.value.status, implausible.value.body["error"]) == (409, "implausible_observed_at")
    assert partner.outcome(scored["consented_too"])["outcome"] == "good", "refused reports changed nothing"


def test_erasure_removes_the_outcome_and_the_model_data(table: Any, partner: Any) -> None:
    application_id = partner.create_application({"linkedin": 1}, model_development=True)
    upload(application_id["uploads"][0], SAMPLES / "linkedin.zip")
    application_id = application_id["application_id"]
    assert partner.wait(application_id)["status"] == "scored"
    partner.report_outcome(application_id, "good", dt.datetime.now(dt.UTC).date().isoformat())
    assert _item(table, application_id, "MODEL")
    assert _item(table, application_id, "OUTCOME")
    partner.erase(application_id)
    assert _item(table, application_id, "MODEL") is None
    assert _item(table, application_id, "OUTCOME") is None
    with pytest.raises(ApiError) as after:
        partner.report_outcome(application_id, "bad", dt.datetime.now(dt.UTC).date().isoformat())
    assert after.value.status == 409, "an erased application takes no outcome"


def test_export_writes_the_shared_training_rows(
    stack: Any, scored: dict[str, str], partner: Any, tmp_path: Path
) -> None:
    partner.report_outcome(scored["consented"], "bad", dt.datetime.now(dt.UTC).date().isoformat())
    partner.report_outcome(scored["consented_too"], "good", dt.datetime.now(dt.UTC).date().isoformat())
    out = tmp_path / "training.csv"
    assert credscore(["model", "export", "--out", str(out), "--endpoint-url", stack.endpoint]) == 0
    with out.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        rows = {r["application_id"]: r for r in reader}
    assert header == [
        "application_id",
        "scored_at",
        "outcome",
        "outcome_observed_at",
        "age_band",
        *[f.value for f in FeatureId],
    ]
    assert {scored["consented"], scored["consented_too"]} <= set(rows)
    assert scored["not_consented"] not in rows, "no consent, no training row"
    row = rows[scored["consented"]]
    assert row["outcome"] == "bad"
    assert row["outcome_observed_at"] == dt.datetime.now(dt.UTC).date().isoformat()
    assert dt.datetime.fromisoformat(row["scored_at"]).tzinfo is not None
    assert float(row["skills"]) > 0
    assert row["images"] == "", "missing evidence is an empty cell"


# ----------------------------------------------------------------------------------------------- shadow
def _synthetic_model_data(
    table: Any, n: int, scored_at: int, connections: float, seed: int
) -> list[dict[str, Any]]:
    """Model data as scored applications leave it (only the MODEL item: what the shadow job and monitoring read)."""
    rng = random.Random(seed)
    kept = []
    for _ in range(n):
        features = {f.value: None for f in FeatureId}
        features.update(
            age=float(rng.randint(20, 60)),
            connections=connections * rng.uniform(0.5, 1.5),
            skills=float(rng.randint(0, 30)),
            positive_posts=rng.random(),
            negative_posts=rng.random() / 3,
            invitations=rng.uniform(0, 0.6),
        )
        application_id = uuid.uuid4().hex
        table.put_item(
            Item={
                "pk": f"APP#{application_id}",
                "sk": "MODEL",
                "application_id": application_id,
                "features": json.dumps(features),
                "scored_at": scored_at,
                "config_parameter_version": 1,
                "score": "600.0",
                "expires_at": NOW + 86400,
            }
        )
        kept.append(features)
    return kept


@pytest.fixture(scope="module")
def history(table: Any, scored: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Two earlier weeks of kept model data; the second week's applicants have far more connections."""
    return {
        "two_weeks_ago": _synthetic_model_data(table, 24, NOW - 14 * 86400, 300.0, seed=1),
        "last_week": _synthetic_model_data(table, 24, NOW - 7 * 86400, 5000.0, seed=2),
    }


@pytest.fixture
def config_store(stack: Any) -> Iterator[ConfigStore]:
    store = ConfigStore(stack.client("ssm"), stack.deployed.config_parameter, ttl_seconds=0)
    before = store.load_fresh().parameter_version
    yield store
    if store.load_fresh().parameter_version != before:
        store.rollback(before)


def _all_model_features(table: Any) -> list[dict[str, Any]]:
    items, kwargs = [], {"FilterExpression": "sk = :m", "ExpressionAttributeValues": {":m": "MODEL"}}
    while True:
        page = table.scan(**kwargs)
        items += [json.loads(i["features"]) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_compare_shadow_scores_a_candidate_through_the_state_machine_then_promote(
    stack: Any,
    table: Any,
    history: dict[str, Any],
    config_store: ConfigStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    active_before = config_store.load_fresh()
    candidate = json.loads(config_store.text_of(active_before.parameter_version))
    candidate["version"] = "cand-connections-5k"
    # Full connection points from 800 (every knot at 0.4 of its x): a different, still monotone curve.
    for knot in candidate["scorecard"]["characteristics"]["connections"]["knots"]:
        knot["x"] *= 0.4
    path = tmp_path / "candidate.json"
    path.write_text(json.dumps(candidate), encoding="utf-8")
    assert credscore(["model", "candidate", str(path), "--endpoint-url", stack.endpoint]) == 0
    assert config_store.load_fresh().parameter_version == active_before.parameter_version, (
        "stored, not active"
    )
    assert credscore(["model", "candidates", "--endpoint-url", stack.endpoint]) == 0
    assert "cand-connections-5k" in capsys.readouterr().out

    # A cut-off inside the kept applications' active scores (their median), so approvals can change.
    features = _all_model_features(table)
    rows = [shadow_row(f, active_before.config, parse_config(json.dumps(candidate))) for f in features]
    cutoff = float(
        round(statistics.median(r["active"]["score"] for r in rows if r["active"]["score"] is not None))
    )
    report_path = tmp_path / "report.json"
    args = ["--segments", "3", "--page-size", "7", "--cutoff", f"{cutoff:g}", "--out", str(report_path)]
    code = credscore(["model", "compare", "cand-connections-5k", *args, "--endpoint-url", stack.endpoint])
    printed = capsys.readouterr().out
    assert code == 0, printed
    report = json.loads(report_path.read_text(encoding="utf-8"))

    # Every kept application was scored exactly once across the segments and pages of the Map.
    assert report["applications"] == len(features) >= 50
    expected = compare(rows, cutoff=cutoff)
    assert report["approval"] == expected["approval"]
    assert report["score_shift"] == pytest.approx(expected["score_shift"])
    assert report["psi"]["value"] == pytest.approx(expected["psi"]["value"])
    assert report["reasons"] == expected["reasons"]
    assert report["score_shift"]["mean"] > 0, "a lower saturation gives connections more points"
    assert report["approval"]["change"] > 0
    few = report["reasons"]["by_code"]["few_connections"]
    assert few["candidate"] < few["active"], "fewer applicants are told their connections lowered the score"
    assert "PSI" in printed
    assert f"approval at {cutoff:g}" in printed

    # It ran as the shadow state machine: pages of rows in S3 (more than one per segment), then the report.
    sfn = stack.client("stepfunctions")
    shadow_arn = stack.deployed.refs["ShadowStateMachine"]
    executions = sfn.list_executions(stateMachineArn=shadow_arn)["executions"]
    assert executions
    assert all(e["status"] == "SUCCEEDED" for e in executions)
    job = report["job"]["job_id"]
    keys = [
        o["Key"]
        for o in stack.client("s3").list_objects_v2(
            Bucket=stack.deployed.bucket, Prefix=f"work/shadow/{job}/"
        )["Contents"]
    ]
    pages = [k for k in keys if "/rows/" in k]
    assert len(pages) >= len(features) // 7
    assert {k.split("/")[-1][:3] for k in pages} == {"000", "001", "002"}
    assert f"work/shadow/{job}/report.json" in keys
    assert config_store.load_fresh().parameter_version == active_before.parameter_version, (
        "comparing changes nothing"
    )

    # The report names the candidate's parameter version it scored; stored again under the same label (even the
    # same content), the candidate is another version, and promoting "what was compared" is refused.
    compared = report["job"]["candidate_parameter_version"]
    assert compared == 1
    assert f"candidate 'cand-connections-5k' (parameter version {compared})" in printed
    assert credscore(["model", "candidate", str(path), "--endpoint-url", stack.endpoint]) == 0
    promote = ["model", "promote", "cand-connections-5k", "--endpoint-url", stack.endpoint]
    assert credscore([*promote, "--compared", str(compared)]) == 1
    assert config_store.load_fresh().parameter_version == active_before.parameter_version, "nothing promoted"
    assert credscore([*promote, "--compared", str(compared + 1)]) == 0
    promoted = config_store.load_fresh()
    assert promoted.parameter_version == active_before.parameter_version + 1
    assert promoted.config.version == "cand-connections-5k"
    promoted_knots = [
        k.model_dump() for k in promoted.config.scorecard.characteristics["connections"].knots or []
    ]
    assert promoted_knots == candidate["scorecard"]["characteristics"]["connections"]["knots"]
    assert f"rollback {active_before.parameter_version}" in capsys.readouterr().out


def test_compare_of_an_unknown_candidate_fails_clearly(
    stack: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert credscore(["model", "compare", "no-such-candidate", "--endpoint-url", stack.endpoint]) == 1
    assert "no candidate configuration 'no-such-candidate'" in capsys.readouterr().err


# ----------------------------------------------------------------------------------------------- monitoring
def test_weekly_monitoring_records_distributions_and_flags_a_shift(
    stack: Any, table: Any, history: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    def run(at: int) -> dict[str, Any]:
        event = {"time": dt.datetime.fromtimestamp(at, dt.UTC).isoformat().replace("+00:00", "Z")}
        return dict(stack.invoke("MonitorFunction", event))

    first = run(NOW - 7 * 86400)  # the week that held "two weeks ago"
    assert first["applications"] == 24
    assert first["baseline"] == "first_week", "the hand-set model has no development sample"
    assert first["score_psi"] is None

    second = run(NOW)  # the week just ended: "last week", with 15 times the connections
    assert second["applications"] == 24
    assert second["max_characteristic"] == "connections"
    assert second["max_characteristic_psi"] > 0.25

    records = {
        json.loads(i["doc"])["week"]: json.loads(i["doc"])
        for i in table.query(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": "MONITOR"})[
            "Items"
        ]
    }
    week = records[second["week"]]
    assert week["baseline"]["week"] == first["week"]
    skills = week["characteristics"]["skills"]
    assert skills["n"] == 24
    assert skills["psi"] < week["characteristics"]["connections"]["psi"]
    assert week["characteristics"]["images"]["missing"] == 24
    assert sum(week["score"]["counts"]) == 24
    assert week["score"]["psi"] == pytest.approx(0.0, abs=1e-9), "every synthetic score is 600: no shift"

    assert credscore(["model", "monitoring", "--endpoint-url", stack.endpoint]) == 0
    assert f"{second['week']}" in capsys.readouterr().out

    alarms = stack.client("cloudwatch").describe_alarms(AlarmNamePrefix="credscore-dev-model-drift")[
        "MetricAlarms"
    ]
    assert alarms
    assert alarms[0]["Threshold"] == 0.25
