"""events/: one sample event per function, each valid against what its handler parses (no AWS needed)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote_plus

import pytest
from aws_lambda_powertools.utilities.parser import models

from credscore.application import image_batch_key, parse_upload_key, profile_key
from credscore_aws.models.states import RECEIVE_UPLOAD_INPUT, UploadArrived
from credscore_cli.invoke import EVENTS_DIR, function_names, sample_event
from credscore_local.template import REPO_ROOT, load_template

FUNCTIONS = {
    logical: Path(str(body["Properties"]["CodeUri"])).name
    for logical, body in load_template()["Resources"].items()
    if body["Type"] == "AWS::Serverless::Function"
}


def _event(folder: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS_DIR / f"{folder}.json").read_text(encoding="utf-8"))
    return event


def _handler_module(folder: str) -> ModuleType:
    """functions/<folder>/app.py under a unique name (every handler module is called `app`)."""
    name = f"_handler_{folder}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "functions" / folder / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_every_function_has_exactly_one_sample_event() -> None:
    assert sorted(p.stem for p in EVENTS_DIR.glob("*.json")) == sorted(FUNCTIONS.values())
    for logical, folder in FUNCTIONS.items():
        assert sample_event(logical) == EVENTS_DIR / f"{folder}.json"
        assert function_names()[folder] == logical


@pytest.mark.parametrize("folder", ["ingest"])
def test_ingest_event(folder: str) -> None:
    request = _handler_module(folder).IngestRequest.model_validate(_event(folder))
    assert len(request.application_id) == 32


@pytest.mark.parametrize("folder", ["analyze_text", "analyze_profanity"])
def test_analysis_events(folder: str) -> None:
    from credscore_aws.dal.analysis_io import AnalysisRequest

    request = AnalysisRequest.model_validate(_event(folder))
    assert request.profile == profile_key(request.application_id)


def test_analyze_images_event() -> None:
    request = _handler_module("analyze_images").ImageBatchRequest.model_validate(_event("analyze_images"))
    assert request.batch == image_batch_key(request.application_id, 0)


def test_score_event_is_the_parallel_states_output_the_scorer_reads() -> None:
    from credscore_aws.logic.scoring import evidence_from_branches

    event = _event("score")
    request = _handler_module("score").ScoreRequest.model_validate(event)
    evidence, failures = evidence_from_branches(request.analyses)
    assert failures == []
    assert (evidence.text.status, evidence.profanity.status, evidence.images.status) == ("ok", "ok", "ok")


def test_record_failure_event_is_a_catch_result() -> None:
    code, message = _handler_module("record_failure").describe_error(_event("record_failure")["error"])
    assert code == "NoUsableSource"
    assert message.startswith("no source could be read")


def _s3_object_created(key: str) -> dict[str, Any]:
    """S3's whole Object Created event as EventBridge receives it (the fields the AWS documentation lists)."""
    return {
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "time": "2026-12-01T10:15:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:s3:::credscore-dev-data-123456789012-us-east-1"],
        "detail": {
            "version": "0",
            "bucket": {"name": "credscore-dev-data-123456789012-us-east-1"},
            "object": {
                "key": key,
                "size": 48213,
                "etag": "b1946ac92492d2347c6235b4d2611184",
                "sequencer": "00617F08299329D189",
            },
            "request-id": "N4N7GDK58NMKJ12R",
            "requester": "123456789012",
            "source-ip-address": "203.0.113.15",
            "reason": "PostObject",
        },
    }


def _transformed(event: dict[str, Any], transformer: dict[str, Any]) -> Any:
    """EventBridge's input transformer for the paths and template the rule uses: `$.a.b` paths, a string inside
    quotes, a number bare."""
    text = transformer["InputTemplate"]
    for name, path in transformer["InputPathsMap"].items():
        value: Any = event
        for part in path.removeprefix("$.").split("."):
            value = value[part]
        text = text.replace(f'"<{name}>"', json.dumps(value)).replace(f"<{name}>", json.dumps(value))
    return json.loads(text)


def test_receive_upload_event_is_what_the_rule_passes_on_of_s3s_event() -> None:
    # ReceiveUpload's Parameters wrap the execution's input with the execution's id.
    request = _event("receive_upload")
    assert request["execution"]
    event = request["event"]
    rule = load_template()["Resources"]["ScoringStateMachine"]["Properties"]["Events"]["UploadArrived"]
    s3_event = _s3_object_created(event["detail"]["object"]["key"])
    models.S3EventNotificationEventBridgeModel.model_validate(s3_event)  # the sample above is S3's real shape
    assert _transformed(s3_event, rule["Properties"]["InputTransformer"]) == event
    assert "203.0.113.15" not in json.dumps(event), (
        "the uploader's address stays out of the execution's input"
    )
    parsed = RECEIVE_UPLOAD_INPUT.validate_python(event)
    assert isinstance(parsed, UploadArrived)
    ref = parse_upload_key(unquote_plus(parsed.detail.object.key))
    assert ref is not None
    assert ref.name == "linkedin/1"


def test_close_stale_event_is_a_scheduled_event() -> None:
    parsed = models.EventBridgeModel.model_validate(_event("close_stale"))
    assert (parsed.source, parsed.detail_type) == ("aws.events", "Scheduled Event")


def test_api_and_authorizer_events_are_http_api_v2_with_the_keys_the_local_adapter_sends() -> None:
    from credscore_local.api_adapter import authorizer_event, build_event

    api = _event("api")
    parsed = models.APIGatewayProxyEventV2Model.model_validate(api)
    assert parsed.requestContext.authorizer is not None
    assert api["requestContext"]["authorizer"]["lambda"]["partner_id"]
    authorizer = _event("authorizer")
    models.ApiGatewayAuthorizerRequestV2.model_validate(authorizer)
    assert authorizer["headers"]["authorization"].startswith("Bearer ")
    local = build_event("GET", "/applications?limit=10", {"Authorization": "Bearer k"}, b"", "127.0.0.1")
    assert set(local) - {"body"} <= set(api), "AWS leaves `body` out of a GET"
    assert set(authorizer_event(local)) <= set(authorizer)


def test_shadow_job_events_carry_what_its_steps_read() -> None:
    plan = _event("shadow_plan")
    assert plan["candidate"]
    assert plan["segments"] >= 1
    page, report = _event("shadow_page"), _event("shadow_report")
    assert page["job"] == report["job"]
    job = page["job"]
    for key in ("job_id", "candidate", "active_parameter_version", "total_segments", "page_size"):
        assert key in job, key
    assert 0 <= page["segment"] < job["total_segments"]


def test_monitor_event_is_a_scheduled_event_with_the_time_it_reads() -> None:
    event = _event("monitor")
    parsed = models.EventBridgeModel.model_validate(event)
    assert parsed.detail_type == "Scheduled Event"
    assert _handler_module("monitor")._event_time(event).isoformat() == "2026-11-30T03:00:00+00:00"


def test_webhook_dispatch_event_is_a_stream_record_of_a_move_into_scored() -> None:
    from credscore_aws.logic.webhooks import transition_event

    event = _event("webhook_dispatch")
    models.DynamoDBStreamModel.model_validate(event)
    found = transition_event(event["Records"][0])
    assert found is not None
    partner_id, payload = found
    assert (partner_id, payload["type"], payload["status"]) == ("partner-1", "application.scored", "scored")


def test_webhook_deliver_event_is_an_sqs_message_with_a_queued_delivery() -> None:
    event = _event("webhook_deliver")
    parsed = models.SqsModel.model_validate(event)
    message = json.loads(parsed.Records[0].body)
    assert {"partner_id", "log_sk", "event", "queued_at"} <= set(message)
    assert message["log_sk"] == f"DELIVERY#{message['event']['id']}"
