"""credscore_aws.models.states: every sample event is accepted by its function's input model, and what each state
outputs becomes, through the real ASL (Parameters, ItemSelector, ResultPath of statemachine.asl.json and
shadow.asl.json), an input the next state's model accepts. No AWS needed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from credscore.evidence import AnalysisStatus, ImageAnalysis, NameCounts, ProfanityAnalysis, TextAnalysis
from credscore_aws.logic.failures import describe_error
from credscore_aws.logic.scoring import evidence_from_branches
from credscore_aws.logic.uploads import PARKED_ERROR, describe_parked
from credscore_aws.models import states
from credscore_cli.invoke import EVENTS_DIR
from credscore_local.template import REPO_ROOT

APP = "0f3c8e2a9b7d4c51a6e2f0b9d8c7a6e5"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:credscore-dev-scoring:s3-1234"
PIPELINE = json.loads((REPO_ROOT / "statemachine.asl.json").read_text(encoding="utf-8"))
SHADOW = json.loads((REPO_ROOT / "shadow.asl.json").read_text(encoding="utf-8"))
ANALYSE = {b["StartAt"]: b for b in PIPELINE["States"]["Analyse"]["Branches"]}

# ---------------------------------------------------------------------------------------- a small ASL evaluator


def _path(document: Any, path: str, context: dict[str, Any]) -> Any:
    """A reference path ($.a.b, or $$.… into the context object)."""
    root, rest = (context, path[2:]) if path.startswith("$$") else (document, path[1:])
    value = root
    for part in filter(None, rest.split(".")):
        value = value[part]
    return value


def _parameters(template: Any, document: Any, context: dict[str, Any]) -> Any:
    """Parameters / ItemSelector: keys ending in `.$` take the value at their path, others are literal."""
    if isinstance(template, dict):
        return {
            (k[:-2] if k.endswith(".$") else k): (
                _path(document, v, context) if k.endswith(".$") else _parameters(v, document, context)
            )
            for k, v in template.items()
        }
    return template


def _task_input(state: dict[str, Any], document: Any, context: dict[str, Any] | None = None) -> Any:
    return _parameters(state["Parameters"], document, context or {}) if "Parameters" in state else document


def _with_result(state: dict[str, Any], document: dict[str, Any], result: Any) -> Any:
    """ResultPath: absent → the result replaces the input; null → the input passes on; $.x → set at x."""
    if "ResultPath" not in state:
        return result
    if state["ResultPath"] is None:
        return document
    merged = json.loads(json.dumps(document))
    *parents, leaf = state["ResultPath"][2:].split(".")
    target = merged
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = result
    return merged


def _choice_next(state: dict[str, Any], document: Any) -> str:
    for rule in state["Choices"]:
        value = _path(document, rule["Variable"], {})
        expected = rule.get("BooleanEquals", rule.get("StringEquals"))
        if value == expected:
            return str(rule["Next"])
    return str(state["Default"])


def _out(model: BaseModel) -> Any:
    """What a handler returns: its output model's JSON dump, through JSON as Step Functions carries it."""
    return json.loads(model.model_dump_json(exclude_none=isinstance(model, states.ReceiveUploadOutput)))


def _catch(state: dict[str, Any], document: dict[str, Any], error: str, cause: str) -> tuple[str, Any]:
    """The state's catch-all: where it goes and the document it passes on."""
    rule = next(c for c in state["Catch"] if c["ErrorEquals"] == ["States.ALL"])
    return rule["Next"], _with_result(rule, document, {"Error": error, "Cause": cause})


# ---------------------------------------------------------------------------------------- sample events

INPUTS: dict[str, Any] = {
    "receive_upload": states.ReceiveUploadRequest,
    "ingest": states.IngestInput,
    "analyze_text": states.AnalysisInput,
    "analyze_profanity": states.AnalysisInput,
    "analyze_images": states.ImageBatchInput,
    "score": states.ScoreInput,
    "record_failure": states.RecordFailureInput,
    "shadow_plan": states.ShadowPlanInput,
    "shadow_page": states.ShadowPageInput,
    "shadow_report": states.ShadowReportInput,
    "close_stale": states.ScheduledEvent,
    "monitor": states.ScheduledEvent,
    "webhook_dispatch": states.RecordBatch,
    "webhook_deliver": states.RecordBatch,
}


def _validate(model: Any, event: Any) -> Any:
    return model.validate_python(event) if isinstance(model, TypeAdapter) else model.model_validate(event)


@pytest.mark.parametrize("function", sorted(INPUTS))
def test_each_sample_event_is_accepted_by_its_input_model(function: str) -> None:
    event = json.loads((EVENTS_DIR / f"{function}.json").read_text(encoding="utf-8"))
    parsed = _validate(INPUTS[function], event)
    assert isinstance(parsed, BaseModel)


def test_the_api_and_authorizer_are_the_only_functions_without_a_state_model() -> None:
    assert sorted(p.stem for p in EVENTS_DIR.glob("*.json") if p.stem not in INPUTS) == ["api", "authorizer"]


def test_receive_upload_tells_an_upload_from_a_submit_and_refuses_anything_else() -> None:
    upload = json.loads((EVENTS_DIR / "receive_upload.json").read_text(encoding="utf-8"))["event"]
    assert isinstance(states.RECEIVE_UPLOAD_INPUT.validate_python(upload), states.UploadArrived)
    submit = states.SubmitRequested(action="submit", application_id=APP)
    assert states.RECEIVE_UPLOAD_INPUT.validate_python(submit.model_dump()) == submit
    with pytest.raises(ValueError, match="validation error"):
        states.RECEIVE_UPLOAD_INPUT.validate_python({"application_id": APP})  # no action: not a submit
    with pytest.raises(ValueError, match="validation error"):
        states.RECEIVE_UPLOAD_INPUT.validate_python({"source": "aws.events", "detail": {}})


@pytest.mark.parametrize("started_by", ["upload", "submit"])
def test_receive_upload_gets_the_executions_input_and_arn_through_its_parameters(started_by: str) -> None:
    """Both execution inputs (the S3 event, a submit) reach the handler unchanged, with the execution's ARN."""
    state = PIPELINE["States"]["ReceiveUpload"]
    execution_input = (
        json.loads((EVENTS_DIR / "receive_upload.json").read_text(encoding="utf-8"))["event"]
        if started_by == "upload"
        else {"action": "submit", "application_id": APP}
    )
    context = {"Execution": {"Id": EXECUTION, "Input": execution_input}}
    request = states.ReceiveUploadRequest.model_validate(_task_input(state, execution_input, context))
    assert request.execution == EXECUTION
    assert request.event == states.RECEIVE_UPLOAD_INPUT.validate_python(execution_input)
    with pytest.raises(ValueError, match="validation error"):
        states.ReceiveUploadRequest.model_validate({"event": execution_input, "execution": ""})


@pytest.mark.parametrize("described", [True, False], ids=["described", "function-unreachable"])
def test_a_receive_upload_that_fails_after_its_retries_parks_the_executions_input_then_fails(
    described: bool,
) -> None:
    state = PIPELINE["States"]["ReceiveUpload"]
    execution_input = {"action": "submit", "application_id": APP}
    context = {"Execution": {"Id": EXECUTION, "Input": execution_input}}
    cause = json.dumps(
        {"errorType": "TransientError", "errorMessage": "the table stayed busy", "stackTrace": []}
    )
    target, document = _catch(state, execution_input, "TransientError", cause)
    describe = PIPELINE["States"][target]
    assert describe["Resource"] == "${ReceiveUploadFunctionArn}", "the function that knows its own errors"
    request = states.RECEIVE_UPLOAD_EVENT.validate_python(_task_input(describe, document, context))
    assert isinstance(request, states.DescribeParkedRequest)
    if described:
        target, document = (
            describe["Next"],
            _with_result(describe, document, _out(describe_parked(request.parked))),
        )
    else:  # the function cannot answer (throttled, broken): parked all the same, with a fixed cause
        fallback, document = _catch(describe, document, "Lambda.TooManyRequestsException", "Rate Exceeded.")
        passed = PIPELINE["States"][fallback]
        target, document = passed["Next"], _with_result(passed, document, passed["Result"])
    park = PIPELINE["States"][target]
    assert park["Resource"] == "arn:aws:states:::sqs:sendMessage"
    message = _task_input(park, document, context)
    assert message["QueueUrl"] == "${UploadEventsDeadLetterQueueUrl}"
    assert message["MessageBody"] == execution_input, "the replay starts an execution with the same input"
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "TransientError"
    assert attributes["EXECUTION_ARN"] == EXECUTION
    if described:
        assert attributes["ERROR_MESSAGE"] == "TransientError: the table stayed busy"
    else:
        assert "execution's history" in attributes["ERROR_MESSAGE"]
    end = PIPELINE["States"][park["Next"]]
    assert (end["Type"], end["Error"]) == ("Fail", "UploadEventParked")
    assert end["Error"] == PARKED_ERROR, "the error a replay looks for before taking a claim over"


def test_a_failure_marker_and_an_analysis_that_failed_by_itself_are_told_apart() -> None:
    marker = {"kind": "text", "status": "failed", "error": "Boom", "cause": "{}"}
    own = {"kind": "text", "status": "failed", "error": "no language model"}
    adapter: TypeAdapter[Any] = TypeAdapter(states.TextBranch)
    assert isinstance(adapter.validate_python(marker), states.BranchFailed)
    assert isinstance(adapter.validate_python(own), TextAnalysis)


# ---------------------------------------------------------------------------------------- the pipeline's paths


def _ingest_output() -> states.IngestOutput:
    return states.IngestOutput(
        profile=f"work/{APP}/profile.json",
        image_batches=[f"work/{APP}/images/batch-0000.json", f"work/{APP}/images/batch-0001.json"],
        image_concurrency=4,
    )


def _received() -> dict[str, Any]:
    """The document after ReceiveUpload claimed the application and ReadyToScore chose Ingest."""
    document = _out(states.ReceiveUploadOutput(application_id=APP, ready=True, reason="all_sources_received"))
    assert _choice_next(PIPELINE["States"]["ReadyToScore"], document) == "Ingest"
    waiting = states.ReceiveUploadOutput(application_id=APP, ready=False, reason="waiting_for_sources")
    assert _choice_next(PIPELINE["States"]["ReadyToScore"], _out(waiting)) == "WaitForOtherSources"
    return document


def _ingested() -> dict[str, Any]:
    document = _received()
    ingest = PIPELINE["States"]["Ingest"]
    assert states.IngestInput.model_validate(_task_input(ingest, document)).application_id == APP
    return _with_result(ingest, document, _out(_ingest_output()))


def _branch_result(start: str, document: dict[str, Any], fail: bool) -> Any:
    """One Parallel branch's output: its Task's (or Map's) result, or its *Failed Pass state's marker."""
    branch = ANALYSE[start]
    task = branch["States"][start]
    if start == "AnalyzeImageBatches":
        items = _path(document, task["ItemsPath"], {})
        assert isinstance(_path(document, task["MaxConcurrencyPath"], {}), int)
        outputs = []
        for item in items:
            request = states.ImageBatchInput.model_validate(
                _parameters(task["ItemSelector"], document, {"Map": {"Item": {"Value": item}}})
            )
            assert (request.application_id, request.batch) == (APP, item)
            outputs.append(_out(ImageAnalysis(status=AnalysisStatus.OK, analysed=15)))
        if not fail:
            return outputs
    else:
        request = states.AnalysisInput.model_validate(_task_input(task, document))
        assert (request.application_id, request.profile) == (APP, f"work/{APP}/profile.json")
        if not fail:
            analysis = (
                TextAnalysis(status=AnalysisStatus.OK)
                if start == "AnalyzeText"
                else ProfanityAnalysis(status=AnalysisStatus.OK, groups=NameCounts(total=3))
            )
            return _out(analysis)
    handler, caught = _catch(task, document, "States.Timeout", '{"errorMessage": "timed out"}')
    return _parameters(branch["States"][handler]["Parameters"], caught, {})


@pytest.mark.parametrize("fail", [False, True], ids=["analysed", "every-branch-failed"])
def test_ingest_output_reaches_the_analyses_and_their_outputs_reach_score(fail: bool) -> None:
    document = _ingested()
    analyse = PIPELINE["States"]["Analyse"]
    results = [_branch_result(b["StartAt"], document, fail) for b in analyse["Branches"]]
    document = _with_result(analyse, document, results)
    request = states.ScoreInput.model_validate(_task_input(PIPELINE["States"]["Score"], document))
    assert request.profile == f"work/{APP}/profile.json"
    evidence, failures = evidence_from_branches(request.analyses)
    if fail:
        assert [f["analysis"] for f in failures] == ["text", "profanity", "images"]
        assert {f["error"] for f in failures} == {"States.Timeout"}
        assert evidence.images.status == AnalysisStatus.FAILED
    else:
        assert failures == []
        assert (evidence.text.status, evidence.images.analysed, evidence.profanity.groups.total) == (
            "ok",
            30,
            3,
        )
    states.ScoreOutput.model_validate(
        _out(states.ScoreOutput(application_id=APP, analysis_failures=len(failures)))
    )


def test_one_failed_image_batch_is_a_marker_among_the_batches() -> None:
    document = _ingested()
    map_state = ANALYSE["AnalyzeImageBatches"]["States"]["AnalyzeImageBatches"]
    processor = map_state["ItemProcessor"]["States"]
    item = _parameters(map_state["ItemSelector"], document, {"Map": {"Item": {"Value": "b-1"}}})
    handler, caught = _catch(processor["AnalyzeImages"], item, "Sandbox.Timedout", "{}")
    marker = _parameters(processor[handler]["Parameters"], caught, {})
    images = [_out(ImageAnalysis(status=AnalysisStatus.OK, analysed=2)), marker]
    text, profanity = (
        _out(TextAnalysis(status=AnalysisStatus.OK)),
        _out(ProfanityAnalysis(status=AnalysisStatus.OK)),
    )
    document = _with_result(PIPELINE["States"]["Analyse"], document, [text, profanity, images])
    request = states.ScoreInput.model_validate(_task_input(PIPELINE["States"]["Score"], document))
    evidence, failures = evidence_from_branches(request.analyses)
    assert [(f["analysis"], f["error"]) for f in failures] == [("images", "Sandbox.Timedout")]
    assert evidence.images.analysed == 2
    assert isinstance(request.analyses[2], list)
    assert isinstance(request.analyses[2][1], states.BranchFailed)
    assert request.analyses[2][1].batch == "b-1"


@pytest.mark.parametrize("error", ["RateLimited", "XUnreachable"])
def test_x_unavailable_after_ingests_retries_reaches_ingest_without_x_and_then_the_analyses(
    error: str,
) -> None:
    document = _received()
    ingest, without_x = PIPELINE["States"]["Ingest"], PIPELINE["States"]["IngestWithoutX"]
    cause = json.dumps({"errorMessage": "X API server error", "errorType": error, "stackTrace": []})
    rule = next(c for c in ingest["Catch"] if error in c["ErrorEquals"])
    assert rule["Next"] == "IngestWithoutX"
    caught = _with_result(rule, document, {"Error": error, "Cause": cause})
    request = states.IngestInput.model_validate(_task_input(without_x, caught))
    assert (request.application_id, request.x_unavailable) == (APP, error)
    # Its output lands where Ingest's does, so the analyses and Score read it unchanged.
    assert without_x["Next"] == ingest["Next"] == "Analyse"
    document = _with_result(without_x, caught, _out(_ingest_output()))
    request_text = states.AnalysisInput.model_validate(
        _task_input(ANALYSE["AnalyzeText"]["States"]["AnalyzeText"], document)
    )
    assert request_text.profile == f"work/{APP}/profile.json"
    # No other error of Ingest goes there; the first call's payload says nothing of X.
    assert states.IngestInput.model_validate(_task_input(ingest, document)).x_unavailable is None
    assert [c["ErrorEquals"] for c in ingest["Catch"] if c["Next"] == "IngestWithoutX"] == [
        ["RateLimited", "XUnreachable"]
    ]


def test_an_unknown_x_unavailable_value_is_refused() -> None:
    with pytest.raises(ValueError, match="validation error"):
        states.IngestInput.model_validate({"application_id": APP, "x_unavailable": "States.ALL"})


@pytest.mark.parametrize("state", ["Ingest", "IngestWithoutX", "Analyse", "Score"])
def test_a_caught_error_reaches_record_failure_and_its_status_picks_the_end(state: str) -> None:
    document = _ingested() if state not in ("Ingest", "IngestWithoutX") else _received()
    cause = json.dumps(
        {"errorMessage": "no source could be read: x: not a zip", "errorType": "NoUsableSource"}
    )
    handler, caught = _catch(PIPELINE["States"][state], document, "NoUsableSource", cause)
    assert handler == "RecordFailure"
    request = states.RecordFailureInput.model_validate(_task_input(PIPELINE["States"][handler], caught))
    assert request.application_id == APP
    assert describe_error(request.error) == ("NoUsableSource", "no source could be read: x: not a zip")
    recorded = PIPELINE["States"]["FailureRecorded"]
    for status, end in (("failed", "ApplicationFailed"), ("erased", "Erased")):
        out = _out(states.RecordFailureOutput(application_id=APP, status=status, error="NoUsableSource"))
        assert _choice_next(recorded, _with_result(PIPELINE["States"][handler], caught, out)) == end


# ---------------------------------------------------------------------------------------- the shadow job's paths


def _job() -> states.ShadowJob:
    return states.ShadowJob(
        job_id="job-1",
        candidate="fitted-2026-12",
        candidate_version="fitted-2026-12",
        active_parameter_version=3,
        active_version="default-1",
        total_segments=2,
        page_size=500,
        cutoff=600.0,
        candidate_cutoff=None,
        started_at=1796120100,
    )


def test_the_shadow_job_passes_plan_to_pages_to_the_report() -> None:
    execution = {
        "candidate": "fitted-2026-12",
        "segments": 2,
        "page_size": 500,
        "cutoff": 600,
        "candidate_cutoff": None,
    }
    plan_state = SHADOW["States"]["Plan"]
    plan_in = states.ShadowPlanInput.model_validate(
        _task_input(plan_state, execution, {"Execution": {"Name": "job-1"}})
    )
    assert (plan_in.job_id, plan_in.segments, plan_in.cutoff) == ("job-1", 2, 600.0)
    document = _with_result(plan_state, execution, _out(states.ShadowPlanOutput(job=_job(), segments=[0, 1])))

    segments = SHADOW["States"]["ScoreSegments"]
    pages = segments["ItemProcessor"]["States"]
    for segment in _path(document, segments["ItemsPath"], {}):
        page_in = states.ShadowPageInput.model_validate(
            _parameters(segments["ItemSelector"], document, {"Map": {"Item": {"Value": segment}}})
        )
        assert (page_in.segment, page_in.page, page_in.start_key, page_in.job) == (segment, 0, None, _job())
        # A page with more to read loops back into ScorePage with its own output as the input.
        more = _out(
            states.ShadowPageOutput(
                job=page_in.job,
                segment=segment,
                page=1,
                start_key={"pk": "APP#x", "sk": "MODEL"},
                done=False,
                rows=500,
            )
        )
        assert _choice_next(pages["MorePages"], more) == "ScorePage"
        again = states.ShadowPageInput.model_validate(
            _with_result(pages["ScorePage"], page_in.model_dump(), more)
        )
        assert (again.page, again.start_key) == (1, {"pk": "APP#x", "sk": "MODEL"})
        last = _out(
            states.ShadowPageOutput(job=again.job, segment=segment, page=2, start_key=None, done=True, rows=3)
        )
        assert _choice_next(pages["MorePages"], last) == "SegmentDone"

    document = _with_result(segments, document, [])  # ResultPath null: the plan's output passes on
    report_in = states.ShadowReportInput.model_validate(_task_input(SHADOW["States"]["Report"], document))
    assert report_in.job == _job()


def test_an_uploads_write_id_names_the_write_and_reads_s3s_and_motos_spelling() -> None:
    key = f"uploads/{APP}/linkedin/part-1.zip"
    aws = states.UploadedObject.model_validate({"key": key, "etag": "e1", "sequencer": "0A1"})
    local = states.UploadedObject.model_validate({"key": key, "eTag": "e1", "sequencer": "0A1"})
    assert aws.write_id() == local.write_id()
    assert "e1" not in str(aws.write_id()), "a digest, not the file's MD5"
    again = states.UploadedObject.model_validate({"key": key, "etag": "e1", "sequencer": "0A2"})
    versioned = states.UploadedObject.model_validate(
        {"key": key, "etag": "e1", "sequencer": "0A1", "version-id": "v2"}
    )
    assert len({aws.write_id(), again.write_id(), versioned.write_id()}) == 3
    assert states.UploadedObject.model_validate({"key": key}).write_id() is None


@pytest.mark.parametrize("started_by", ["upload", "submit"])
def test_a_parked_body_replays_as_the_original_input_however_often_it_is_parked_again(
    started_by: str,
) -> None:
    """The replay path takes any parked body: EventBridge's (a start that failed), the state machine's before
    ERROR_MESSAGE existed and after; each is the execution's input itself, so a replay that fails and is parked
    again parks the same body, never an envelope around it."""
    original = (
        json.loads((EVENTS_DIR / "receive_upload.json").read_text(encoding="utf-8"))["event"]
        if started_by == "upload"
        else {"action": "submit", "application_id": APP}
    )
    body = original
    for replay in range(3):
        execution = f"{EXECUTION}-replay-{replay}"
        context = {"Execution": {"Id": execution, "Input": body}}
        request = states.ReceiveUploadRequest.model_validate(
            _task_input(PIPELINE["States"]["ReceiveUpload"], body, context)
        )
        assert request.event == states.RECEIVE_UPLOAD_INPUT.validate_python(original)
        _, document = _catch(PIPELINE["States"]["ReceiveUpload"], body, "States.Timeout", "")
        document = {**document, "parked": {"cause": "Task timed out"}}
        message = _task_input(PIPELINE["States"]["ParkUploadEvent"], document, context)
        assert message["MessageAttributes"]["EXECUTION_ARN"]["StringValue"] == execution
        body = message["MessageBody"]
    assert body == original
