"""What the parts of the local stack share: the fake account, clients of the local endpoint, what was deployed,
and `RunningStack`, the view of a running stack the parts are handed (so none of them imports the facade in
`stack.py`, which imports them all).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any, Protocol

import boto3
from botocore.config import Config

from credscore_local.template import FunctionSpec

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
PSEUDO_PARAMETERS = {
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "credscore-local",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def aws_client(endpoint: str, service: str) -> Any:
    """A boto3 client of the local endpoint."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        config=Config(signature_version="s3v4", retries={"max_attempts": 2}),
    )


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{resource}"


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
    # The local-only queue that stands in for EventBridge's Step Functions target, and the rule's dead-letter queue.
    event_queue_url: str = ""
    event_dead_letter_url: str | None = None


class RunningStack(Protocol):
    """What the event pumps, the API adapter and the partner helper need of a started stack."""

    endpoint: str
    template: dict[str, Any]
    parameters: dict[str, Any]
    deployed: Deployed

    def client(self, service: str) -> Any: ...

    def invoke(self, logical_id: str, event: Any) -> Any: ...
