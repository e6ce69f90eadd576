"""The partner's webhook receiver (credscore_client.signatures) on header values an attacker chooses: each is a
refusal (SignatureError, or False from verify_signature), never another exception in the partner's code."""

from __future__ import annotations

import time

import pytest

from credscore_aws.logic import webhooks
from credscore_client import SignatureError, verify_signature
from credscore_client.signatures import check_signature

BODY = b'{"id":"evt_1"}'


@pytest.mark.parametrize(
    ("t", "problem"),
    [
        ("9" * 5000, "malformed signature header"),  # int() refuses more than 4,300 digits: ValueError
        ("9" * 400, "malformed signature header"),  # abs(now - t) could not make a float: OverflowError
        ("9" * 21, "malformed signature header"),
        ("9" * 20, "timestamp outside the replay window"),  # read, and far in the future
    ],
)
def test_a_timestamp_of_too_many_digits_is_refused(t: str, problem: str) -> None:
    header = f"t={t},v1=" + "0" * 64
    assert verify_signature("whsec_a", BODY, header) is False
    with pytest.raises(SignatureError, match=problem):
        check_signature("whsec_a", BODY, header)


@pytest.mark.parametrize("candidate", ["é" * 64, "\u0660" * 64, "0" * 63 + "\U0001f600"])
def test_a_signature_that_is_not_ascii_is_refused_as_malformed(candidate: str) -> None:
    # hmac.compare_digest raised TypeError for a str with non-ASCII characters.
    header = f"t={int(time.time())},v1={candidate}"
    assert verify_signature("whsec_a", BODY, header) is False
    with pytest.raises(SignatureError, match="malformed signature header"):  # its only v1 is unreadable
        check_signature("whsec_a", BODY, header)


def test_a_good_signature_beside_a_hostile_one_still_verifies() -> None:
    now = int(time.time())
    header = webhooks.signature_header(["whsec_a"], now, BODY)
    assert verify_signature("whsec_a", BODY, header + ",v1=" + "é" * 64)
    assert verify_signature("whsec_a", BODY, "v1=" + "é" * 64 + "," + header)
