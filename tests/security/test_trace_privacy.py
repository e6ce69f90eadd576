"""What X-Ray keeps: trace data stays 30 days and nothing deletes one application's part of it, so an erasure
cannot reach it. Traces must hold no answer of a function (a result, an applicant's token or link, a webhook's
secret) and no URL naming an applicant (the X API's paths name the handle and the account id).

The local stack runs without X-Ray, so this runs the real runtime's tracer as Lambda does (LAMBDA_TASK_ROOT set,
the template's Globals environment), in a fresh interpreter: the tracer's settings are process-wide."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from credscore_local.template import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = load_template()

PROBE = r"""
import contextlib, json, sys
from aws_xray_sdk.core import patcher
from credscore_aws.runtime import tracer

recorded = []

class Subsegment:
    def put_metadata(self, key, value, namespace="default"):
        recorded.append(key)
    def put_annotation(self, key, value):
        pass

@contextlib.contextmanager
def in_subsegment(name=None, **kwargs):
    yield Subsegment()

tracer.provider.in_subsegment = in_subsegment

@tracer.capture_lambda_handler
def lambda_handler(event, context):
    return {"applicant_token": "tok_secret", "secret": "whsec_secret"}

lambda_handler({}, None)
print(json.dumps({"metadata": recorded, "patched": sorted(patcher._PATCHED_MODULES)}))
"""


def _traced_like_lambda() -> dict[str, Any]:
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_")},
        **{k: str(v) for k, v in variables.items() if isinstance(v, str)},
        "LAMBDA_TASK_ROOT": str(REPO),  # tracing is on only inside Lambda
        "AWS_REGION": "us-east-1",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_no_function_answer_is_kept_in_a_trace() -> None:
    traced = _traced_like_lambda()
    assert not [key for key in traced["metadata"] if "response" in key], traced["metadata"]
    for name, resource in TEMPLATE["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            own = ((resource["Properties"].get("Environment") or {}).get("Variables")) or {}
            assert "POWERTOOLS_TRACER_CAPTURE_RESPONSE" not in own, f"{name} turns it on again"


def test_only_aws_calls_are_traced_not_the_x_apis_urls() -> None:
    """botocore's calls name tables, buckets and keys (ids, no names); `requests` carries the X API's calls, whose
    URLs name the applicant's handle (/2/users/by/username/<handle>) and account."""
    assert _traced_like_lambda()["patched"] == ["botocore"]
