from __future__ import annotations

import pytest

from credscore.profile import SourceStatus

from .helpers import ingest, make_zip, meta

JPEG = b"\xff\xd8\xff\xe0fake-jpeg"


def _post(text: str | None, ts: int = 1_700_000_000, uri: str | None = None) -> dict:
    post: dict = {"timestamp": ts, "data": [{"post": text}] if text else []}
    if uri:
        post["attachments"] = [{"data": [{"media": {"uri": uri, "creation_timestamp": ts + 1}}]}]
    return post


def test_layout_b_everything() -> None:
    profile, report = ingest(
        "facebook",
        {
            "facebook-asha/posts/your_posts_1.json": [
                _post(meta("Café day ☕"), uri="posts/media/Album_1/1_n.JPG")
            ],
            "facebook-asha/posts/your_posts_2.json": [_post("second"), _post(None)],
            "facebook-asha/posts/media/Album_1/1_n.JPG": JPEG,
            "facebook-asha/friends_and_followers/friends.json": {
                "friends_v2": [{"name": "A", "timestamp": 1}] * 3
            },
            "facebook-asha/friends_and_followers/friend_requests_received.json": {
                "received_requests_v2": [{}] * 2
            },
            "facebook-asha/comments_and_reactions/comments.json": {
                "comments_v2": [
                    {
                        "timestamp": 1_650_000_000,
                        "data": [{"comment": {"timestamp": 1_650_000_001, "comment": "nice"}}],
                    },
                    {"timestamp": 1_650_000_000},
                ]
            },
            "facebook-asha/comments_and_reactions/posts_and_comments.json": {"reactions_v2": [{}] * 7},
            "facebook-asha/pages_and_profiles/pages_you've_liked.json": {
                "page_likes_v2": [{"name": meta("Müller")}]
            },
            "facebook-asha/groups/your_group_membership_activity.json": {
                "groups_joined_v2": [
                    {
                        "timestamp": 1_600_000_000,
                        "title": "You became a member of Hikers.",
                        "data": [{"name": "Hikers"}],
                    },
                    {
                        "timestamp": 1_600_000_100,
                        "title": "You became a member of Old.",
                        "data": [{"name": "Old"}],
                    },
                    {
                        "timestamp": 1_600_000_200,
                        "title": "You stopped being a member of Old.",
                        "data": [{"name": "Old"}],
                    },
                ]
            },
            "facebook-asha/profile_information/profile_information.json": {
                "profile_v2": {
                    "birthday": {"year": 1991, "month": 3, "day": 0},
                    "registration_timestamp": 1_262_304_000,
                    "education_experiences": [
                        {"name": "IIT", "graduated": True, "end_timestamp": 1_341_100_800}
                    ],
                }
            },
            "facebook-asha/messages/inbox/friend_1/message_1.json": {"messages": []},
        },
        key="uploads/app/facebook/part-1.zip",
    )
    assert report.status == SourceStatus.PARSED
    assert report.layout == "facebook-B"
    assert [(t.kind, t.text) for t in profile.texts] == [
        ("post", "Café day ☕"),
        ("post", "second"),
        ("comment", "nice"),
    ]
    assert profile.texts[2].timestamp == 1_650_000_001
    (photo,) = profile.media
    assert photo.member == "facebook-asha/posts/media/Album_1/1_n.JPG"
    assert photo.archive == "uploads/app/facebook/part-1.zip"
    assert photo.timestamp == 1_700_000_001
    (account,) = profile.accounts
    assert (account.friends, account.invitations_received, account.reactions_given) == (3, 2, 7)
    assert account.created_at == 1_262_304_000
    assert [(n.kind, n.name) for n in profile.names] == [("page", "Müller"), ("group", "Hikers")]
    (bd,) = profile.birth_dates
    assert (bd.year, bd.month, bd.day) == (1991, 3, None)
    assert profile.education[0].graduated is True
    assert profile.education[0].end_year == 2012
    # provenance is relative to the export root: no wrapper folder (it carries the user's name)
    assert all(not f.name.startswith("facebook-asha") for f in profile.files)
    assert not any("messages" in f.name for f in profile.files)


def test_layout_a_wrapper_keys() -> None:
    profile, report = ingest(
        "facebook",
        {
            "friends/friends.json": {"friends": [{"name": "A"}] * 4},
            "likes_and_reactions/pages.json": {"page_likes": [{"name": "P"}]},
            "likes_and_reactions/posts_and_comments.json": {"reactions": [{}] * 5},
            "comments/comments.json": {
                "comments": [{"data": [{"comment": {"comment": "hi", "timestamp": 1.6e9}}]}]
            },
            "groups/your_group_membership_activity.json": {
                "groups_joined": [{"title": "You became a member of G."}]
            },
        },
    )
    assert report.layout == "facebook-A"
    assert profile.accounts[0].friends == 4
    assert profile.accounts[0].reactions_given == 5
    assert [(n.kind, n.name) for n in profile.names] == [("page", "P"), ("group", "G")]
    assert profile.texts[0].timestamp == 1_600_000_000


def test_layout_c_bare_lists_and_label_values() -> None:
    profile, report = ingest(
        "facebook",
        {
            "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json": [
                _post("c-post", uri="your_facebook_activity/posts/media/x/2.jpg")
            ],
            "your_facebook_activity/posts/media/x/2.jpg": JPEG,
            "connections/friends/your_friends.json": {"friends_v2": [{"name": "A"}]},
            "connections/friends/received_friend_requests.json": {"received_requests_v2": []},
            "your_facebook_activity/comments_and_reactions/likes_and_reactions_1.json": [{}, {}],
            "your_facebook_activity/comments_and_reactions/likes_and_reactions_2.json": {
                "label_values": [{}]
            },
            "your_facebook_activity/pages/pages_you_ve_liked.json": {"page_likes_v2": [{"name": "Spelled"}]},
            "personal_information/profile_information/profile_information.json": {
                "profile_v2": {"birthday": {"year": 0, "month": 5, "day": 2}}
            },
        },
    )
    assert report.layout == "facebook-C"
    account = profile.accounts[0]
    assert (account.friends, account.invitations_received, account.reactions_given) == (1, 0, 3)
    assert profile.birth_dates == []  # year 0: the user hid it
    assert [n.name for n in profile.names] == ["Spelled"]
    assert len(profile.media) == 1


def test_media_only_part_contributes_its_photos_and_json_part_warns() -> None:
    profile, report = ingest(
        "facebook",
        {
            "posts/your_posts_1.json": [_post("x", uri="posts/media/A/9.jpg")],
            "friends_and_followers/friends.json": {"friends_v2": []},
        },
    )
    assert profile.media == []
    assert any("not in this part" in w for w in report.warnings)
    profile2, report2 = ingest("facebook", {"posts/media/A/9.jpg": JPEG, "posts/media/A/clip.mp4": b"v"})
    assert report2.status == SourceStatus.PARSED
    assert [m.member for m in profile2.media] == ["posts/media/A/9.jpg"]


@pytest.mark.parametrize(
    ("members", "code"),
    [
        ({"posts/no-data.txt": "You have no data", "events/no-data.txt": "none"}, "empty_export"),
        ({"start_here.html": "<html>", "posts/your_posts_1.html": "<html>"}, "html_export"),
        ({"posts/your_posts_1.json": "{not json"}, "invalid_json"),
        (
            {"Connections.csv": "First Name,Connected On\nA,01 Jan 2020\n", "Skills.csv": "Name\nX\n"},
            "wrong_platform",
        ),
    ],
)
def test_rejections(members: dict, code: str) -> None:
    profile, report = ingest("facebook", members)
    assert report.status == SourceStatus.REJECTED
    assert report.reason_code == code
    assert report.reason
    assert profile.texts == []
    assert profile.files == []


def test_mojibake_repair_keeps_real_text() -> None:
    profile, _ = ingest(
        "facebook", {"posts/your_posts_1.json": [_post(meta("naïve – 日本")), _post("plain ü")]}
    )
    assert [t.text for t in profile.texts] == ["naïve – 日本", "plain ü"]


def test_bad_items_are_skipped_not_raised() -> None:
    profile, report = ingest(
        "facebook",
        {
            "posts/your_posts_1.json": [
                None,
                3,
                "x",
                {"data": "nope"},
                {"data": [{"post": 5}], "attachments": [{"data": [{"media": "x"}]}]},
                {"timestamp": -5, "data": [{"post": "bad time"}]},
                {"timestamp": 0, "data": [{"post": "ok"}]},
            ]
        },
    )
    assert report.status == SourceStatus.PARSED
    # 0 means the export does not say; -5 is not a time, so that post alone is skipped and counted.
    assert [(t.text, t.timestamp) for t in profile.texts] == [("ok", None)]
    assert "1 post(s) skipped: invalid timestamp" in report.warnings


def test_a_second_part_fills_the_same_account() -> None:
    from credscore.ingest.ingest_archive import ingest_archive
    from credscore.profile import Platform, Profile

    profile = Profile(application_id="a")
    ingest_archive(
        profile,
        Platform.FACEBOOK,
        make_zip({"friends_and_followers/friends.json": {"friends_v2": [{}] * 2}}),
        "k1",
    )
    ingest_archive(
        profile,
        Platform.FACEBOOK,
        make_zip(
            {
                "profile_information/profile_information.json": {
                    "profile_v2": {"registration_timestamp": 1.3e9}
                }
            }
        ),
        "k2",
    )
    (account,) = profile.accounts
    assert (account.friends, account.created_at) == (2, 1_300_000_000)
