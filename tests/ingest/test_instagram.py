from __future__ import annotations

import pytest

from credscore.ingest.instagram import birth_date_value
from credscore.profile import SourceStatus

from .helpers import ingest, meta


def _profile(dob: str, key: str = "Date of birth") -> dict:
    return {
        "profile_user": [
            {
                "string_map_data": {
                    "Username": {"value": "asha"},
                    key: {"value": dob},
                    "Private Account": {"value": "False"},
                }
            }
        ]
    }


@pytest.mark.parametrize(
    ("paths", "layout"),
    [
        (
            {
                "profile": "account_information/personal_information.json",
                "followers": "followers_and_following/followers.json",
                "following": "followers_and_following/following.json",
                "posts": "content/posts_1.json",
                "comments": "comments/post_comments.json",
                "liked": "likes/liked_posts.json",
            },
            "instagram-1",
        ),
        (
            {
                "profile": "personal_information/personal_information.json",
                "followers": "connections/followers_and_following/followers_1.json",
                "following": "connections/followers_and_following/following.json",
                "posts": "your_instagram_activity/content/posts_1.json",
                "comments": "your_instagram_activity/comments/post_comments_1.json",
                "liked": "your_instagram_activity/likes/liked_posts.json",
            },
            "instagram-2",
        ),
        (
            {
                "profile": "personal_information/personal_information/personal_information.json",
                "followers": "connections/followers_and_following/followers_1.json",
                "following": "connections/followers_and_following/following.json",
                "posts": "your_instagram_activity/media/posts_1.json",
                "comments": "your_instagram_activity/comments/post_comments_1.json",
                "liked": "your_instagram_activity/likes/liked_posts.json",
            },
            "instagram-3",
        ),
    ],
)
def test_three_generations(paths: dict[str, str], layout: str) -> None:
    follower = {"string_list_data": [{"href": "h", "value": "f", "timestamp": 1_600_000_000}]}
    profile, report = ingest(
        "instagram",
        {
            paths["profile"]: _profile("1992-07-21"),
            paths["followers"]: {"relationships_followers": [follower] * 3}
            if layout == "instagram-1"
            else [follower] * 3,
            paths["following"]: {
                "relationships_following": [
                    {"title": "", "string_list_data": [{"value": "old_style"}]},
                    {"title": "new_style"},
                ]
            },
            paths["posts"]: [
                {
                    "media": [
                        {
                            "uri": "media/posts/202001/1.jpg",
                            "creation_timestamp": 1_600_000_000,
                            "title": meta("Sunset 🌅"),
                        }
                    ]
                },
                {
                    "title": "carousel",
                    "creation_timestamp": 1_600_000_500,
                    "media": [{"uri": "media/posts/202001/2.webp"}, {"uri": "media/posts/202001/3.mp4"}],
                },
            ],
            "media/posts/202001/1.jpg": b"jpg",
            "media/posts/202001/2.webp": b"webp",
            "media/posts/202001/3.mp4": b"v",
            paths["comments"]: [
                {"string_map_data": {"Comment": {"value": "so nice"}, "Time": {"timestamp": 1.7e9}}}
            ],
            paths["liked"]: {"likes_media_likes": [{"title": "x"}] * 5},
            "your_instagram_activity/messages/inbox/a/message_1.json": {"messages": []},
        },
    )
    assert report.status == SourceStatus.PARSED
    assert report.layout == layout
    (bd,) = profile.birth_dates
    assert (bd.year, bd.month, bd.day) == (1992, 7, 21)
    (account,) = profile.accounts
    assert (account.followers, account.following, account.reactions_given) == (3, 2, 5)
    assert [(n.kind, n.name) for n in profile.names] == [
        ("following", "old_style"),
        ("following", "new_style"),
    ]
    assert [(t.kind, t.text) for t in profile.texts] == [
        ("caption", "Sunset 🌅"),
        ("caption", "carousel"),
        ("comment", "so nice"),
    ]
    assert [m.member for m in profile.media] == ["media/posts/202001/1.jpg", "media/posts/202001/2.webp"]
    assert profile.media[1].timestamp == 1_600_000_500


def test_default_birth_date_means_unknown() -> None:
    profile, report = ingest(
        "instagram", {"personal_information/personal_information.json": _profile("1919-01-01")}
    )
    assert report.status == SourceStatus.PARSED
    assert profile.birth_dates == []


def test_localised_birth_date_key() -> None:
    assert birth_date_value(
        {"Fecha de nacimiento": {"value": "1990-02-03"}, "X": {"value": "2020-01-01"}}
    ) == ("1990-02-03")
    assert birth_date_value({"Geburtstag?": {"value": "1990-02-03"}}) == "1990-02-03"  # the only date
    assert birth_date_value({"a": {"value": "1990-02-03"}, "b": {"value": "2000-01-01"}}) is None
