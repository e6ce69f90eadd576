"""Creators of the template's data and messaging resources on moto: the KMS key, log groups, buckets and their
policies, tables, the SSM configuration, queues and their policies, topics and alarms.

Each creator takes a resource's `Properties` as template.yaml writes them, creates it through the local endpoint
with the same settings, and records its `Ref` and `Fn::GetAtt` values in the resolver for the resources after it.
Functions, state machines and what exists only in AWS are in `provisioning.py`, which dispatches to these.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from credscore_local.deployment import REGION, Deployed, arn
from credscore_local.template import Resolver


class Target(Protocol):
    """Where resources are created (the provisioner)."""

    deployed: Deployed

    def client(self, service: str) -> Any: ...


Creator = Callable[[Target, str, dict[str, Any], Resolver], None]


def create_kms_key(target: Target, logical: str, props: dict[str, Any], r: Resolver) -> None:
    key = target.client("kms").create_key(Description=r.resolve(props.get("Description", "")))["KeyMetadata"]
    r.refs[logical] = key["KeyId"]
    r.attributes[(logical, "Arn")] = key["Arn"]


def create_log_group(target: Target, logical: str, props: dict[str, Any], r: Resolver) -> None:
    name = r.resolve(props["LogGroupName"])
    logs = target.client("logs")
    kms = {"kmsKeyId": r.resolve(props["KmsKeyId"])} if "KmsKeyId" in props else {}
    logs.create_log_group(logGroupName=name, **kms)
    logs.put_retention_policy(logGroupName=name, retentionInDays=int(r.resolve(props["RetentionInDays"])))
    r.refs[logical] = name
    r.attributes[(logical, "Arn")] = arn("logs", f"log-group:{name}:*")


def create_bucket(target: Target, logical: str, props: dict[str, Any], r: Resolver) -> None:
    p = r.resolve(props)
    name = p.get("BucketName") or f"credscore-local-{logical.lower()}"
    s3 = target.client("s3")
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
        s3.put_bucket_lifecycle_configuration(
            Bucket=name, LifecycleConfiguration={"Rules": _lifecycle_rules(p["LifecycleConfiguration"])}
        )
    if "CorsConfiguration" in p:
        cors = [
            {("MaxAgeSeconds" if k == "MaxAge" else k): v for k, v in rule.items()}
            for rule in p["CorsConfiguration"]["CorsRules"]
        ]
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": cors})
    if p.get("NotificationConfiguration", {}).get("EventBridgeConfiguration", {}).get("EventBridgeEnabled"):
        s3.put_bucket_notification_configuration(
            Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
    r.refs[logical] = name
    r.attributes[(logical, "Arn")] = f"arn:aws:s3:::{name}"
    r.attributes[(logical, "RegionalDomainName")] = f"{name}.s3.{REGION}.amazonaws.com"
    if logical == "DataBucket":
        target.deployed.bucket = name


def _lifecycle_rules(configuration: dict[str, Any]) -> list[dict[str, Any]]:
    rules = []
    for rule in configuration["Rules"]:
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
    return rules


def create_bucket_policy(target: Target, logical: str, props: dict[str, Any], r: Resolver) -> None:
    p = r.resolve(props)
    document = dict(p["PolicyDocument"])
    # moto enforces bucket policies, and the local endpoint is plain HTTP on loopback, so the TLS-only
    # statement cannot hold here; every other statement applies as written (tests check the template).
    document["Statement"] = [s for s in document["Statement"] if not _is_tls_only(s)]
    if document["Statement"]:
        target.client("s3").put_bucket_policy(Bucket=p["Bucket"], Policy=json.dumps(document))
    r.refs[logical] = p["Bucket"]


def _is_tls_only(statement: dict[str, Any]) -> bool:
    return statement.get("Effect") == "Deny" and "aws:SecureTransport" in json.dumps(
        statement.get("Condition", {})
    )


def create_table(target: Target, logical: str, props: dict[str, Any], r: Resolver) -> None:
    p = r.resolve(props)
    ddb = target.client("dynamodb")
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
        target.deployed.table = p["TableName"]


def create_parameter(target: Target, logical: str, props: dict[str, Any], r: Resolver) -> None:
    p = r.resolve(props)
    target.client("ssm").put_parameter(
        Name=p["Name"], Value=p["Value"], Type=p["Type"], Tier=p.get("Tier", "Standard"), Overwrite=True
    )
    r.refs[logical] = p["Name"]
    if logical == "ScoringConfigParameter":
        target.deployed.config_parameter = p["Name"]


def create_queue(target: Target, logical: str, props: dict[str, Any], r: Resolver) -> None:
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
    sqs = target.client("sqs")
    url = sqs.create_queue(QueueName=p["QueueName"], Attributes=attributes)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    r.refs[logical] = url
    r.attributes[(logical, "Arn")] = queue_arn
    r.attributes[(logical, "QueueName")] = p["QueueName"]


def create_queue_policy(target: Target, logical: str, props: dict[str, Any], r: Resolver) -> None:
    p = r.resolve(props)
    for url in p["Queues"]:
        target.client("sqs").set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": json.dumps(p["PolicyDocument"])}
        )
    r.refs[logical] = logical


def create_topic(target: Target, logical: str, props: dict[str, Any], r: Resolver) -> None:
    p = r.resolve(props)
    attributes = {"KmsMasterKeyId": p["KmsMasterKeyId"]} if "KmsMasterKeyId" in p else {}
    r.refs[logical] = target.client("sns").create_topic(Name=p["TopicName"], Attributes=attributes)[
        "TopicArn"
    ]


def create_alarm(target: Target, logical: str, props: dict[str, Any], r: Resolver) -> None:
    # CloudFormation's alarm properties are PutMetricAlarm's parameters.
    p = r.resolve(props)
    target.client("cloudwatch").put_metric_alarm(**p)
    r.refs[logical] = p["AlarmName"]


CREATORS: dict[str, Creator] = {
    "AWS::KMS::Key": create_kms_key,
    "AWS::Logs::LogGroup": create_log_group,
    "AWS::S3::Bucket": create_bucket,
    "AWS::S3::BucketPolicy": create_bucket_policy,
    "AWS::DynamoDB::Table": create_table,
    "AWS::SSM::Parameter": create_parameter,
    "AWS::SQS::Queue": create_queue,
    "AWS::SQS::QueuePolicy": create_queue_policy,
    "AWS::SNS::Topic": create_topic,
    "AWS::CloudWatch::Alarm": create_alarm,
}
