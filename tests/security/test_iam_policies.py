"""Least privilege, read from template.yaml: each function may do exactly what its job needs, on its own resources.

The expected matrix below is the reviewed contract; widening a policy in the template makes this test fail until
the matrix is changed too, in the same review.
"""

from __future__ import annotations

from typing import Any

import pytest

from credscore_local.template import Resolver, load_template, parameter_defaults

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]

RESOLVER = Resolver(
    parameters=parameter_defaults(TEMPLATE),
    pseudo={"AWS::Partition": "aws", "AWS::Region": "r", "AWS::AccountId": "1"},
    refs={
        "ApplicationsTable": "apps",
        "IdempotencyTable": "idem",
        "DataBucket": "bucket",
        "ScoringConfigParameter": "/credscore/dev/scoring-config",
        "ScoringStateMachine": "SM",
        "DataKey": "key",
    },
    attributes={
        ("ApplicationsTable", "Arn"): "TABLE",
        ("IdempotencyTable", "Arn"): "IDEMTABLE",
        ("DataBucket", "Arn"): "BUCKET",
        ("DataKey", "Arn"): "KEY",
        ("ApplicationsTable", "StreamArn"): "STREAM",
        ("WebhookQueue", "Arn"): "WHQUEUE",
        ("WebhookDeadLetterQueue", "Arn"): "WHDLQ",
    },
)

CONFIG = "arn:aws:ssm:r:1:parameter/credscore/dev/scoring-config"
TOKEN = "arn:aws:ssm:r:1:parameter/credscore/dev/x-bearer-token"
CANDIDATES = "arn:aws:ssm:r:1:parameter/credscore/dev/scoring-candidates/*"

# function → {(action, resource)} it is allowed.
_STORES_ITS_RESULT = {
    ("s3:PutObject", "BUCKET/work/*/analysis/*"),
    ("s3:DeleteObject", "BUCKET/work/*/analysis/*"),
    ("dynamodb:GetItem", "TABLE"),
    ("kms:Decrypt", "KEY"),
    ("kms:GenerateDataKey", "KEY"),
}
EXPECTED: dict[str, set[tuple[str, str]]] = {
    "ReceiveUploadFunction": {
        ("dynamodb:GetItem", "TABLE"),
        ("dynamodb:UpdateItem", "TABLE"),
        ("dynamodb:PutItem", "TABLE"),
        ("s3:DeleteObject", "BUCKET/uploads/*"),  # a late upload, deleted at once
        # whether a claim's execution ended parked (the replay takes its claim over)
        ("states:DescribeExecution", "arn:aws:states:r:1:execution:credscore-dev-scoring:*"),
        ("kms:Decrypt", "KEY"),
        ("kms:GenerateDataKey", "KEY"),
    },
    "IngestFunction": {
        ("s3:GetObject", "BUCKET/uploads/*"),
        ("s3:PutObject", "BUCKET/work/*"),
        ("s3:DeleteObject", "BUCKET/work/*"),  # its own work files, when erased while it wrote them
        ("s3:ListBucket", "BUCKET"),
        ("dynamodb:GetItem", "TABLE"),
        ("dynamodb:UpdateItem", "TABLE"),
        ("ssm:GetParameter", TOKEN),
        ("kms:Decrypt", "KEY"),
        ("kms:GenerateDataKey", "KEY"),
    },
    # Each analysis stores its result under work/<id>/analysis/ (not in the execution's history) and asks the
    # table whether the application was erased meanwhile.
    "AnalyzeTextFunction": {("s3:GetObject", "BUCKET/work/*"), *_STORES_ITS_RESULT},
    "AnalyzeProfanityFunction": {("s3:GetObject", "BUCKET/work/*"), *_STORES_ITS_RESULT},
    "AnalyzeImagesFunction": {
        ("s3:GetObject", "BUCKET/uploads/*"),
        ("s3:GetObject", "BUCKET/work/*"),
        *_STORES_ITS_RESULT,
    },
    "ScoreFunction": {
        ("s3:GetObject", "BUCKET/uploads/*"),
        ("s3:GetObject", "BUCKET/work/*"),
        ("s3:DeleteObject", "BUCKET/uploads/*"),
        ("s3:DeleteObject", "BUCKET/work/*"),
        ("s3:ListBucket", "BUCKET"),
        ("dynamodb:GetItem", "TABLE"),
        ("dynamodb:PutItem", "TABLE"),
        ("dynamodb:UpdateItem", "TABLE"),
        ("ssm:GetParameter", CONFIG),
        ("ssm:GetParameterHistory", CONFIG),
        ("kms:Decrypt", "KEY"),
        ("kms:GenerateDataKey", "KEY"),
    },
    "RecordFailureFunction": {
        ("dynamodb:GetItem", "TABLE"),
        ("dynamodb:UpdateItem", "TABLE"),
        ("dynamodb:PutItem", "TABLE"),
        ("s3:DeleteObject", "BUCKET/uploads/*"),
        ("s3:DeleteObject", "BUCKET/work/*"),
        ("s3:ListBucket", "BUCKET"),
        ("kms:Decrypt", "KEY"),
        ("kms:GenerateDataKey", "KEY"),
    },
    "CloseStaleFunction": {
        ("dynamodb:Query", "TABLE/index/collecting"),
        ("dynamodb:GetItem", "TABLE"),  # whether an application nothing was uploaded for has an X handle
        ("dynamodb:UpdateItem", "TABLE"),
        ("dynamodb:PutItem", "TABLE"),
        ("s3:ListBucket", "BUCKET"),
        ("states:StartExecution", "SM"),
        ("kms:Decrypt", "KEY"),
        ("kms:GenerateDataKey", "KEY"),
    },
    "PartnerAuthorizerFunction": {("dynamodb:GetItem", "TABLE"), ("kms:Decrypt", "KEY")},
    # Model operations: candidates are read only by the shadow job, never by the scoring functions.
    "ShadowPlanFunction": {
        ("ssm:GetParameter", CONFIG),
        ("ssm:GetParameterHistory", CONFIG),
        ("ssm:GetParameter", CANDIDATES),
        ("kms:Decrypt", "KEY"),  # its environment is encrypted with the data key
    },
    "ShadowPageFunction": {
        ("dynamodb:Scan", "TABLE"),
        ("ssm:GetParameter", CONFIG),
        ("ssm:GetParameter", CANDIDATES),
        ("s3:PutObject", "BUCKET/work/shadow/*"),
        ("kms:Decrypt", "KEY"),
        ("kms:GenerateDataKey", "KEY"),
    },
    "ShadowReportFunction": {
        ("s3:GetObject", "BUCKET/work/shadow/*"),
        ("s3:PutObject", "BUCKET/work/shadow/*"),
        ("s3:ListBucket", "BUCKET"),
        ("kms:Decrypt", "KEY"),
        ("kms:GenerateDataKey", "KEY"),
    },
    "MonitorFunction": {
        ("dynamodb:Scan", "TABLE"),
        ("dynamodb:Query", "TABLE"),
        ("dynamodb:PutItem", "TABLE"),
        ("ssm:GetParameter", CONFIG),
        ("ssm:GetParameterHistory", CONFIG),
        ("kms:Decrypt", "KEY"),
        ("kms:GenerateDataKey", "KEY"),
    },
    "ApiFunction": {
        *{
            (a, r)
            for a in (
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:Query",
            )
            for r in ("TABLE", "TABLE/index/by-partner")
        },
        *{
            (a, "IDEMTABLE")
            for a in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
        },
        ("dynamodb:BatchWriteItem", "TABLE"),
        ("dynamodb:BatchGetItem", "TABLE"),  # the webhook log's newest records
        ("dynamodb:ConditionCheckItem", "TABLE"),
        ("s3:PutObject", "BUCKET/uploads/*"),
        ("s3:DeleteObject", "BUCKET/uploads/*"),
        ("s3:DeleteObject", "BUCKET/work/*"),
        ("s3:ListBucket", "BUCKET"),
        ("ssm:GetParameter", CONFIG),
        ("ssm:GetParameterHistory", CONFIG),
        ("states:StartExecution", "SM"),
        ("kms:Decrypt", "KEY"),
        ("kms:GenerateDataKey", "KEY"),
        ("kms:Encrypt", "KEY"),  # webhook signing secrets (encryption context purpose=webhook-secret)
    },
    "WebhookDispatchFunction": {
        ("dynamodb:GetItem", "TABLE"),
        ("dynamodb:PutItem", "TABLE"),
        ("dynamodb:UpdateItem", "TABLE"),  # a logged delivery marked queued once its message is sent
        *{
            (a, "STREAM")
            for a in (
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            )
        },
        ("sqs:SendMessage", "WHQUEUE"),
        ("kms:Decrypt", "KEY"),
        ("kms:GenerateDataKey", "KEY"),
    },
    "WebhookDeliverFunction": {
        ("dynamodb:GetItem", "TABLE"),
        ("dynamodb:UpdateItem", "TABLE"),
        *{
            (a, "WHQUEUE")
            for a in (
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ChangeMessageVisibility",
            )
        },
        ("sqs:SendMessage", "WHDLQ"),
        ("sqs:SendMessage", "WHQUEUE"),  # a replayed event is queued again with a new start
        ("kms:Decrypt", "KEY"),
        ("kms:GenerateDataKey", "KEY"),
    },
}


def _grants(logical: str) -> set[tuple[str, str]]:
    grants: set[tuple[str, str]] = set()
    for policy in RESOURCES[logical]["Properties"]["Policies"]:
        for statement in RESOLVER.resolve(policy["Statement"]):
            assert statement["Effect"] == "Allow"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            grants |= {(a, r) for a in actions for r in resources}
    return grants


FUNCTIONS = [k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"]


def test_every_function_is_in_the_reviewed_matrix() -> None:
    assert set(FUNCTIONS) == set(EXPECTED)


@pytest.mark.parametrize("logical", FUNCTIONS)
def test_function_policy_matches_the_reviewed_matrix(logical: str) -> None:
    assert _grants(logical) == EXPECTED[logical]


def test_only_the_pipeline_end_states_the_api_and_the_erasure_checks_can_delete_data() -> None:
    deleters = {
        f
        for f in FUNCTIONS
        if any(a.startswith("s3:Delete") or a == "dynamodb:DeleteItem" for a, _ in _grants(f))
    }
    # ReceiveUpload deletes late uploads, Ingest and the analyses their own work files on erasure
    # (credscore_aws.logic.erasure), the analyses only under analysis/.
    assert deleters == {
        "ScoreFunction",
        "RecordFailureFunction",
        "ApiFunction",
        "ReceiveUploadFunction",
        "IngestFunction",
        "AnalyzeTextFunction",
        "AnalyzeProfanityFunction",
        "AnalyzeImagesFunction",
    }
    for analysis in ("AnalyzeTextFunction", "AnalyzeProfanityFunction", "AnalyzeImagesFunction"):
        assert {r for a, r in _grants(analysis) if a.startswith("s3:Delete")} == {"BUCKET/work/*/analysis/*"}


def test_list_bucket_is_limited_by_prefix_for_ingest() -> None:
    statements: list[dict[str, Any]] = [
        s
        for p in RESOURCES["IngestFunction"]["Properties"]["Policies"]
        for s in p["Statement"]
        if "s3:ListBucket" in s["Action"]
    ]
    # uploads/: the parts it reads; work/: its own files, removed when it meets the erasure
    assert statements[0]["Condition"]["StringLike"]["s3:prefix"] == ["uploads/*", "work/*"]


def test_state_machine_invokes_only_its_own_functions() -> None:
    invoked = {
        p["LambdaInvokePolicy"]["FunctionName"]["Ref"]
        for p in RESOURCES["ScoringStateMachine"]["Properties"]["Policies"]
        if "LambdaInvokePolicy" in p
    }
    subs = RESOURCES["ScoringStateMachine"]["Properties"]["DefinitionSubstitutions"]
    assert invoked == {v["Fn::GetAtt"][0] for v in subs.values() if "Fn::GetAtt" in v}
    # The one other substitution is the queue ParkUploadEvent sends to (its grant: tests/infra/test_template.py).
    assert [v for v in subs.values() if "Fn::GetAtt" not in v] == [{"Ref": "UploadEventsDeadLetterQueue"}]


def test_the_local_stack_enforces_each_functions_policy_on_its_calls(stack: Any) -> None:
    """A handler asked to read outside its grant (analyze_text may read work/ only) is refused as AWS would."""
    s3 = stack.client("s3")
    s3.put_object(Bucket=stack.deployed.bucket, Key="elsewhere/" + "a" * 32 + "/profile.json", Body=b"{}")
    try:
        with pytest.raises(RuntimeError, match=r"AccessDenied.*s3:GetObject.*elsewhere/"):
            stack.invoke(
                "AnalyzeTextFunction",
                {"application_id": "a" * 32, "profile": "elsewhere/" + "a" * 32 + "/profile.json"},
            )
    finally:
        s3.delete_object(Bucket=stack.deployed.bucket, Key="elsewhere/" + "a" * 32 + "/profile.json")


def test_only_the_shadow_job_reads_candidate_configurations() -> None:
    readers = {f for f in FUNCTIONS if any(r == CANDIDATES for _, r in _grants(f))}
    assert readers == {"ShadowPlanFunction", "ShadowPageFunction"}


def test_the_shadow_state_machine_invokes_only_its_own_functions_and_starts_only_itself() -> None:
    props = RESOURCES["ShadowStateMachine"]["Properties"]
    invoked = {
        p["LambdaInvokePolicy"]["FunctionName"]["Ref"] for p in props["Policies"] if "LambdaInvokePolicy" in p
    }
    assert invoked == {v["Fn::GetAtt"][0] for v in props["DefinitionSubstitutions"].values()}
    statements = [s for p in props["Policies"] if "Statement" in p for s in RESOLVER.resolve(p["Statement"])]
    starts = [s for s in statements if "states:StartExecution" in s["Action"]]
    assert [s["Resource"] for s in starts] == ["arn:aws:states:r:1:stateMachine:credscore-dev-shadow"]
