"""template.yaml and statemachine.asl.json: linted by the real tools, and checked for what production needs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from credscore_local.template import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
ASL = json.loads((REPO / "statemachine.asl.json").read_text())


def _tool(name: str, venv: str) -> str:
    candidate = REPO / venv / "bin" / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run `make setup`")
    return found


def test_cfn_lint_passes() -> None:
    result = subprocess.run(
        [_tool("cfn-lint", ".venv"), str(REPO / "template.yaml")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sam_validate_lint_passes() -> None:
    result = subprocess.run(
        [
            _tool("sam", ".venv-sam"),
            "validate",
            "--lint",
            "--region",
            "us-east-1",
            "--template-file",
            str(REPO / "template.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "SAM_CLI_TELEMETRY": "0", "HOME": str(REPO / ".venv-sam")},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _substituted_asl() -> str:
    subs = RESOURCES["ScoringStateMachine"]["Properties"]["DefinitionSubstitutions"]
    text = (REPO / "statemachine.asl.json").read_text()
    for var in subs:
        text = text.replace("${" + var + "}", f"arn:aws:lambda:us-east-1:123456789012:function:{var}")
    assert "${" not in text, "every placeholder has a DefinitionSubstitution"
    return text


def test_asl_is_valid_for_statelint(tmp_path: Path) -> None:
    path = tmp_path / "definition.json"
    path.write_text(_substituted_asl())
    result = subprocess.run(
        [_tool("statelint", ".venv"), str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not result.stdout.strip(), result.stdout


def test_asl_is_valid_for_asl_validator(tmp_path: Path) -> None:
    validator = REPO / "tools/asl/node_modules/.bin/asl-validator"
    if not validator.exists():
        pytest.fail("asl-validator is not installed: run `make setup`")
    path = tmp_path / "definition.json"
    path.write_text(_substituted_asl())
    result = subprocess.run(
        [str(validator), "--json-path", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_substitutions_match_placeholders() -> None:
    placeholders = set(re.findall(r"\$\{(\w+)\}", (REPO / "statemachine.asl.json").read_text()))
    assert placeholders == set(RESOURCES["ScoringStateMachine"]["Properties"]["DefinitionSubstitutions"])


def _tasks(states: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, state in states.items():
        if state["Type"] == "Task":
            found.append((name, state))
        for branch in state.get("Branches", []):
            found.extend(_tasks(branch["States"]))
        if "ItemProcessor" in state:
            found.extend(_tasks(state["ItemProcessor"]["States"]))
    return found


def test_every_task_retries_transient_errors_with_backoff_and_has_a_timeout() -> None:
    for name, state in _tasks(ASL["States"]):
        transient = [r for r in state.get("Retry", []) if "Lambda.ServiceException" in r["ErrorEquals"]]
        assert transient, name
        assert transient[0]["BackoffRate"] > 1, name
        assert transient[0]["MaxAttempts"] >= 2, name
        assert "TimeoutSeconds" in state, name


def test_pipeline_shape_ingest_parallel_score() -> None:
    states = ASL["States"]
    assert states["Ingest"]["Next"] == "Analyse"
    assert states["Analyse"]["Type"] == "Parallel"
    first_states = [b["StartAt"] for b in states["Analyse"]["Branches"]]
    assert first_states == ["AnalyzeText", "AnalyzeProfanity", "AnalyzeImageBatches"]
    assert states["Analyse"]["Branches"][2]["States"]["AnalyzeImageBatches"]["Type"] == "Map"
    assert states["Analyse"]["Next"] == "Score"
    for name in ("Ingest", "Analyse", "Score"):
        assert states[name]["Catch"][-1] == {
            "ErrorEquals": ["States.ALL"],
            "ResultPath": "$.error",
            "Next": "RecordFailure",
        }
    # Erased while processing: the steps that write end quietly (before the catch-all, which would record a
    # failure on the tombstone), and so does a failure met on an erased application.
    for name in ("Ingest", "Score"):
        assert states[name]["Catch"][0] == {"ErrorEquals": ["ApplicationErased"], "Next": "Erased"}
    assert states["Erased"]["Type"] == "Succeed"
    assert states["RecordFailure"]["Next"] == "FailureRecorded"
    assert states["FailureRecorded"]["Choices"] == [
        {"Variable": "$.status", "StringEquals": "erased", "Next": "Erased"}
    ]
    assert states["FailureRecorded"]["Default"] == "ApplicationFailed"
    for branch in states["Analyse"]["Branches"]:
        first = branch["States"][branch["StartAt"]]
        assert first["Catch"][0]["ErrorEquals"] == ["States.ALL"], "a failed branch is recorded, not lost"


def test_states_pass_pointers_not_bulk_data() -> None:
    """Lambda outputs are small summaries: payloads reference S3 keys (`profile`, `batch`)."""
    text = json.dumps(ASL)
    assert '"profile.$": "$.ingest.profile"' in text
    assert '"batch.$": "$$.Map.Item.Value"' in text


def test_bucket_is_private_encrypted_tls_only_and_expires_raw_uploads() -> None:
    props = RESOURCES["DataBucket"]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert sse["SSEAlgorithm"] == "aws:kms"
    assert props["NotificationConfiguration"]["EventBridgeConfiguration"]["EventBridgeEnabled"] is True
    prefixes = {r["Prefix"] for r in props["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in r}
    assert {"uploads/", "work/"} <= prefixes
    statement = RESOURCES["DataBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"]["Bool"]["aws:SecureTransport"] == "false"


def test_table_is_encrypted_with_ttl_and_point_in_time_recovery() -> None:
    props = RESOURCES["ApplicationsTable"]["Properties"]
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["TimeToLiveSpecification"]["Enabled"] is True
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_every_function_has_its_own_retained_log_group_and_explicit_policies() -> None:
    for logical, body in RESOURCES.items():
        if body["Type"] != "AWS::Serverless::Function":
            continue
        props = body["Properties"]
        group = RESOURCES[props["LoggingConfig"]["LogGroup"]["Ref"]]
        assert "RetentionInDays" in group["Properties"], logical
        for policy in props["Policies"]:
            for statement in policy["Statement"]:
                actions = statement["Action"]
                assert all("*" not in a for a in actions), f"{logical} has a wildcard action"
                assert statement["Resource"] != "*", f"{logical} has a wildcard resource"


def test_api_requires_partner_authentication() -> None:
    auth = RESOURCES["PartnerApi"]["Properties"]["Auth"]
    assert auth["DefaultAuthorizer"] in auth["Authorizers"]


def test_runtime_is_python_313() -> None:
    assert TEMPLATE["Globals"]["Function"]["Runtime"] == "python3.13"
    assert sys.version_info[:2] == (3, 13), "tests run on the Lambda runtime's Python"


def test_template_carries_the_default_scoring_configuration() -> None:
    """`make sync-config` keeps the deployed default equal to src/credscore/data/default-scoring-config.json."""
    from credscore.scoring.config import parse_config

    value = RESOURCES["ScoringConfigParameter"]["Properties"]["Value"]
    default = (REPO / "src/credscore/data/default-scoring-config.json").read_text()
    assert json.loads(value) == json.loads(default)
    parse_config(value)  # and it is valid


def test_web_page_is_served_privately_through_cloudfront_over_https() -> None:
    bucket = RESOURCES["WebBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    config = RESOURCES["WebDistribution"]["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert "OriginAccessControlId" in config["Origins"][0]
    (reader,) = [
        s
        for s in RESOURCES["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "AWS:SourceArn" in reader["Condition"]["StringEquals"]
    cors = RESOURCES["PartnerApi"]["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == [{"Fn::Sub": "https://${WebDistribution.DomainName}"}], (
        "only the page's origin"
    )


def test_upload_events_are_retried_then_parked_in_an_encrypted_alarmed_queue() -> None:
    rule = RESOURCES["ScoringStateMachine"]["Properties"]["Events"]["UploadArrived"]["Properties"]
    assert rule["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert rule["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["UploadEventsDeadLetterQueue", "Arn"]}
    queue = RESOURCES["UploadEventsDeadLetterQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True
    statements = RESOURCES["UploadEventsDeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allow = [s for s in statements if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allow] == [{"Service": "events.amazonaws.com"}]
    assert all(s["Action"] == "sqs:SendMessage" and "Condition" in s for s in allow)
    assert any(
        s["Effect"] == "Deny" and s["Condition"]["Bool"]["aws:SecureTransport"] == "false" for s in statements
    )


def test_alarms_watch_what_would_otherwise_fail_silently_and_notify_an_encrypted_topic() -> None:
    alarms = {k: v["Properties"] for k, v in RESOURCES.items() if v["Type"] == "AWS::CloudWatch::Alarm"}
    assert RESOURCES["AlarmTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}
    key_statements = RESOURCES["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s["Principal"] == {"Service": "cloudwatch.amazonaws.com"} for s in key_statements)
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["TreatMissingData"] == "notBreaching", name

    def watched(alarm: dict[str, Any]) -> set[tuple[str, str]]:
        metrics = [alarm] + [q["MetricStat"]["Metric"] for q in alarm.get("Metrics", []) if "MetricStat" in q]
        return {(m["Namespace"], m["MetricName"]) for m in metrics if "MetricName" in m}

    covered = set().union(*(watched(a) for a in alarms.values()))
    assert {
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),  # uploads whose pipeline never started
        ("AWS/States", "ExecutionsTimedOut"),  # applications stuck in processing
        ("AWS/States", "ExecutionsAborted"),
        ("AWS/Lambda", "Errors"),  # the failure recorder itself failing
        ("credscore", "ApplicationsFailed"),  # failure rate against
        ("credscore", "ApplicationsScored"),
        ("AWS/ApiGateway", "5xx"),
    } <= covered
    emitted = {
        m
        for path in (REPO / "functions").glob("*/app.py")
        for m in re.findall(r'add_metric\(name="(\w+)"', path.read_text())
    }
    assert {name for namespace, name in covered if namespace == "credscore"} <= emitted, (
        "alarm on a real metric"
    )


def test_the_local_stack_creates_the_alarms_and_the_parking_queue_from_the_template(stack: Any) -> None:
    alarms = stack.client("cloudwatch").describe_alarms()["MetricAlarms"]
    defined = {
        p["AlarmName"]["Fn::Sub"].replace("${Stage}", stack.parameters["Stage"])
        for p in (v["Properties"] for v in RESOURCES.values() if v["Type"] == "AWS::CloudWatch::Alarm")
    }
    assert {a["AlarmName"] for a in alarms} >= defined
    assert stack.event_dead_letter_url


def test_an_execution_has_an_overall_deadline_beyond_any_single_task() -> None:
    def task_timeouts(states: dict[str, Any]) -> list[int]:
        found = []
        for state in states.values():
            found += [state["TimeoutSeconds"]] if state["Type"] == "Task" else []
            for branch in [*state.get("Branches", []), state.get("ItemProcessor", {})]:
                found += task_timeouts(branch.get("States", {}))
        return found

    assert ASL["TimeoutSeconds"] > 2 * max(task_timeouts(ASL["States"]))


def test_stale_applications_are_swept_hourly_after_the_upload_window() -> None:
    sweep = RESOURCES["CloseStaleFunction"]["Properties"]
    assert sweep["Events"]["Hourly"]["Properties"]["Schedule"] == "rate(1 hour)"
    window = int(TEMPLATE["Parameters"]["UploadWindowHours"]["Default"])
    api_env = RESOURCES["ApiFunction"]["Properties"]["Environment"]["Variables"]
    links_last_hours = int(api_env["UPLOAD_URL_EXPIRY_SECONDS"]) / 3600
    # Upload links can be reissued for a day (the create's idempotency window), each lasting its expiry.
    assert window >= 24 + links_last_hours
    index = next(
        i
        for i in RESOURCES["ApplicationsTable"]["Properties"]["GlobalSecondaryIndexes"]
        if i["IndexName"] == "collecting"
    )
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["gsi2pk", "gsi2sk"]
