"""What the API's guard settles before routing, with the real API handler in process against moto (only the
partner's rate-limit counter is touched): the API reads JSON bodies only, a request's Content-Type never reaches
the resolver's form or multipart parsers, and a body must be JSON that means one thing."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from credscore.application import Status, new_application_id
from credscore.errors import TransientError
from credscore_aws import runtime
from credscore_aws.dal import repository as repository_module
from credscore_aws.dal import storage
from credscore_aws.logic.applicant_token import hash_token
from credscore_aws.models.records import NewApplication
from credscore_client.client import application_request
from credscore_local.api_adapter import build_event
from credscore_local.template import REPO_ROOT
from tests.moto_tables import create_applications_table, create_idempotency_table


@pytest.fixture(scope="module")
def api() -> Iterator[ModuleType]:
    name = "_handler_api_media_types"
    with pytest.MonkeyPatch.context() as env:
        for variable, value in {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "TABLE_NAME": "applications",
            "IDEMPOTENCY_TABLE_NAME": "idempotency",
            "BUCKET_NAME": "data",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "credscore-test",
            "RESULT_RETENTION_DAYS": "30",
            "PARTNER_REQUESTS_PER_MINUTE": "1000",  # the one AWS call: the rate-limit counter, in moto
        }.items():
            env.setenv(variable, value)
        for cached in (runtime.repository, storage.dynamodb_table):
            cached.cache_clear()
        with mock_aws():
            create_applications_table()
            create_idempotency_table()
            boto3.client("s3").create_bucket(Bucket="data")  # what an erasure purges
            spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "functions" / "api" / "app.py")
            assert spec is not None
            assert spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            namespace = runtime.metrics.namespace
            yield module
            runtime.metrics.namespace = namespace
            del sys.modules[name]
        for cached in (runtime.repository, storage.dynamodb_table):
            cached.cache_clear()


class _Context:
    function_name = "api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:api"
    aws_request_id = "req-1"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def _call(
    api: ModuleType,
    method: str,
    path: str,
    content_type: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    # The handler flushes the process's one Metrics object: metrics other test modules left in it need a namespace.
    runtime.metrics.namespace = "credscore-test"
    runtime.metrics.clear_metrics()
    event = build_event(method, path, {"Content-Type": content_type, **(headers or {})}, body, "127.0.0.1")
    event["requestContext"]["authorizer"] = {"lambda": {"role": "partner", "partner_id": "partner-a"}}
    answer: dict[str, Any] = api.lambda_handler(event, _Context())
    return answer


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "text/plain",
        "application/x-www-form-urlencoded",
    ],
)
@pytest.mark.parametrize(
    ("method", "path", "field"), [("POST", "/applications", "consent"), ("PUT", "/webhook", "url")]
)
def test_a_body_route_called_without_a_body_says_the_body_is_missing_whatever_the_content_type(
    api: ModuleType, method: str, path: str, field: str, content_type: str
) -> None:
    # multipart/form-data without a boundary raised ValueError in the resolver's multipart parser: a 500; text/plain
    # was answered 415 in an undocumented shape.
    answer = _call(api, method, path, content_type)
    assert answer["statusCode"] == 422, answer
    (problem,) = json.loads(answer["body"])["detail"]
    assert problem["loc"] in (["body"], ["body", field])
    assert problem["type"] == "missing"


@pytest.mark.parametrize("content_type", ["Application/JSON", "APPLICATION/JSON; charset=UTF-8"])
def test_the_media_type_is_read_without_regard_to_case(api: ModuleType, content_type: str) -> None:
    # RFC 9110: media types are case-insensitive. The guard let these through and the resolver refused them
    # with an undocumented 415 body.
    answer = _call(api, "PUT", "/webhook", content_type, b'{"url": "ftp://example.com/x"}')
    assert answer["statusCode"] == 422, answer
    (problem,) = json.loads(answer["body"])["detail"]
    assert (problem["loc"], problem["type"]) == (["body", "url"], "string_pattern_mismatch")


def test_a_body_that_is_not_json_is_still_refused_with_the_documented_415(api: ModuleType) -> None:
    answer = _call(api, "PUT", "/webhook", "text/plain", b"url=https://x")
    assert answer["statusCode"] == 415
    assert json.loads(answer["body"]) == {
        "error": "unsupported_media_type",
        "message": "send application/json",
    }


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (b'{"url": "https://example.com/a", "url": "https://example.com/b"}', "url"),
        (b'{"consent": {"granted": true, "granted": false}}', "granted"),
        (b'[{"a": 1}, {"b": 1, "b": 1}]', "b"),
    ],
)
def test_a_key_given_twice_in_one_object_is_refused(api: ModuleType, body: bytes, key: str) -> None:
    # json.loads keeps the last: a proxy or log reading the first would see another request than the one served.
    answer = _call(api, "PUT", "/webhook", "application/json", body)
    assert answer["statusCode"] == 422, answer
    assert json.loads(answer["body"]) == {
        "detail": [
            {"loc": ["body"], "msg": f"the key {key!r} appears twice in one object", "type": "json_invalid"}
        ]
    }


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**50), max_value=10**50)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_fields = st.sampled_from(["url", "outcome", "observed_at", "consent", "granted", "sources"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    document=st.dictionaries(_fields, _documents, max_size=3) | _documents,
    route=st.sampled_from([("PUT", "/webhook"), ("PUT", f"/applications/{'0' * 32}/outcome")]),
    field=_fields,
    raw=st.sampled_from([None, "1" * 5000, '"\\ud800"', "NaN", "-Infinity", "1e999999", "[" * 40 + "]" * 40]),
)
def test_any_json_body_gets_a_4xx_never_a_5xx(
    api: ModuleType, document: object, route: tuple[str, str], field: str, raw: str | None
) -> None:
    # raw: a token json.dumps never writes, as the value of one field
    body = json.dumps(document) if raw is None else f'{{"{field}": {raw}}}'
    answer = _call(api, *route, "application/json", body.encode("ascii"))
    assert 400 <= answer["statusCode"] < 500, answer


_NOT_A_DATE = "a date as text YYYY-MM-DD"


@pytest.mark.parametrize(
    ("observed_at", "status", "says"),
    [
        ("0000-01-01", 422, "year 0 is out of range"),
        ("10000-01-01", 422, _NOT_A_DATE),
        ("2026-02-30", 422, "day value is outside expected range"),
        ("2026-01-01T23:00:00-12:00", 422, _NOT_A_DATE),
        ("\uff12\uff10\uff12\uff16-01-01", 422, _NOT_A_DATE),  # fullwidth digits
        ("2026-01-01T00:00:00+14:00", 422, _NOT_A_DATE),  # a datetime, even at midnight, is not a date
        ("2026-01-01\n", 422, _NOT_A_DATE),
        # Unix seconds of a midnight (2026-12-01 UTC), as a number or as digits: pydantic's lax date took them
        (1_796_083_200, 422, _NOT_A_DATE),
        (1_796_083_200.0, 422, _NOT_A_DATE),
        ("1796083200", 422, _NOT_A_DATE),
        (0, 422, _NOT_A_DATE),  # 1970-01-01
        ("20261201", 422, _NOT_A_DATE),  # ISO 8601's basic format: the API takes the extended one only
        ("9999-12-31", 404, None),
        ("2026-12-01", 404, None),
    ],
)
def test_outcome_dates_out_of_range_or_not_yyyy_mm_dd_are_refused_before_any_lookup(
    api: ModuleType, observed_at: object, status: int, says: str | None
) -> None:
    body = json.dumps({"outcome": "good", "observed_at": observed_at}).encode()
    answer = _call(api, "PUT", f"/applications/{'0' * 32}/outcome", "application/json", body)
    assert answer["statusCode"] == status, answer
    if says is not None:
        (problem,) = json.loads(answer["body"])["detail"]
        assert problem["loc"] == ["body", "observed_at"]
        assert says in problem["msg"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("purpose", "credit\x00decision"),  # a NUL would reach the applicant's page and the audit trail
        ("purpose", "credit decision\n"),
        ("purpose", "   "),
        ("purpose", "credit\u0085decision"),  # C1 control (NEL)
        ("notice_version", "v1\r"),
    ],
)
def test_consent_text_with_a_control_character_or_nothing_visible_is_refused(
    api: ModuleType, field: str, value: str
) -> None:
    body, _ = application_request({"linkedin": 1})
    body["consent"][field] = value
    answer = _call(api, "POST", "/applications", "application/json", json.dumps(body).encode())
    assert answer["statusCode"] == 422, answer
    (problem,) = json.loads(answer["body"])["detail"]
    assert (problem["loc"], problem["type"]) == (["body", "consent", field], "string_pattern_mismatch")


@pytest.mark.parametrize("key", ["loan\t42", " ", "prêt-42", "loan\x7f"])
def test_an_idempotency_key_outside_printable_ascii_is_refused(api: ModuleType, key: str) -> None:
    body, _ = application_request({"linkedin": 1})
    answer = _call(
        api, "POST", "/applications", "application/json", json.dumps(body).encode(), {"Idempotency-Key": key}
    )
    assert answer["statusCode"] == 422, answer
    (problem,) = json.loads(answer["body"])["detail"]
    assert problem["type"] == "string_pattern_mismatch"
    assert problem["loc"][-1].lower() == "idempotency-key"


def test_an_erasure_that_keeps_meeting_the_pipelines_writes_is_answered_503_and_can_be_sent_again(
    api: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It was a 500, which tells an integrator nothing about whether to try again.
    repo = runtime.repository()
    application_id = new_application_id()
    repo.create(
        NewApplication(application_id=application_id, partner_id="partner-a", declared={"linkedin": 1})
    )
    put_item = repo.table.put_item

    def in_flight(**_kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "TransactionConflictException", "Message": "busy"}}, "PutItem")

    monkeypatch.setattr(repository_module, "_pause_after_conflict", lambda _attempt: None)
    monkeypatch.setattr(repo.table, "put_item", in_flight)
    answer = _call(api, "DELETE", f"/applications/{application_id}", "application/json")
    assert (answer["statusCode"], answer["headers"]["Retry-After"]) == (503, "1"), answer
    assert json.loads(answer["body"])["error"] == "busy"
    assert repo.get(application_id).status == Status.COLLECTING, "nothing was erased, nothing else changed"

    monkeypatch.setattr(repo.table, "put_item", put_item)
    again = _call(api, "DELETE", f"/applications/{application_id}", "application/json")
    assert again["statusCode"] == 200, again
    assert repo.get(application_id).status == Status.ERASED


@pytest.fixture
def creates(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a create needs besides the module's settings: upload forms and the applicant link's page."""
    for variable, value in {
        "MAX_UPLOAD_BYTES": "1000000",
        "UPLOAD_URL_EXPIRY_SECONDS": "900",
        "APPLICANT_PAGE_URL": "https://apply.example/",
        "UPLOAD_WINDOW_HOURS": "26",
    }.items():
        monkeypatch.setenv(variable, value)


@pytest.mark.usefixtures("creates")
def test_a_create_sent_again_while_its_idempotency_key_is_in_flight_is_answered_409_and_then_replayed(
    api: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A client that timed out sends the same request again while the first still runs: it was a 500 (Powertools'
    # IdempotencyAlreadyInProgressError unhandled), after which a client would try a new key: a second application.
    repo = runtime.repository()
    started, release = threading.Event(), threading.Event()
    create = repo.create

    def slow_create(application: NewApplication) -> None:
        started.set()
        assert release.wait(10)
        create(application)

    monkeypatch.setattr(repo, "create", slow_create)
    body, headers = application_request({"linkedin": 1}, idempotency_key="loan-7", consent_granted_at=1)
    payload = json.dumps(body).encode()
    first: dict[str, Any] = {}
    worker = threading.Thread(
        target=lambda: first.update(_call(api, "POST", "/applications", "application/json", payload, headers))
    )
    worker.start()
    try:
        assert started.wait(10)
        second = _call(api, "POST", "/applications", "application/json", payload, headers)
    finally:
        release.set()
        worker.join(10)
    assert (second["statusCode"], second["headers"]["Retry-After"]) == (409, "1"), second
    assert json.loads(second["body"])["error"] == "request_in_progress"
    assert first["statusCode"] == 201, first
    again = _call(api, "POST", "/applications", "application/json", payload, headers)
    assert again["statusCode"] == 201, again
    created = json.loads(first["body"])["application_id"]
    assert json.loads(again["body"])["application_id"] == created, (
        "the first request's application, not a new one"
    )


@pytest.mark.usefixtures("creates")
def test_a_new_applications_link_is_written_with_it_so_a_busy_record_cannot_fail_the_answer_after_the_create(
    api: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The link's token hash was a second write after the create: when it met the pipeline's writes (an X-handle-only
    # application's execution starts at once) the answer was 503 busy, "nothing changed", and the client sent the
    # POST again: two applications, the first without a link or an id the partner knew.
    repo = runtime.repository()

    def busy(*_args: Any, **_kwargs: Any) -> None:
        raise TransientError("the record stayed busy")

    monkeypatch.setattr(repo, "set_applicant_token", busy)
    body, headers = application_request({"linkedin": 1}, consent_granted_at=1)
    answer = _call(api, "POST", "/applications", "application/json", json.dumps(body).encode(), headers)
    assert answer["statusCode"] == 201, answer
    created = json.loads(answer["body"])
    stored = repo.get(created["application_id"])
    assert stored.applicant_token_hash == hash_token(created["applicant_token"])
    assert [e.event for e in repo.audit_trail(created["application_id"])] == [
        "created",
        "applicant_link_issued",
    ]
