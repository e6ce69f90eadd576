"""Provisioning: every resource of template.yaml created on moto, in dependency order, with intrinsics resolved.

Data and messaging resources are created by `resources.py`; this module creates what runs code (functions with
their roles and template policies, registered with the local Lambda runtime; state machines with their
`DefinitionSubstitutions`), routes the upload rule (see `route_uploads`), and stands in for what exists only in AWS
(layers, the HTTP API, CloudFront). A type the template gains and nothing here creates fails the start.
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from credscore_local.deployment import PSEUDO_PARAMETERS, Deployed, arn, aws_client
from credscore_local.lambda_runtime import LocalLambdaRuntime
from credscore_local.resources import CREATORS
from credscore_local.template import REPO_ROOT, Resolver, creation_order, function_specs

# Local-only: moto delivers EventBridge rule targets only to SQS; this queue stands in for the Step Functions target.
EVENT_QUEUE = "credscore-local-eventbridge-to-sfn"
UPLOAD_RULE = "credscore-local-upload-arrived"


class Provisioner:
    """Creates the template's resources through `endpoint` and fills `deployed` with their names and ARNs."""

    def __init__(
        self,
        endpoint: str,
        template: dict[str, Any],
        parameters: dict[str, Any],
        runtime: LocalLambdaRuntime,
        deployed: Deployed,
    ) -> None:
        self.endpoint = endpoint
        self.template = template
        self.parameters = parameters
        self.runtime = runtime
        self.deployed = deployed
        self._creators: dict[str, Callable[[str, dict[str, Any], Resolver], None]] = {
            "AWS::Serverless::Function": self._create_function,
            "AWS::Serverless::StateMachine": self._create_state_machine,
            "AWS::Serverless::LayerVersion": self._create_layer,
            "AWS::Serverless::HttpApi": self._create_http_api,
            "AWS::CloudFront::OriginAccessControl": self._create_origin_access_control,
            "AWS::CloudFront::Distribution": self._create_distribution,
        }

    def client(self, service: str) -> Any:
        return aws_client(self.endpoint, service)

    def deploy(self) -> None:
        resources: dict[str, Any] = self.template["Resources"]
        resolver = Resolver(parameters=self.parameters, pseudo=PSEUDO_PARAMETERS)
        for logical in creation_order(_creatable(resources)):
            body = resources[logical]
            props = body.get("Properties", {})
            if body["Type"] in CREATORS:
                CREATORS[body["Type"]](self, logical, props, resolver)
            elif body["Type"] in self._creators:
                self._creators[body["Type"]](logical, props, resolver)
            else:
                raise NotImplementedError(f"local stack cannot create {body['Type']} ({logical})")
        self.deployed.refs = resolver.refs
        self.deployed.attributes = resolver.attributes

    def _service_role(self, role_name: str, service: str) -> str:
        """An IAM role that `service` may assume; returns its ARN."""
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
        role = self.client("iam").create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))
        return str(role["Role"]["Arn"])

    def _create_function(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
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
        self.runtime.register(spec, fn["FunctionArn"])

    def _create_state_machine(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        definition = (REPO_ROOT / props["DefinitionUri"]).read_text(encoding="utf-8")
        for var, value in r.resolve(props.get("DefinitionSubstitutions", {})).items():
            definition = definition.replace("${" + var + "}", str(value))
        role_arn = self._service_role(f"{r.resolve(props['Name'])}-role", "states.amazonaws.com")
        state_machine_arn = self.client("stepfunctions").create_state_machine(
            name=r.resolve(props["Name"]),
            definition=definition,
            roleArn=role_arn,
            type=props.get("Type", "STANDARD"),
        )["stateMachineArn"]
        r.refs[logical] = state_machine_arn
        r.attributes[(logical, "Name")] = r.resolve(props["Name"])
        if props.get("Events") or not self.deployed.state_machine_arn:
            # `state_machine_arn` is the scoring pipeline's (the one uploads start); others are found by refs.
            self.deployed.state_machine_arn = state_machine_arn
        for event in props.get("Events", {}).values():
            if event["Type"] == "EventBridgeRule":
                rule = r.resolve(event["Properties"])
                self.route_uploads(rule["Pattern"], rule.get("InputTransformer"))
                if "DeadLetterConfig" in rule:
                    queue_name = rule["DeadLetterConfig"]["Arn"].rsplit(":", 1)[-1]
                    self.deployed.event_dead_letter_url = self.client("sqs").get_queue_url(
                        QueueName=queue_name
                    )["QueueUrl"]

    def route_uploads(self, pattern: dict[str, Any], transformer: dict[str, Any] | None = None) -> None:
        """The rule, its pattern and its input transformer are the template's; moto delivers rule targets only to
        SQS, so the last hop (SQS → StartExecution, which EventBridge does itself in AWS) is pumped by
        `event_pump.UploadEventPump`."""
        sqs = self.client("sqs")
        queue_url = sqs.create_queue(QueueName=EVENT_QUEUE)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events = self.client("events")
        events.put_rule(Name=UPLOAD_RULE, EventPattern=json.dumps(pattern))
        target: dict[str, Any] = {"Id": "sfn", "Arn": queue_arn}
        if transformer:
            target["InputTransformer"] = transformer
        events.put_targets(Rule=UPLOAD_RULE, Targets=[target])
        self.deployed.event_queue_url = queue_url

    def _create_layer(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        # Layers are put on each worker's sys.path (src/) instead of being published.
        r.refs[logical] = arn("lambda", f"layer:{r.resolve(props['LayerName'])}:1")

    def _create_origin_access_control(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        # The page is served locally by `credscore serve`; CloudFront exists only in AWS.
        r.refs[logical] = r.attributes[(logical, "Id")] = "local-oac"

    def _create_distribution(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        r.refs[logical] = r.attributes[(logical, "Id")] = "LOCALDIST"
        r.attributes[(logical, "DomainName")] = "localhost"

    def _create_http_api(self, logical: str, props: dict[str, Any], r: Resolver) -> None:
        # Served by credscore_local.api_adapter with the same authorizer and route.
        r.refs[logical] = "local"


def _creatable(resources: dict[str, Any]) -> dict[str, Any]:
    """Resources as creation order reads them: a function's `Events` (HTTP API routes, stream and queue sources)
    are wired after creation and carry no creation dependency."""
    return {
        name: {
            "Properties": {
                k: v
                for k, v in body.get("Properties", {}).items()
                if not (k == "Events" and body["Type"] == "AWS::Serverless::Function")
            }
        }
        for name, body in resources.items()
    }
