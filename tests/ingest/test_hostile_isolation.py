"""Every hostile upload of the hostile-input suite, arriving after good sources, leaves them exactly as they were,
and the same platform's good export still parses afterwards."""

from __future__ import annotations

import io

import pytest

from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile, SourceStatus
from credscore.synth import PLATFORMS, make_export
from tests.ingest.test_hostile import CASES


def _export(platform: str) -> bytes:
    buffer = io.BytesIO()
    make_export(platform, buffer, seed=8, posts=6, tweets=6, comments=4, photos=1, friends=5, connections=5)
    return buffer.getvalue()


GOOD = {platform: _export(platform) for platform in PLATFORMS}


@pytest.fixture(scope="module")
def good_profile() -> Profile:
    profile = Profile(application_id="a")
    for platform, data in GOOD.items():
        report = ingest_archive(profile, Platform(platform), io.BytesIO(data), f"uploads/a/{platform}/1")
        assert report.status == SourceStatus.PARSED
    return profile


@pytest.mark.parametrize(
    ("data", "platform", "limits", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_hostile_upload_does_not_touch_other_sources(good_profile, data, platform, limits, code) -> None:
    profile = good_profile.model_copy(deep=True)
    report = ingest_archive(profile, Platform(platform), io.BytesIO(data), "uploads/a/bad/1", limits)
    assert (report.status, report.reason_code) == (SourceStatus.REJECTED, code)
    assert profile == good_profile
    again = ingest_archive(profile, Platform(platform), io.BytesIO(GOOD[platform]), "uploads/a/good/2")
    assert again.status == SourceStatus.PARSED
