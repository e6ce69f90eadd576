"""The typed client tries again what the API asks it to (429, and 503 where repeating is safe), after Retry-After,
a bounded number of times; everything else is raised at once as `ApiError`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from credscore_client import ApiError, CredscoreClient

APPLICATION_ID = "a" * 32
RECEIPT = {
    "application_id": APPLICATION_ID,
    "status": "erased",
    "objects_deleted": 2,
    "records_deleted": 4,
    "erased_at": 1_800_000_000,
}


class Answer:
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status_code = status
        self.headers = {"content-type": "application/json", **(headers or {})}
        self.content = json.dumps(body).encode()
        self._body = body

    def json(self) -> Any:
        return self._body


class Session:
    """Answers the scripted answers in order and records each request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def request(self, method: str, url: str, **kwargs: Any) -> Answer:
        self.sent.append((method, url, kwargs))
        return self.answers.pop(0)


BUSY = {"error": "busy", "message": "the application is being updated; send the same request again shortly"}
THROTTLED = {"message": "Too Many Requests"}


def _client(session: Session, waits: list[float], **options: Any) -> CredscoreClient:
    return CredscoreClient(
        "https://api.example",
        "key",
        session=session,
        sleep=waits.append,
        **options,  # type: ignore[arg-type]
    )


def test_a_busy_erasure_is_sent_again_after_retry_after_and_answers_the_receipt() -> None:
    session = Session(
        Answer(503, BUSY, {"Retry-After": "1"}), Answer(503, BUSY, {"Retry-After": "2"}), Answer(200, RECEIPT)
    )
    waits: list[float] = []
    receipt = _client(session, waits).erase(APPLICATION_ID)
    assert receipt.erased_at == 1_800_000_000
    assert waits == [1.0, 2.0]
    assert [(method, url) for method, url, _ in session.sent] == [
        ("DELETE", f"https://api.example/applications/{APPLICATION_ID}")
    ] * 3


def test_retries_are_bounded_and_the_last_answer_is_raised_with_its_retry_after() -> None:
    session = Session(*(Answer(429, THROTTLED, {"Retry-After": "90"}) for _ in range(3)))
    waits: list[float] = []
    with pytest.raises(ApiError) as raised:
        _client(session, waits, retries=2, max_wait=5).get(APPLICATION_ID)
    assert (raised.value.status, raised.value.retry_after) == (429, 90.0)
    assert waits == [5, 5], "Retry-After is capped by max_wait"
    assert len(session.sent) == 3


def test_without_retry_after_the_waits_are_jittered_and_doubling() -> None:
    session = Session(*(Answer(429, THROTTLED) for _ in range(4)), Answer(200, RECEIPT))
    waits: list[float] = []
    _client(session, waits, retries=4).erase(APPLICATION_ID)
    assert len(waits) == 4
    for attempt, wait in enumerate(waits):
        assert 0 <= wait <= 0.5 * 2**attempt


@pytest.mark.parametrize(
    ("method", "headers", "body", "repeated"),
    [
        ("POST", {}, BUSY, True),  # the busy record: the write was not made
        ("POST", {}, {"error": "unavailable"}, False),  # another 503 of a POST may have done its work
        ("POST", {"Idempotency-Key": "k1"}, {"error": "unavailable"}, True),
        ("PUT", {}, {"error": "unavailable"}, True),
    ],
)
def test_a_503_is_repeated_only_where_repeating_is_safe(
    method: str, headers: dict[str, str], body: Any, repeated: bool
) -> None:
    session = Session(Answer(503, body), Answer(200, {}))
    waits: list[float] = []
    client = _client(session, waits)
    if repeated:
        client.request(method, "/x", headers=headers)
    else:
        with pytest.raises(ApiError):
            client.request(method, "/x", headers=headers)
    assert len(session.sent) == (2 if repeated else 1)


def test_a_create_whose_idempotency_key_is_still_in_flight_is_sent_again_and_gets_the_first_ones_answer() -> (
    None
):
    in_progress = {"error": "request_in_progress", "message": "still being processed"}
    reused = {"error": "idempotency_key_reused", "message": "another body"}
    session = Session(Answer(409, in_progress, {"Retry-After": "1"}), Answer(409, reused))
    waits: list[float] = []
    with pytest.raises(ApiError) as raised:
        _client(session, waits).create({"linkedin": 1}, idempotency_key="loan-7", consent_granted_at=1)
    assert raised.value.code == "idempotency_key_reused", "only request_in_progress is sent again"
    assert waits == [1.0]
    first, again = (kwargs for _, _, kwargs in session.sent)
    assert first["json"] == again["json"]
    assert first["headers"]["Idempotency-Key"] == again["headers"]["Idempotency-Key"] == "loan-7"


@pytest.mark.parametrize("status", [400, 404, 409, 410, 500])
def test_other_errors_are_raised_at_once(status: int) -> None:
    session = Session(Answer(status, {"error": "x", "message": "no"}, {"Retry-After": "1"}))
    waits: list[float] = []
    with pytest.raises(ApiError) as raised:
        _client(session, waits).erase(APPLICATION_ID)
    assert (raised.value.status, raised.value.code, waits) == (status, "x", [])


def test_no_retries_raises_the_first_429() -> None:
    session = Session(Answer(429, THROTTLED, {"Retry-After": "1"}))
    with pytest.raises(ApiError):
        _client(session, [], retries=0).erase(APPLICATION_ID)
    assert len(session.sent) == 1
