"""Per-source time budget (issue 13.4) and the photo cap per application (issue 13.5)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from credscore.application import image_batch_key
from credscore.ingest.pipeline import MAX_IMAGE_BATCHES, cap_photos, image_batches, photo_key
from credscore.profile import MediaRef, Platform, Profile, SourceStatus
from credscore.synth import make_export

from .helpers import build_from_uploads


def _export(platform: str, **knobs: int) -> bytes:
    buffer = io.BytesIO()
    make_export(platform, buffer, seed=3, **knobs)
    return buffer.getvalue()


class Ticking:
    """Lambda's remaining time, going down by one second each time anyone asks (deterministic, no sleeping)."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds
        self.asked = 0

    def __call__(self) -> float:
        self.asked += 1
        self.left -= 1
        return self.left


def _build(uploads: dict[str, bytes], time_left: Callable[[], float] | None) -> Profile:
    return build_from_uploads(uploads, time_left=time_left, reserve_seconds=5)


def test_a_source_that_cannot_finish_in_its_share_fails_alone() -> None:
    uploads = {
        "facebook": _export("facebook", posts=6000, comments=3000, photos=0),
        "linkedin": _export("linkedin", connections=40),
    }
    clock = Ticking(60)  # each source gets an equal share of what is left when its turn comes
    profile = _build(uploads, clock)
    facebook, linkedin = profile.sources
    assert (facebook.platform, facebook.status, facebook.reason_code) == (
        Platform.FACEBOOK,
        SourceStatus.REJECTED,
        "source_timeout",
    )
    assert "its share of the time" in (facebook.reason or "")
    assert facebook.archive_sha256 == []  # no part finished
    assert linkedin.status == SourceStatus.PARSED
    # Nothing of the timed-out source is left in the profile; the good one is whole.
    assert {f.platform for f in profile.files} == {Platform.LINKEDIN}
    assert not profile.texts
    assert [a.connections for a in profile.accounts] == [40]


def test_with_time_enough_every_source_is_read() -> None:
    uploads = {"facebook": _export("facebook", posts=300), "linkedin": _export("linkedin", connections=40)}
    profile = _build(uploads, Ticking(100_000))
    assert [s.status for s in profile.sources] == [SourceStatus.PARSED, SourceStatus.PARSED]
    untimed = _build(uploads, None)
    assert untimed.model_dump() == profile.model_dump()


def test_each_source_gets_an_equal_share_of_what_is_left_at_its_turn() -> None:
    from credscore.ingest.pipeline import _deadline

    now = {"left": 280.0}
    expired = _deadline(lambda: now["left"], 20.0, 2)  # (280 - 20) / 2 = 130 s for the first of two sources
    assert expired is not None
    now["left"] = 150.5
    assert not expired()
    now["left"] = 150.0
    assert expired()
    # A quick first source leaves its unused time to the last one: all but the reserve.
    now["left"] = 270.0
    last = _deadline(lambda: now["left"], 20.0, 1)
    assert last is not None
    now["left"] = 20.5
    assert not last()
    now["left"] = 20.0
    assert last()
    assert _deadline(None, 20.0, 1) is None


# ----------------------------------------------------------------------------------------------- photo cap
def _photos(profile: Profile, platform: Platform, n: int, prefix: str = "") -> None:
    profile.media += [
        MediaRef(platform=platform, archive=f"uploads/a/{platform.value}/1", member=f"{prefix}{i}.jpg", src=0)
        for i in range(n)
    ]


def _with_sources(*platforms: Platform) -> Profile:
    from credscore.profile import SourceReport

    profile = Profile(application_id="a")
    profile.sources = [SourceReport(platform=p, status=SourceStatus.PARSED) for p in platforms]
    return profile


def test_photos_over_the_cap_are_a_deterministic_reported_sample() -> None:
    profile = _with_sources(Platform.FACEBOOK, Platform.INSTAGRAM)
    _photos(profile, Platform.FACEBOOK, 300, "fb/")
    _photos(profile, Platform.INSTAGRAM, 100, "ig/")
    again = profile.model_copy(deep=True)
    found = list(profile.media)
    sample, counts = cap_photos(profile, 50)
    assert counts == {"found": 400, "analysed": 50, "reason": "cap_reached"}
    assert len(sample) == 50
    assert profile.media == found  # the profile keeps every photo's date for the activity measures
    assert cap_photos(again, 50)[0] == sample  # the same sample every time
    # The 50 with the smallest hash of their member path, kept in their original order.
    assert sorted(sample, key=photo_key) == sorted(found, key=photo_key)[:50]
    assert sample == [m for m in found if m in sample]
    for source in profile.sources:
        kept = sum(1 for m in sample if m.platform == source.platform)
        found = 300 if source.platform == Platform.FACEBOOK else 100
        assert source.reason_code == "cap_reached"
        assert f"cap reached: {kept} of {found} photos analysed" in (source.reason or "")
        assert any(w.startswith(f"cap reached: {kept} of {found} photos") for w in source.warnings)


def test_photos_under_the_cap_are_all_kept_and_nothing_is_said() -> None:
    profile = _with_sources(Platform.FACEBOOK)
    _photos(profile, Platform.FACEBOOK, 20)
    before = list(profile.media)
    assert cap_photos(profile, 20) == (before, {"found": 20, "analysed": 20, "reason": None})
    assert profile.media == before
    assert profile.sources[0].reason_code is None


@settings(max_examples=40, deadline=None)
@given(photos=st.integers(1, 20_000), batch=st.integers(1, 2000), parallelism=st.integers(1, 40))
def test_the_map_payload_is_bounded_whatever_the_counts(photos: int, batch: int, parallelism: int) -> None:
    profile = Profile(application_id="a" * 32)
    _photos(profile, Platform.FACEBOOK, photos)
    batches = image_batches(profile, batch, parallelism)
    assert 1 <= len(batches) <= MAX_IMAGE_BATCHES
    assert sum(len(b) for b in batches) == photos
    # The Map's items are the batch manifest keys ingest writes: ~60 bytes each, 40 at most.
    keys = [image_batch_key("a" * 32, i) for i in range(len(batches))]
    assert len(json.dumps(keys)) < 4096
