"""No personal data in logs: after a full run on the local stack, the functions' logs (what CloudWatch would hold)
contain none of the applicant's names, texts, group or page names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile
from credscore.synth import make_export
from credscore_local.client import upload

pytestmark = pytest.mark.e2e


def test_function_logs_hold_no_personal_data(stack: Any, partner: Any, tmp_path: Path) -> None:
    paths = {"facebook": tmp_path / "facebook.zip", "linkedin": tmp_path / "linkedin.zip"}
    make_export(
        "facebook",
        paths["facebook"],
        seed=31,
        layout="C",
        posts=30,
        comments=20,
        groups=6,
        pages=6,
        photos=2,
        birth_year=1987,
    )
    make_export("linkedin", paths["linkedin"], seed=32, connections=50, skills=5)
    profile = Profile(application_id="fixture")
    for name, path in paths.items():
        with path.open("rb") as fh:
            ingest_archive(profile, Platform(name), fh, name)
    secrets = {t.text for t in profile.texts if len(t.text) >= 12}
    secrets |= {n.name for n in profile.names if len(n.name) >= 6}
    secrets |= {s for s in profile.skills if len(s) >= 6}
    assert len(secrets) > 30, "the fixture has personal text to look for"

    created = partner.create_application({"facebook": 1, "linkedin": 1})
    for form in created["uploads"]:
        upload(form, paths[form["platform"]])
    assert partner.wait(created["application_id"])["status"] == "scored"

    logs = "\n".join(p.read_text(errors="replace") for p in Path(stack.log_dir).glob("*.log"))
    assert created["application_id"] in logs, "the logs are the ones of this run"
    leaked = sorted(s for s in secrets if s in logs)
    assert leaked == []

    # Step Functions keeps every execution's input for 90 days: an upload's holds what ReceiveUpload reads, not
    # S3's whole event (which names the uploader's IP address and the requester's account).
    sfn = stack.client("stepfunctions")
    executions = sfn.list_executions(stateMachineArn=stack.deployed.state_machine_arn)["executions"]
    inputs = [json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]) for e in executions]
    uploads = [
        i for i in inputs if i.get("source") == "aws.s3" and created["application_id"] in json.dumps(i)
    ]
    assert len(uploads) == 2
    for event in uploads:
        assert set(event) == {"id", "time", "source", "detail-type", "detail"}
        assert set(event["detail"]) == {"object"}
        assert set(event["detail"]["object"]) == {"key", "size", "etag", "sequencer"}
        assert event["detail"]["object"]["key"].startswith(f"uploads/{created['application_id']}/")
        assert isinstance(event["detail"]["object"]["size"], int)
        assert "1.2.3.4" not in json.dumps(event)  # the address moto's S3 events carry

    # ... and every state's output: the analyses' counts (sentiment, profanity, flagged photos) stay in S3, where
    # the purge reaches them, and the history holds where they were.
    scoring = next(
        e
        for e in executions
        if sfn.describe_execution(executionArn=e["executionArn"]).get("output", "").count('"scored"')
    )
    events = sfn.get_execution_history(executionArn=scoring["executionArn"], maxResults=1000)["events"]
    outputs = {
        e["stateExitedEventDetails"]["name"]: json.loads(e["stateExitedEventDetails"]["output"])
        for e in events
        if "stateExitedEventDetails" in e
    }
    analysis_prefix = f"work/{created['application_id']}/analysis/"
    stored = [outputs["AnalyzeText"], outputs["AnalyzeProfanity"], *outputs["AnalyzeImageBatches"]]
    assert [s["kind"] for s in stored] == ["text", "profanity"] + ["images"] * (len(stored) - 2)
    for marker in stored:
        assert set(marker) == {"kind", "status", "key"}
        assert marker["status"] == "stored"
        assert marker["key"].startswith(analysis_prefix)
    history = json.dumps(outputs)
    for name in ("analysed", "positive", "negative", "flagged", "category_counts", "sources", "photos"):
        assert f'"{name}"' not in history, name
    s3 = stack.client("s3")
    assert s3.list_objects_v2(Bucket=stack.deployed.bucket, Prefix=analysis_prefix)["KeyCount"] == 0, "purged"
