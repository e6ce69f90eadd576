"""The embedded local stack: moto as a server, resources created from `template.yaml`, real handlers in workers.

What runs here is what runs in AWS: the same `statemachine.asl.json` (executed by moto's Step Functions
interpreter), the same handlers with the environment the template gives them, S3 → EventBridge delivery of uploads,
and the partner API behind an adapter that produces API Gateway HTTP API (v2) events. What is local-only is said
where it happens (the EventBridge → Step Functions hop, which moto does not deliver, is pumped through SQS).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import logging
import os
import socket
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from credscore_local.lambda_runtime import LocalLambdaRuntime
from credscore_local.template import (
    REPO_ROOT,
    FunctionSpec,
    Resolver,
    creation_order,
    function_specs,
    load_template,
    parameter_defaults,
)

log = logging.getLogger("credscore.local")

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
EVENT_QUEUE = "credscore-local-eventbridge-to-sfn"
LOCAL_START_ATTEMPTS = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Deployed:
    """Physical names and ARNs of what was created, by logical id."""

    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    state_machine_arn: str = ""
    bucket: str = ""
    table: str = ""
    config_parameter: str = ""


class LocalStack:
    """Start with `with LocalStack() as stack:`; `stack.client("s3")` talks to it; `stack.api_url` is the API."""

    def __init__(
        self,
        parameter_overrides: dict[str, Any] | None = None,
        serve_api: bool = True,
        max_concurrency: int = 2,
        extra_function_env: dict[str, str] | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="credscore-local-logs-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.template = load_template()
        # Local-only: webhooks may go to http:// receivers on loopback (in AWS: https, public addresses only).
        self.parameters = parameter_defaults(
            self.template, {"WebhookAllowLoopback": "true", **(parameter_overrides or {})}
        )
        self.serve_api = serve_api
        self.extra_function_env = extra_function_env or {}
        self.max_concurrency = max_concurrency
        self.deployed = Deployed()
        self.runtime: LocalLambdaRuntime | None = None
        self.api_url = ""
        self.event_queue_url = ""
        self.event_dead_letter_url: str | None = None
        self._server: Any = None
        self._api_server: Any = None
        self._pump: threading.Thread | None = None
        self._event_sources: Any = None
        self._stopping = threading.Event()
        self._saved_env: dict[str, str | None] = {}

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> LocalStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    _active: LocalStack | None = None  # moto keeps its state per process, so one stack at a time

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        if LocalStack._active is not None:
            raise RuntimeError("an embedded local stack is already running in this process; stop it first")
        LocalStack._active = self

        from credscore_local.fidelity import serialize_dynamodb_writes

        serialize_dynamodb_writes()
        # Step Functions' interpreter calls Lambda through this port; boto3 in this process uses fake credentials.
        self._set_env({"MOTO_PORT": str(self.port), **FAKE_CREDENTIALS})
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per AWS call is noise here
        # The interpreter logs every failed task with its whole state tree; executions keep the error anyway.
        logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        # A stack started earlier in this process left its resources in moto's (process-wide) state.
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=10).raise_for_status()
        requests.post(
            f"{self.endpoint}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}},
            timeout=10,
        ).raise_for_status()
        base_env = {
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.endpoint,
            "CREDSCORE_LOCAL": "1",
            "CREDSCORE_LOCAL_LOG_DIR": str(self.log_dir),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "false",
            **self.extra_function_env,
        }
        self.runtime = LocalLambdaRuntime(base_env, max_concurrency=self.max_concurrency)
        self.runtime.install()
        self._deploy()
        self._pump = threading.Thread(target=self._pump_events, name="eventbridge-pump", daemon=True)
        self._pump.start()
        from credscore_local.event_sources import EventSourcePumps

        self._event_sources = EventSourcePumps(self)
        self._event_sources.start()
        if self.serve_api:
            from credscore_local.api_adapter import serve_api

            self._api_server, self.api_url = serve_api(self)

    def stop(self) -> None:
        self._stopping.set()
        if self._api_server is not None:
            self._api_server.shutdown()
            self._api_server.server_close()
        if self._pump is not None:
            self._pump.join(timeout=25)
        if self._event_sources is not None:
            self._event_sources.stop()
        if self.runtime is not None:
            self.runtime.stop()
        if self._server is not None:
            self._server.stop()
        if LocalStack._active is self:
            LocalStack._active = None
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def _set_env(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    # ------------------------------------------------------------------ clients
    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            config=Config(signature_version="s3v4", retries={"max_attempts": 2}),
        )

    # ------------------------------------------------------------------ deployment from template.yaml
    def _deploy(self) -> None:
        resources: dict[str, Any] = self.template["Resources"]
        resolver = Resolver(
            parameters=self.parameters,
            pseudo={
                "AWS::AccountId": ACCOUNT_ID,
                "AWS::Region": REGION,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackName": "credscore-local",
            },
        )
        # Events of functions (HTTP API routes) are served by the adapter; they carry no creation dependency.
        creatable = {
            name: {
                "Properties": {
                    k: v
                    for k, v in body.get("Properties", {}).items()
                    if not (k == "Events" and body["Type"] == "AWS::Serverless::Function")
                }
            }
            for name, body in resources.items()
        }
        order = creation_order(creatable)
        for logical in order:
            body = resources[logical]
            creator = getattr(self, "_create_" + body["Type"].replace("::", "_"), None)
            if creator is None:
                raise NotImplementedError(f"local stack cannot create {body['Type']} ({logical})")
            creator(logical, body.get("Properties", {}), resolver)
        self.deployed.refs = resolver.refs
        self.deployed.attributes = resolver.attributes

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{resource}"

    def _service_role(self, role_name: str, service: str) -> str:
        """An IAM role that `service` may assume; returns its ARN."""
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
        return str(
            self.client("iam").create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))[
                "Role"
            ]["Arn"]
        )

    def _create_AWS_KMS_Key(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        key = self.client("kms").create_key(Description=r.resolve(props.get("Description", "")))[
            "KeyMetadata"
        ]
        r.refs[logical] = key["KeyId"]
        r.attributes[(logical, "Arn")] = key["Arn"]

    def _create_AWS_Logs_LogGroup(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        name = r.resolve(props["LogGroupName"])
        logs = self.client("logs")
        kms = {"kmsKeyId": r.resolve(props["KmsKeyId"])} if "KmsKeyId" in props else {}
        logs.create_log_group(logGroupName=name, **kms)
        logs.put_retention_policy(logGroupName=name, retentionInDays=int(r.resolve(props["RetentionInDays"])))
        r.refs[logical] = name
        r.attributes[(logical, "Arn")] = self._arn("logs", f"log-group:{name}:*")

    def _create_AWS_S3_Bucket(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        p = r.resolve(props)
        name = p.get("BucketName") or f"credscore-local-{logical.lower()}"
        s3 = self.client("s3")
        s3.create_bucket(Bucket=name)
        if "BucketEncryption" in p:
            # CloudFormation spells the API's ApplyServerSideEncryptionByDefault without "Apply".
            rules = [
                {
                    "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                    "BucketKeyEnabled": rule.get("BucketKeyEnabled", False),
                }
                for rule in p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        if "PublicAccessBlockConfiguration" in p:
            s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=p["PublicAccessBlockConfiguration"]
            )
        if "LifecycleConfiguration" in p:
            rules = []
            for rule in p["LifecycleConfiguration"]["Rules"]:
                entry: dict[str, Any] = {
                    "ID": rule["Id"],
                    "Status": rule["Status"],
                    "Filter": {"Prefix": rule.get("Prefix", "")},
                }
                if "ExpirationInDays" in rule:
                    entry["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
                if "AbortIncompleteMultipartUpload" in rule:
                    entry["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
                rules.append(entry)
            s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
        if "CorsConfiguration" in p:
            cors = [
                {("MaxAgeSeconds" if k == "MaxAge" else k): v for k, v in rule.items()}
                for rule in p["CorsConfiguration"]["CorsRules"]
            ]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": cors})
        if (
            p.get("NotificationConfiguration", {})
            .get("EventBridgeConfiguration", {})
            .get("EventBridgeEnabled")
        ):
            s3.put_bucket_notification_configuration(
                Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}}
            )
        r.refs[logical] = name
        r.attributes[(logical, "Arn")] = f"arn:aws:s3:::{name}"
        r.attributes[(logical, "RegionalDomainName")] = f"{name}.s3.{REGION}.amazonaws.com"
        if logical == "DataBucket":
            self.deployed.bucket = name

    def _create_AWS_S3_BucketPolicy(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        p = r.resolve(props)
        document = dict(p["PolicyDocument"])
        # moto enforces bucket policies, and the local endpoint is plain HTTP on loopback, so the TLS-only
        # statement cannot hold here; every other statement applies as written (tests check the template).
        document["Statement"] = [s for s in document["Statement"] if not _is_tls_only(s)]
        if document["Statement"]:
            self.client("s3").put_bucket_policy(Bucket=p["Bucket"], Policy=json.dumps(document))
        r.refs[logical] = p["Bucket"]

    def _create_AWS_DynamoDB_Table(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        p = r.resolve(props)
        ddb = self.client("dynamodb")
        kwargs: dict[str, Any] = {
            "TableName": p["TableName"],
            "AttributeDefinitions": p["AttributeDefinitions"],
            "KeySchema": p["KeySchema"],
            "BillingMode": p.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if "GlobalSecondaryIndexes" in p:
            kwargs["GlobalSecondaryIndexes"] = p["GlobalSecondaryIndexes"]
        if "SSESpecification" in p:
            sse = p["SSESpecification"]
            kwargs["SSESpecification"] = {
                "Enabled": sse["SSEEnabled"],
                "SSEType": sse.get("SSEType", "KMS"),
                **({"KMSMasterKeyId": sse["KMSMasterKeyId"]} if "KMSMasterKeyId" in sse else {}),
            }
        if "StreamSpecification" in p:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
        desc = ddb.create_table(**kwargs)["TableDescription"]
        if "TimeToLiveSpecification" in p:
            ttl = p["TimeToLiveSpecification"]
            ddb.update_time_to_live(
                TableName=p["TableName"],
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": ttl["Enabled"]},
            )
        if p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
            ddb.update_continuous_backups(
                TableName=p["TableName"],
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
        r.refs[logical] = p["TableName"]
        r.attributes[(logical, "Arn")] = desc["TableArn"]
        if "LatestStreamArn" in desc:
            r.attributes[(logical, "StreamArn")] = desc["LatestStreamArn"]
        if logical == "ApplicationsTable":
            self.deployed.table = p["TableName"]

    def _create_AWS_SSM_Parameter(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        p = r.resolve(props)
        self.client("ssm").put_parameter(
            Name=p["Name"], Value=p["Value"], Type=p["Type"], Tier=p.get("Tier", "Standard"), Overwrite=True
        )
        r.refs[logical] = p["Name"]
        if logical == "ScoringConfigParameter":
            self.deployed.config_parameter = p["Name"]

    def _create_AWS_SQS_Queue(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        p = r.resolve(props)
        attributes = {
            key: str(p[key]).lower() if isinstance(p[key], bool) else str(p[key])
            for key in (
                "MessageRetentionPeriod",
                "SqsManagedSseEnabled",
                "VisibilityTimeout",
                "KmsMasterKeyId",
                "KmsDataKeyReusePeriodSeconds",
            )
            if key in p
        }
        if "RedrivePolicy" in p:
            attributes["RedrivePolicy"] = json.dumps(p["RedrivePolicy"])
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=p["QueueName"], Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        r.refs[logical] = url
        r.attributes[(logical, "Arn")] = arn
        r.attributes[(logical, "QueueName")] = p["QueueName"]

    def _create_AWS_SQS_QueuePolicy(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        p = r.resolve(props)
        for url in p["Queues"]:
            self.client("sqs").set_queue_attributes(
                QueueUrl=url, Attributes={"Policy": json.dumps(p["PolicyDocument"])}
            )
        r.refs[logical] = logical

    def _create_AWS_SNS_Topic(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        p = r.resolve(props)
        attributes = {"KmsMasterKeyId": p["KmsMasterKeyId"]} if "KmsMasterKeyId" in p else {}
        r.refs[logical] = self.client("sns").create_topic(Name=p["TopicName"], Attributes=attributes)[
            "TopicArn"
        ]

    def _create_AWS_CloudWatch_Alarm(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        # CloudFormation's alarm properties are PutMetricAlarm's parameters.
        p = r.resolve(props)
        self.client("cloudwatch").put_metric_alarm(**p)
        r.refs[logical] = p["AlarmName"]

    def _create_AWS_Serverless_LayerVersion(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        # Layers are put on each worker's sys.path (src/) instead of being published.
        r.refs[logical] = self._arn("lambda", f"layer:{r.resolve(props['LayerName'])}:1")

    def _create_AWS_Serverless_Function(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        name = r.resolve(props["FunctionName"])
        role_name = f"{name}-role"
        role_arn = self._service_role(role_name, "lambda.amazonaws.com")
        # Resolved once: put on the role (as CloudFormation would) and enforced by the worker (iam_guard).
        resolved = [
            r.resolve(policy["Statement"]) for policy in props.get("Policies", []) if "Statement" in policy
        ]
        for i, statements in enumerate(resolved):
            self.client("iam").put_role_policy(
                RoleName=role_name,
                PolicyName=f"inline-{i}",
                PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
            )
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("README.txt", "code runs from the repository through credscore_local.lambda_runtime")
        globals_fn = self.template.get("Globals", {}).get("Function", {})
        fn = self.client("lambda").create_function(
            FunctionName=name,
            Runtime=props.get("Runtime", globals_fn.get("Runtime")),
            Role=role_arn,
            Handler=props.get("Handler", globals_fn.get("Handler")),
            Code={"ZipFile": buf.getvalue()},
            Timeout=int(props.get("Timeout", globals_fn.get("Timeout", 3))),
            MemorySize=int(props.get("MemorySize", globals_fn.get("MemorySize", 128))),
        )
        r.refs[logical] = name
        r.attributes[(logical, "Arn")] = fn["FunctionArn"]
        spec = function_specs(
            {
                "Globals": self.template.get("Globals", {}),
                "Resources": {logical: {"Type": "AWS::Serverless::Function", "Properties": props}},
            },
            r,
        )[logical]
        spec = dataclasses.replace(spec, policy_statements=[s for statements in resolved for s in statements])
        self.deployed.functions[logical] = spec
        assert self.runtime is not None
        self.runtime.register(spec, fn["FunctionArn"])

    def _create_AWS_Serverless_StateMachine(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        definition = (REPO_ROOT / props["DefinitionUri"]).read_text(encoding="utf-8")
        for var, value in r.resolve(props.get("DefinitionSubstitutions", {})).items():
            definition = definition.replace("${" + var + "}", str(value))
        role_arn = self._service_role(f"{r.resolve(props['Name'])}-role", "states.amazonaws.com")
        sfn = self.client("stepfunctions")
        arn = sfn.create_state_machine(
            name=r.resolve(props["Name"]),
            definition=definition,
            roleArn=role_arn,
            type=props.get("Type", "STANDARD"),
        )["stateMachineArn"]
        r.refs[logical] = arn
        r.attributes[(logical, "Name")] = r.resolve(props["Name"])
        if props.get("Events") or not self.deployed.state_machine_arn:
            # `state_machine_arn` is the scoring pipeline's (the one uploads start); others are found by refs.
            self.deployed.state_machine_arn = arn
        for event in props.get("Events", {}).values():
            if event["Type"] == "EventBridgeRule":
                rule = r.resolve(event["Properties"])
                self._route_rule_to_state_machine(rule["Pattern"])
                if "DeadLetterConfig" in rule:
                    queue_name = rule["DeadLetterConfig"]["Arn"].rsplit(":", 1)[-1]
                    self.event_dead_letter_url = self.client("sqs").get_queue_url(QueueName=queue_name)[
                        "QueueUrl"
                    ]

    def _create_AWS_CloudFront_OriginAccessControl(
        self, logical: str, props: dict[str, Any], r: Resolver
    ) -> None:
        # The page is served locally by `credscore serve`; CloudFront exists only in AWS.
        r.refs[logical] = r.attributes[(logical, "Id")] = "local-oac"

    def _create_AWS_CloudFront_Distribution(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        r.refs[logical] = r.attributes[(logical, "Id")] = "LOCALDIST"
        r.attributes[(logical, "DomainName")] = "localhost"

    def _create_AWS_Serverless_HttpApi(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        # Served by credscore_local.api_adapter with the same authorizer and route.
        r.refs[logical] = "local"

    # ------------------------------------------------------------------ S3 → EventBridge → Step Functions
    def _route_rule_to_state_machine(self, pattern: dict[str, Any]) -> None:
        """The rule and pattern are the template's; moto delivers rule targets only to SQS, so the last hop
        (SQS → StartExecution, which EventBridge does itself in AWS) is pumped by this process."""
        sqs = self.client("sqs")
        queue_url = sqs.create_queue(QueueName=EVENT_QUEUE)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events = self.client("events")
        events.put_rule(Name="credscore-local-upload-arrived", EventPattern=json.dumps(pattern))
        events.put_targets(Rule="credscore-local-upload-arrived", Targets=[{"Id": "sfn", "Arn": queue_arn}])
        self.event_queue_url = queue_url

    def _pump_events(self) -> None:
        sqs = self.client("sqs")
        sfn = self.client("stepfunctions")
        while not self._stopping.is_set():
            try:
                messages = sqs.receive_message(
                    QueueUrl=self.event_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
                ).get("Messages", [])
            except Exception:  # the server is going away
                if self._stopping.is_set():
                    return
                time.sleep(0.2)
                continue
            for message in messages:
                self._start_from_event(sfn, message["Body"])
                sqs.delete_message(QueueUrl=self.event_queue_url, ReceiptHandle=message["ReceiptHandle"])

    def _start_from_event(self, sfn: Any, body: str) -> None:
        """StartExecution with the event as input, named after its content: a redelivered event is a no-op.
        (moto gives every S3 event the same `id`, so the id cannot name executions here.) A start that keeps
        failing parks the event in the rule's dead-letter queue, with the error, as EventBridge does after its
        retry policy (which locally is a few quick attempts instead of a day's)."""
        name = "s3-" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:60]
        error = None
        for attempt in range(LOCAL_START_ATTEMPTS):
            try:
                sfn.start_execution(stateMachineArn=self.deployed.state_machine_arn, name=name, input=body)
                return
            except sfn.exceptions.ExecutionAlreadyExists:
                log.info("event already started execution %s", name)
                return
            except ClientError as exc:
                error = exc
                time.sleep(0.1 * 2**attempt)
        assert error is not None
        code = str(error.response.get("Error", {}).get("Code") or "ClientError")
        log.warning("upload event parked in the dead-letter queue: %s", code)
        if self.event_dead_letter_url:
            self.client("sqs").send_message(
                QueueUrl=self.event_dead_letter_url,
                MessageBody=body,
                MessageAttributes={
                    "ERROR_CODE": {"DataType": "String", "StringValue": code},
                    "ERROR_MESSAGE": {"DataType": "String", "StringValue": str(error)[:1000]},
                },
            )

    # ------------------------------------------------------------------ helpers for callers
    def invoke(self, logical_id: str, event: Any) -> Any:
        """Invoke one function's real handler directly (used by the API adapter)."""
        assert self.runtime is not None
        payload, errored = self.runtime.invoke(self.deployed.functions[logical_id].name, event)
        result = json.loads(payload)
        if errored:
            raise RuntimeError(
                f"{logical_id} failed: {result.get('errorType')}: {result.get('errorMessage')}"
            )
        return result

    def wait_for_executions(self, timeout: float = 120.0, expected: int = 1) -> list[dict[str, Any]]:
        """Wait until at least `expected` executions exist and none is running; return their descriptions."""
        sfn = self.client("stepfunctions")
        deadline = time.time() + timeout
        while time.time() < deadline:
            pages = sfn.get_paginator("list_executions").paginate(
                stateMachineArn=self.deployed.state_machine_arn
            )
            executions = [e for page in pages for e in page["executions"]]
            if len(executions) >= expected and all(e["status"] != "RUNNING" for e in executions):
                return [sfn.describe_execution(executionArn=e["executionArn"]) for e in executions]
            time.sleep(0.1)
        raise TimeoutError("executions still running")

    def scoring_execution(self, application_id: str) -> dict[str, Any] | None:
        """The description (start and stop dates, input, output) of the execution that scored the application."""
        sfn = self.client("stepfunctions")
        pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=self.deployed.state_machine_arn)
        for execution in (e for page in pages for e in page["executions"]):
            described: dict[str, Any] = sfn.describe_execution(executionArn=execution["executionArn"])
            output = described.get("output", "")
            if application_id in output and '"status": "scored"' in output:
                return described
        return None

    def state_times(self, application_id: str) -> list[tuple[str, float, int]]:
        """(state, seconds, times entered) for the execution that scored the application, from its history;
        a state entered several times (Map iterations) reports its longest run."""
        execution = self.scoring_execution(application_id)
        return [] if execution is None else self.execution_state_times(execution)

    def execution_state_times(self, execution: dict[str, Any]) -> list[tuple[str, float, int]]:
        """`state_times` for an execution already described (see `scoring_execution`)."""
        events = self.client("stepfunctions").get_execution_history(
            executionArn=execution["executionArn"], maxResults=1000
        )["events"]
        entered: dict[str, list[Any]] = {}
        runs: dict[str, list[float]] = {}
        for event in events:
            if "stateEnteredEventDetails" in event:
                entered.setdefault(event["stateEnteredEventDetails"]["name"], []).append(event["timestamp"])
            elif "stateExitedEventDetails" in event:
                name = event["stateExitedEventDetails"]["name"]
                if entered.get(name):
                    seconds = (event["timestamp"] - entered[name].pop(0)).total_seconds()
                    runs.setdefault(name, []).append(seconds)
        return [(name, max(seconds), len(seconds)) for name, seconds in runs.items()]

    def inject_faults(
        self, logical_id: str, error_type: str, message: str = "injected fault", times: int = 1
    ) -> None:
        assert self.runtime is not None
        self.runtime.pools[self.deployed.functions[logical_id].name].inject_faults(error_type, message, times)

    def inject_hangs(self, logical_id: str, seconds: float, times: int = 1) -> None:
        assert self.runtime is not None
        self.runtime.pools[self.deployed.functions[logical_id].name].inject_hangs(seconds, times)

    def pool(self, logical_id: str) -> Any:
        assert self.runtime is not None
        return self.runtime.pools[self.deployed.functions[logical_id].name]

    def reconfigure_function(
        self,
        logical_id: str,
        *,
        env: dict[str, str] | None = None,
        timeout: int | None = None,
        memory_mb: int | None = None,
    ) -> FunctionSpec:
        """Change a function's environment, timeout or memory size as a redeploy would (its warm workers are
        retired); returns the previous configuration for `restore_function`."""
        previous = self.deployed.functions[logical_id]
        changed = dataclasses.replace(
            previous,
            environment={**previous.environment, **(env or {})},
            timeout=previous.timeout if timeout is None else timeout,
            memory_mb=previous.memory_mb if memory_mb is None else memory_mb,
        )
        self.restore_function(logical_id, changed)
        return previous

    def restore_function(self, logical_id: str, spec: FunctionSpec) -> None:
        pool = self.pool(logical_id)
        pool.stop()
        pool.spec = spec
        self.deployed.functions[logical_id] = spec


def _is_tls_only(statement: dict[str, Any]) -> bool:
    return statement.get("Effect") == "Deny" and "aws:SecureTransport" in json.dumps(
        statement.get("Condition", {})
    )


@contextlib.contextmanager
def local_stack(**kwargs: Any) -> Any:
    with LocalStack(**kwargs) as stack:
        yield stack


def repo_path(*parts: str) -> Path:
    return REPO_ROOT.joinpath(*parts)
