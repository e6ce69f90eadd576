"""Photo batches for the Map state: bounded, balanced, in full waves of the Map's concurrency, and in the order
the photos lie in their archives."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from credscore.ingest.ingest_archive import ingest_archive
from credscore.ingest.pipeline import MAX_IMAGE_BATCHES, MIN_PHOTOS_PER_BATCH, image_batches
from credscore.profile import MediaRef, Platform, Profile
from credscore.synth import make_export


def _profile(photos: int, archives: int = 1) -> Profile:
    profile = Profile(application_id="a" * 32)
    profile.media = [
        MediaRef(
            platform=Platform.FACEBOOK,
            archive=f"uploads/a/facebook/part-{i % archives + 1}.zip",
            member=f"photos/{i:05d}.jpg",
            src=0,
        )
        for i in range(photos)
    ]
    return profile


def test_heavy_applicant_gets_full_waves() -> None:
    batches = image_batches(_profile(502), max_size=50, parallelism=4)
    assert [len(b) for b in batches] == [42] * 10 + [41] * 2


def test_few_photos_are_not_split_below_the_minimum() -> None:
    assert [len(b) for b in image_batches(_profile(5), max_size=50, parallelism=4)] == [5]
    assert [len(b) for b in image_batches(_profile(20), max_size=50, parallelism=4)] == [10, 10]
    assert [len(b) for b in image_batches(_profile(40), max_size=50, parallelism=4)] == [10] * 4
    assert image_batches(_profile(0), max_size=50, parallelism=4) == []


@given(
    photos=st.integers(1, 3000),
    archives=st.integers(1, 3),
    max_size=st.integers(1, 120),
    parallelism=st.integers(1, 16),
)
def test_batches_are_bounded_balanced_and_complete(
    photos: int, archives: int, max_size: int, parallelism: int
) -> None:
    profile = _profile(photos, archives)
    batches = image_batches(profile, max_size=max_size, parallelism=parallelism)
    assert len(batches) <= MAX_IMAGE_BATCHES  # the Map's payload stays bounded
    max_size = max(max_size, -(-photos // MAX_IMAGE_BATCHES))  # raised only to keep within that bound
    sizes = [len(b) for b in batches]
    assert max(sizes) <= max_size
    assert max(sizes) - min(sizes) <= 1
    flat = [ref for batch in batches for ref in batch]
    assert flat == sorted(profile.media, key=lambda m: (m.archive, m.member)), "each photo once, by archive"
    fewest = -(-photos // max_size)
    full_waves = min(-(-fewest // parallelism) * parallelism, MAX_IMAGE_BATCHES)
    smallest_allowed = min(MIN_PHOTOS_PER_BATCH, max_size)
    assert fewest <= len(batches) <= full_waves
    if len(batches) > fewest:  # split further than the size limit needs: only to fill the Map's waves
        assert min(sizes) >= smallest_allowed
    if len(batches) < full_waves:  # full waves were not reached: only because batches would get too small
        assert photos // (len(batches) + 1) < smallest_allowed


def test_photos_are_batched_in_the_order_they_lie_in_their_archive() -> None:
    # Named out of their archive's order (a post's photos are listed newest first; names carry random ids), they
    # are batched by where they lie, so neighbours share a batch and one ranged read; a photo without an offset
    # (an older profile) comes after those with one, by name.
    profile = Profile(application_id="a" * 32)
    lying = {"b.jpg": 300, "c.jpg": 0, "a.jpg": 200, "d.jpg": None, "e.jpg": 100}
    for archive in ("part-2.zip", "part-1.zip"):
        profile.media += [
            MediaRef(platform=Platform.FACEBOOK, archive=archive, member=name, src=0, offset=offset)
            for name, offset in lying.items()
        ]
    (batch,) = image_batches(profile, max_size=50)
    assert [(ref.archive, ref.member) for ref in batch] == [
        (archive, name)
        for archive in ("part-1.zip", "part-2.zip")
        for name in ("c.jpg", "e.jpg", "a.jpg", "b.jpg", "d.jpg")
    ]


def test_ingest_records_where_each_photo_lies_in_its_archive(tmp_path: Path) -> None:
    path = tmp_path / "facebook.zip"
    make_export("facebook", path, seed=3, posts=20, photos=6)
    profile = Profile(application_id="a" * 32)
    with path.open("rb") as handle:
        ingest_archive(profile, Platform.FACEBOOK, handle, "uploads/x/facebook.zip")
    with zipfile.ZipFile(path) as archive:
        offsets = {info.filename: info.header_offset for info in archive.infolist()}
    assert profile.media
    assert [ref.offset for ref in profile.media] == [offsets[ref.member] for ref in profile.media]
