from __future__ import annotations

import pytest

from credscore.application import expected_parts, parse_upload_key, upload_key
from credscore.profile import Platform

APP = "0123456789abcdef0123456789abcdef"


def test_upload_keys_round_trip() -> None:
    for platform in Platform:
        for part in (1, 2, 10):
            ref = parse_upload_key(upload_key(APP, platform, part))
            assert ref is not None
            assert (ref.application_id, ref.platform, ref.part) == (APP, platform, part)


@pytest.mark.parametrize(
    "key",
    [
        f"uploads/{APP}/facebook/part-0.zip",
        f"uploads/{APP}/facebook/part-11.zip",
        f"uploads/{APP}/myspace/part-1.zip",
        f"uploads/{APP}/facebook/../part-1.zip",
        f"uploads/{APP[:-1]}/facebook/part-1.zip",
        f"work/{APP}/profile.json",
        f"uploads/{APP}/facebook/part-1.zip.exe",
    ],
)
def test_keys_we_did_not_hand_out_are_refused(key: str) -> None:
    assert parse_upload_key(key) is None


def test_expected_parts_lists_every_declared_part() -> None:
    assert expected_parts({"facebook": 2, "linkedin": 1}) == {"facebook/1", "facebook/2", "linkedin/1"}
    assert expected_parts({}) == set()
