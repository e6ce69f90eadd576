"""The partner's signature check (`credscore_client.signatures`) at its edges: the reason it gives, a header with
two `v1` of which one is valid, a signature under any other name, the replay window to the second, and the clock
and window a caller passes reaching the check through every entry point."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from credscore_aws.logic import webhooks
from credscore_client import SignatureError, parse_event, verify_signature
from credscore_client.signatures import check_signature

BODY = (
    b'{"application_id":"a","id":"evt_1","occurred_at":1,"reference":null,"status":"scored",'
    b'"type":"application.scored"}'
)
T = 1_700_000_000  # far from the test machine's clock: only `now` can make it current
SECRET = "whsec_a"


def _reason(header: str, *, secret: str | list[str] = SECRET, body: bytes = BODY, now: float = T) -> str:
    with pytest.raises(SignatureError) as refused:
        check_signature(secret, body, header, now=now)
    return str(refused.value)


def test_each_refusal_gives_its_reason() -> None:
    good = webhooks.signature_header([SECRET], T, BODY)
    assert _reason("t=abc,v1=00") == "malformed signature header"
    assert _reason(f"t={T}") == "malformed signature header"
    assert _reason(good, now=T + 301) == "timestamp outside the replay window"
    assert _reason(good, secret="whsec_b") == "no signature matches"
    assert _reason(good, body=BODY + b" ") == "no signature matches"


@pytest.mark.parametrize("order", ["valid first", "valid last"])
def test_two_v1_signatures_verify_when_one_of_them_does(order: str) -> None:
    valid = webhooks.sign(SECRET, T, BODY)
    other = webhooks.sign("whsec_other", T, BODY)
    pair = [valid, other] if order == "valid first" else [other, valid]
    header = f"t={T}," + ",".join(f"v1={s}" for s in pair)
    check_signature(SECRET, BODY, header, now=T)
    assert _reason(f"t={T},v1={other},v1={'0' * 64}") == "no signature matches"


@pytest.mark.parametrize("name", ["v0", "v2", "V1", "x", "t1"])
def test_a_valid_signature_under_another_name_is_not_a_signature(name: str) -> None:
    valid = webhooks.sign(SECRET, T, BODY)
    assert _reason(f"t={T},{name}={valid}") == "malformed signature header"
    # the v1 present is the only one tried
    assert _reason(f"t={T},{name}={valid},v1={'0' * 64}") == "no signature matches"


@pytest.mark.parametrize(
    ("tolerance", "offset", "accepted"),
    [
        (300, 300, True),
        (300, -300, True),
        (300, 300.5, False),
        (300, -300.5, False),
        (300, 301, False),
        (10, 10, True),
        (10, -10, True),
        (10, 11, False),
        (0, 0, True),
        (0, 1, False),
    ],
)
def test_the_replay_window_is_exact_to_the_second(tolerance: int, offset: float, accepted: bool) -> None:
    header = webhooks.signature_header([SECRET], T, BODY)
    if accepted:
        check_signature(SECRET, BODY, header, tolerance=tolerance, now=T + offset)
    else:
        with pytest.raises(SignatureError, match=r"^timestamp outside the replay window$"):
            check_signature(SECRET, BODY, header, tolerance=tolerance, now=T + offset)


def _verifies(check: Callable[..., object], **kwargs: object) -> bool:
    header = webhooks.signature_header([SECRET], T, BODY)
    try:
        result = check(SECRET, BODY, header, **kwargs)
    except SignatureError:
        return False
    return result is not False


@pytest.mark.parametrize("check", [verify_signature, parse_event, check_signature])
def test_every_entry_point_checks_against_the_clock_and_window_it_is_given(
    check: Callable[..., object],
) -> None:
    assert _verifies(check, now=T)
    assert not _verifies(check)  # its own clock is years past T
    assert _verifies(check, now=T + 20, tolerance=20)
    assert not _verifies(check, now=T + 21, tolerance=20)
    assert not _verifies(check, now=T + 301)
    assert _verifies(check, now=T + 301, tolerance=400)
