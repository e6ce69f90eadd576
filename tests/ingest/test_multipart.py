"""Multi-part Facebook downloads: photos and the posts naming them can sit in different parts, in any order."""

from __future__ import annotations

import itertools

import pytest

from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile, SourceStatus
from tests.ingest.helpers import make_zip, meta

JPEG = b"\xff\xd8\xff\xe0fake"
ALBUM = "posts/media/Mobileuploads_1/"


def _post(text: str, *photos: str) -> dict:
    return {
        "timestamp": 1_600_000_000,
        "data": [{"post": text}],
        "attachments": [{"data": [{"media": {"uri": ALBUM + p}} for p in photos]}],
    }


# Part 1 holds posts_1 and a photo that only posts_2 (in part 2) names; part 3 holds nothing but media.
PARTS = {
    "part-1": {
        "posts/your_posts_1.json": [_post("one", "a.jpg")],
        ALBUM + "a.jpg": JPEG,
        ALBUM + "b.jpg": JPEG,
    },
    "part-2": {
        "posts/your_posts_2.json": [_post("two", "b.jpg", "c.jpg", "d.jpg")],
        ALBUM + "c.jpg": JPEG,
        ALBUM + "clip.mp4": b"video",
    },
    "part-3": {ALBUM + "d.jpg": JPEG},
}


@pytest.mark.parametrize("order", list(itertools.permutations(PARTS)), ids="-".join)
def test_every_photo_is_found_in_the_part_holding_it_whatever_the_order(order: tuple[str, ...]) -> None:
    profile = Profile(application_id="a")
    reports = [ingest_archive(profile, Platform.FACEBOOK, make_zip(PARTS[key]), key) for key in order]
    assert all(r.status == SourceStatus.PARSED for r in reports)
    held_by = {"a.jpg": "part-1", "b.jpg": "part-1", "c.jpg": "part-2", "d.jpg": "part-3"}
    assert sorted((m.member.rsplit("/", 1)[-1], m.archive) for m in profile.media) == sorted(held_by.items())
    assert sorted(t.text for t in profile.texts) == ["one", "two"]
    Profile.model_validate(profile.model_dump(mode="json"))


def test_a_photo_named_twice_in_one_part_is_referenced_once() -> None:
    profile = Profile(application_id="a")
    members = {"posts/your_posts_1.json": [_post("x", "a.jpg"), _post("y", "a.jpg")], ALBUM + "a.jpg": JPEG}
    ingest_archive(profile, Platform.FACEBOOK, make_zip(members), "k")
    assert [m.member for m in profile.media] == [ALBUM + "a.jpg"]
    assert profile.media[0].timestamp == 1_600_000_000  # the naming post's time, not the folder fallback


def test_a_photo_in_no_part_is_dropped_with_a_warning() -> None:
    profile = Profile(application_id="a")
    report = ingest_archive(
        profile, Platform.FACEBOOK, make_zip({"posts/your_posts_1.json": [_post("x", "gone.jpg")]}), "k"
    )
    assert profile.media == []
    assert any("not in this part" in w for w in report.warnings)


def test_a_part_with_only_other_media_is_empty() -> None:
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform.FACEBOOK, make_zip({ALBUM + "clip.mp4": b"v"}), "k")
    assert report.status == SourceStatus.REJECTED
    assert report.reason_code == "empty_export"
    assert profile == Profile(application_id="a")


def test_localised_keys_are_repaired_like_values() -> None:
    """Meta escapes every string, keys included: a Turkish 'Doğum tarihi' key must still be found."""
    profile = Profile(application_id="a")
    document = {
        "profile_user": [
            {
                "string_map_data": {
                    meta("Kullanıcı adı"): {"value": "asha"},
                    meta("Doğum tarihi"): {"value": "1990-03-14"},
                    meta("Kayıt tarihi"): {"value": "2015-06-01"},
                }
            }
        ]
    }
    report = ingest_archive(
        profile,
        Platform.INSTAGRAM,
        make_zip({"personal_information/personal_information/personal_information.json": document}),
        "k",
    )
    assert report.status == SourceStatus.PARSED
    assert [(b.year, b.month, b.day) for b in profile.birth_dates] == [(1990, 3, 14)]


IG_MEDIA = "media/posts/202401/"
IG_PARTS = {
    "ig-1": {
        "your_instagram_activity/content/posts_1.json": [
            {"media": [{"uri": IG_MEDIA + "1.jpg", "creation_timestamp": 1_700_000_000, "title": "first"}]},
            {"media": [{"uri": IG_MEDIA + "2.jpg", "creation_timestamp": 1_700_000_000, "title": "second"}]},
        ],
        IG_MEDIA + "1.jpg": JPEG,
    },
    "ig-2": {IG_MEDIA + "2.jpg": JPEG, "media/stories/202401/s.jpg": JPEG},
}


@pytest.mark.parametrize("order", [("ig-1", "ig-2"), ("ig-2", "ig-1")], ids="-".join)
def test_instagram_posts_photos_are_found_in_the_part_holding_them(order: tuple[str, str]) -> None:
    profile = Profile(application_id="a")
    reports = [ingest_archive(profile, Platform.INSTAGRAM, make_zip(IG_PARTS[key]), key) for key in order]
    assert all(r.status == SourceStatus.PARSED for r in reports)
    assert sorted((m.member, m.archive) for m in profile.media) == [
        (IG_MEDIA + "1.jpg", "ig-1"),
        (IG_MEDIA + "2.jpg", "ig-2"),  # stories are not posts: not the applicant's posted photos
    ]
    (first,) = [r for key, r in zip(order, reports, strict=True) if key == "ig-1"]
    assert any("not in this part" in w for w in first.warnings)
