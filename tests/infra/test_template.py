"""template.yaml and statemachine.asl.json: linted by the real tools, and checked for what production needs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
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
        value = (
            f"https://sqs.us-east-1.amazonaws.com/123456789012/{var}"
            if var.endswith("QueueUrl")
            else f"arn:aws:lambda:us-east-1:123456789012:function:{var}"
        )
        text = text.replace("${" + var + "}", value)
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
        # A Lambda task retries Lambda's transient errors; a service integration (parking an event) every error.
        retried = "Lambda.ServiceException" if state["Resource"].startswith("${") else "States.ALL"
        transient = [r for r in state.get("Retry", []) if retried in r["ErrorEquals"]]
        assert transient, name
        assert transient[0]["BackoffRate"] > 1, name
        assert transient[0]["MaxAttempts"] >= 2, name
        assert "TimeoutSeconds" in state, name


def test_pipeline_shape_ingest_parallel_score() -> None:
    states = ASL["States"]
    assert states["Ingest"]["Next"] == "Analyse"
    # X still unavailable after Ingest's retries: the exports are read again with X recorded as not analysed.
    assert states["Ingest"]["Catch"][1] == {
        "ErrorEquals": ["RateLimited", "XUnreachable"],
        "ResultPath": "$.x_unavailable",
        "Next": "IngestWithoutX",
    }
    assert any(r["ErrorEquals"] == ["RateLimited", "XUnreachable"] for r in states["Ingest"]["Retry"])
    without_x = states["IngestWithoutX"]
    assert (without_x["Resource"], without_x["ResultPath"], without_x["Next"]) == (
        states["Ingest"]["Resource"],
        states["Ingest"]["ResultPath"],
        "Analyse",
    )
    assert without_x["Parameters"]["x_unavailable.$"] == "$.x_unavailable.Error"
    assert not any("RateLimited" in r["ErrorEquals"] for r in without_x["Retry"]), "it never calls X"
    assert states["Analyse"]["Type"] == "Parallel"
    first_states = [b["StartAt"] for b in states["Analyse"]["Branches"]]
    assert first_states == ["AnalyzeText", "AnalyzeProfanity", "AnalyzeImageBatches"]
    assert states["Analyse"]["Branches"][2]["States"]["AnalyzeImageBatches"]["Type"] == "Map"
    assert states["Analyse"]["Next"] == "Score"
    for name in ("Ingest", "IngestWithoutX", "Analyse", "Score"):
        assert states[name]["Catch"][-1] == {
            "ErrorEquals": ["States.ALL"],
            "ResultPath": "$.error",
            "Next": "RecordFailure",
        }
    # Erased while processing: the steps that write end quietly (before the catch-all, which would record a
    # failure on the tombstone), and so does a failure met on an erased application.
    for name in ("Ingest", "IngestWithoutX", "Score"):
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


def test_receive_upload_retries_timeouts_then_parks_its_event_and_fails_the_execution() -> None:
    states = ASL["States"]
    receive = states["ReceiveUpload"]
    # The claim names its execution, so a timed-out attempt that claimed is safe to retry.
    assert receive["Parameters"] == {"event.$": "$", "execution.$": "$$.Execution.Id"}
    (timeouts,) = [r for r in receive["Retry"] if "States.Timeout" in r["ErrorEquals"]]
    assert "Sandbox.Timedout" in timeouts["ErrorEquals"]
    assert timeouts["MaxAttempts"] >= 3
    assert timeouts["BackoffRate"] > 1
    worst = (timeouts["MaxAttempts"] + 1) * receive["TimeoutSeconds"] + timeouts["MaxAttempts"] * timeouts[
        "MaxDelaySeconds"
    ]
    assert worst < ASL["TimeoutSeconds"] / 10, "far inside the execution's deadline"
    assert receive["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "DescribeParkedError"}
    ]
    describe = states["DescribeParkedError"]
    assert describe["Resource"] == receive["Resource"], "no other function to be down when parking"
    assert describe["Parameters"] == {"parked.$": "$.error"}
    # Whatever the describing does, the event is parked: its failure leads to the same ParkUploadEvent.
    (fallback,) = describe["Catch"]
    assert (fallback["ErrorEquals"], fallback["ResultPath"]) == (["States.ALL"], "$.parked")
    assert states[fallback["Next"]]["Type"] == "Pass"
    assert states[fallback["Next"]]["ResultPath"] == "$.parked"
    assert states[fallback["Next"]]["Next"] == describe["Next"] == "ParkUploadEvent"
    park = states["ParkUploadEvent"]
    attributes = park["Parameters"]["MessageAttributes"]
    assert {k: v["StringValue.$"] for k, v in attributes.items()} == {
        "ERROR_CODE": "$.error.Error",
        "ERROR_MESSAGE": "$.parked.cause",
        "EXECUTION_ARN": "$$.Execution.Id",
    }
    assert park["Resource"] == "arn:aws:states:::sqs:sendMessage"
    assert park["Parameters"]["QueueUrl"] == "${UploadEventsDeadLetterQueueUrl}"
    assert park["Parameters"]["MessageBody.$"] == "$$.Execution.Input", "replayed as the execution's input"
    subs = RESOURCES["ScoringStateMachine"]["Properties"]["DefinitionSubstitutions"]
    assert subs["UploadEventsDeadLetterQueueUrl"] == {"Ref": "UploadEventsDeadLetterQueue"}, (
        "the queue UploadEventsParkedAlarm watches"
    )
    assert states[park["Next"]] == {
        "Type": "Fail",
        "Error": "UploadEventParked",
        "Cause": states[park["Next"]]["Cause"],
    }


def test_the_state_machine_may_park_events_in_the_encrypted_queue_and_nothing_more() -> None:
    statements = [
        s
        for policy in RESOURCES["ScoringStateMachine"]["Properties"]["Policies"]
        for s in policy.get("Statement", [])
    ]
    sends = [s for s in statements if any(a.startswith("sqs:") for a in s["Action"])]
    assert sends == [
        {
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": {"Fn::GetAtt": ["UploadEventsDeadLetterQueue", "Arn"]},
        }
    ]
    assert RESOURCES["UploadEventsDeadLetterQueue"]["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}
    keys = [s for s in statements if any(a.startswith("kms:") for a in s["Action"])]
    assert keys == [
        {
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": {"Fn::GetAtt": ["DataKey", "Arn"]},
        }
    ]


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
    assert cors["AllowOrigins"] == [
        {"Fn::Sub": "https://${WebDistribution.DomainName}"},
        {"Fn::If": ["HasWebDomain", {"Fn::Sub": "https://${WebDomainName}"}, {"Ref": "AWS::NoValue"}]},
    ], "only the page's origins"
    assert cors["ExposeHeaders"] == ["retry-after"], "the pages read how long a 429 or 503 asks them to wait"


def test_upload_events_are_retried_then_parked_in_an_encrypted_alarmed_queue() -> None:
    rule = RESOURCES["ScoringStateMachine"]["Properties"]["Events"]["UploadArrived"]["Properties"]
    assert rule["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert rule["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["UploadEventsDeadLetterQueue", "Arn"]}
    queue = RESOURCES["UploadEventsDeadLetterQueue"]["Properties"]
    assert queue["KmsMasterKeyId"] == {"Ref": "DataKey"}
    key_statements = RESOURCES["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s["Principal"] == {"Service": "events.amazonaws.com"} for s in key_statements), (
        "EventBridge can write to the encrypted queue"
    )
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


# ---------------------------------------------------------------- hardening (checkov and what it stands for)
def _checkov() -> dict[str, Any]:
    result = subprocess.run(
        [
            _tool("checkov", ".venv-checkov"),
            "--file",
            str(REPO / "template.yaml"),
            "--framework",
            "cloudformation",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(REPO / ".venv-checkov"), "BC_SKIP_MAPPING": "TRUE"},
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_checkov_finds_no_failed_check_and_every_skip_says_why() -> None:
    report = _checkov()
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert not failed, failed
    assert report["summary"]["passed"] > 50, "checkov really scanned the template"
    assert report["summary"]["parsing_errors"] == 0
    for skipped in report["results"]["skipped_checks"]:
        reason = skipped.get("check_result", {}).get("suppress_comment") or ""
        assert len(reason.split()) >= 8, f"{skipped['check_id']} on {skipped['resource']}: no real reason"


def test_checkov_skips_are_only_the_reviewed_ones() -> None:
    """A new skip is a decision: it is added here with the resource, or the check is fixed instead."""
    skips = {
        (skip["id"], logical)
        for logical, body in RESOURCES.items()
        for skip in body.get("Metadata", {}).get("checkov", {}).get("skip", [])
    }
    functions = [k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"]
    synchronous = [f for f in functions if not _is_invoked_asynchronously(RESOURCES[f])]
    assert skips == {
        *(("CKV_AWS_117", f) for f in functions),  # no VPC: nothing private to reach
        *(("CKV_AWS_116", f) for f in synchronous),  # no DLQ: a DLQ serves only asynchronous invocations
        ("CKV_AWS_21", "DataBucket"),  # no versioning: erasure must really delete
        ("CKV_AWS_21", "WebBucket"),
        ("CKV_AWS_21", "AccessLogsBucket"),
        ("CKV_AWS_18", "AccessLogsBucket"),
        ("CKV_AWS_68", "WebDistribution"),  # static files; the API is the dynamic surface
        ("CKV_AWS_174", "WebDistribution"),  # TLS 1.2 needs the custom domain (the !If)
    }


def _is_invoked_asynchronously(function: dict[str, Any]) -> bool:
    events = function["Properties"].get("Events", {}).values()
    return any(e["Type"] in ("Schedule", "ScheduleV2", "S3", "SNS", "EventBridgeRule") for e in events)


def test_functions_invoked_asynchronously_park_failed_events_in_an_encrypted_alarmed_queue() -> None:
    alarmed = {
        a["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for a in RESOURCES.values()
        if a["Type"] == "AWS::CloudWatch::Alarm" and a["Properties"].get("Namespace") == "AWS/SQS"
    }
    asynchronous = [k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"]
    asynchronous = [f for f in asynchronous if _is_invoked_asynchronously(RESOURCES[f])]
    assert asynchronous, "the hourly sweep at least"
    for logical in asynchronous:
        dlq = RESOURCES[logical]["Properties"]["DeadLetterQueue"]
        assert dlq["Type"] == "SQS"
        queue = dlq["TargetArn"]["Fn::GetAtt"][0]
        assert RESOURCES[queue]["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}, logical
        assert queue in alarmed, logical


def test_every_log_group_is_encrypted_with_the_data_key_which_cloudwatch_logs_may_use() -> None:
    groups = [v["Properties"] for v in RESOURCES.values() if v["Type"] == "AWS::Logs::LogGroup"]
    assert len(groups) >= 12
    for group in groups:
        assert group["KmsKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}, group["LogGroupName"]
    (logs,) = [
        s
        for s in RESOURCES["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
        if s["Principal"] == {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}}
    ]
    assert "kms:GenerateDataKey*" in logs["Action"]
    # Scoped to this account's log groups by the encryption context CloudWatch Logs sends.
    context = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]["Fn::Sub"]
    assert context.endswith(":${AWS::AccountId}:log-group:*")


def test_every_function_has_reserved_concurrency_and_can_decrypt_its_environment() -> None:
    parameters = TEMPLATE["Parameters"]
    assert TEMPLATE["Globals"]["Function"]["KmsKeyArn"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    reserved = 0
    for logical, body in RESOURCES.items():
        if body["Type"] != "AWS::Serverless::Function":
            continue
        props = body["Properties"]
        concurrency = props["ReservedConcurrentExecutions"]
        reserved += (
            int(parameters[concurrency["Ref"]]["Default"])
            if isinstance(concurrency, dict)
            else int(concurrency)
        )
        # The environment is encrypted with the data key: without kms:Decrypt on it the function cannot start.
        decrypts = [
            s
            for policy in props["Policies"]
            for s in policy["Statement"]
            if "kms:Decrypt" in s["Action"] and s["Resource"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
        ]
        assert decrypts, f"{logical} cannot decrypt its environment"
    # Lambda keeps 100 of an account's usual 1,000 unreserved; the defaults leave room for other workloads.
    assert reserved <= 450, reserved


def test_buckets_and_the_distribution_write_access_logs_to_a_private_expiring_bucket() -> None:
    for bucket in ("DataBucket", "WebBucket"):
        logging = RESOURCES[bucket]["Properties"]["LoggingConfiguration"]
        assert logging["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}, bucket
    config = RESOURCES["WebDistribution"]["Properties"]["DistributionConfig"]
    assert config["Logging"]["Bucket"] == {"Fn::GetAtt": ["AccessLogsBucket", "DomainName"]}
    logs = RESOURCES["AccessLogsBucket"]["Properties"]
    assert all(logs["PublicAccessBlockConfiguration"].values())
    (rule,) = logs["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Ref": "LogRetentionDays"}, "viewer IPs are kept no longer than logs"
    api_logs = RESOURCES["PartnerApi"]["Properties"]["AccessLogSettings"]
    assert api_logs["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}


def test_custom_domain_serves_the_page_with_tls_12_or_newer() -> None:
    config = RESOURCES["WebDistribution"]["Properties"]["DistributionConfig"]
    condition, custom, default = config["ViewerCertificate"]["Fn::If"]
    assert condition == "HasWebDomain"
    assert custom["MinimumProtocolVersion"].startswith("TLSv1.2")
    assert custom["SslSupportMethod"] == "sni-only"
    assert default == {"CloudFrontDefaultCertificate": True}


def test_partner_limit_answers_429_per_partner_on_the_local_stack(
    stack: Any, partner: Any, other_partner: Any
) -> None:
    import requests

    assert int(TEMPLATE["Parameters"]["PartnerRequestsPerMinute"]["Default"]) > 0
    env = RESOURCES["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert env["PARTNER_REQUESTS_PER_MINUTE"] == {"Ref": "PartnerRequestsPerMinute"}
    if time.time() % 60 > 45:  # one fixed window for the whole test
        time.sleep(61 - time.time() % 60)
    previous = stack.faults.reconfigure("ApiFunction", env={"PARTNER_REQUESTS_PER_MINUTE": "3"})
    try:

        def status(client: Any) -> requests.Response:
            return requests.get(
                f"{stack.api_url}/applications",
                headers={"Authorization": f"Bearer {client.api_key}"},
                timeout=30,
            )

        assert [status(partner).status_code for _ in range(3)] == [200, 200, 200]
        refused = status(partner)
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"] == "rate_limited"
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        assert status(other_partner).status_code == 200, "the limit is per partner"
    finally:
        stack.faults.restore("ApiFunction", previous)


# ---------------------------------------------------------------- SAM conventions
def test_samconfig_stages_deploy_this_template_with_known_parameters_and_no_secrets() -> None:
    import shlex
    import tomllib

    config = tomllib.loads((REPO / "samconfig.toml").read_text(encoding="utf-8"))
    assert config["version"] == 0.1
    stages = {env: tables["deploy"]["parameters"] for env, tables in config.items() if env != "version"}
    assert {"dev", "staging", "prod"} <= set(stages)
    parameters = TEMPLATE["Parameters"]
    for env, deploy in stages.items():
        overrides = dict(item.split("=", 1) for item in shlex.split(deploy["parameter_overrides"]))
        assert set(overrides) <= set(parameters), (
            f"{env}: unknown parameters {set(overrides) - set(parameters)}"
        )
        assert overrides["Stage"] == ("dev" if env == "default" else env)
        assert deploy["stack_name"] == f"credscore-{overrides['Stage']}"
        assert {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"} <= set(deploy["capabilities"].split())
        if "LogRetentionDays" in overrides:
            assert int(overrides["LogRetentionDays"]) in parameters["LogRetentionDays"]["AllowedValues"]
    lines = (REPO / "samconfig.toml").read_text(encoding="utf-8").lower().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    for secret in ("token=", "password", "secret", "apikey", "api_key", "bearer"):
        assert secret not in text, secret
