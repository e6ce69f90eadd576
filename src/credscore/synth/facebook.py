"""A synthetic Facebook export in one of its three layouts (A: 2019-2021, B: the `_v2` keys, C: 2024's
`your_facebook_activity/`), beside `credscore.ingest.facebook` that reads them. Text is Meta-escaped."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from credscore.synth.photos import photo
from credscore.synth.pools import (
    COMPANIES,
    GROUPS,
    PAGES,
    PROFANE_GROUPS,
    PROFANE_PAGES,
    SCHOOLS,
    names,
    person,
    text,
    timestamp,
)
from credscore.synth.zipwriter import ExportZip

PATHS: dict[str, dict[str, Any]] = {
    "A": {
        "posts": "posts/your_posts_{n}.json",
        "friends": ("friends/friends.json", "friends"),
        "requests": None,
        "comments": ("comments/comments.json", "comments"),
        "reactions": ("likes_and_reactions/posts_and_comments.json", "reactions"),
        "pages": ("likes_and_reactions/pages.json", "page_likes"),
        "groups": ("groups/your_group_membership_activity.json", "groups_joined"),
        "profile": ("profile_information/profile_information.json", "profile"),
        "media": "posts/media/",
        "messages": "messages/inbox/",
    },
    "B": {
        "posts": "posts/your_posts_{n}.json",
        "friends": ("friends_and_followers/friends.json", "friends_v2"),
        "requests": ("friends_and_followers/friend_requests_received.json", "received_requests_v2"),
        "comments": ("comments_and_reactions/comments.json", "comments_v2"),
        "reactions": ("comments_and_reactions/posts_and_comments.json", "reactions_v2"),
        "pages": ("pages/pages_you've_liked.json", "page_likes_v2"),
        "groups": ("groups/your_group_membership_activity.json", "groups_joined_v2"),
        "profile": ("profile_information/profile_information.json", "profile_v2"),
        "media": "posts/media/",
        "messages": "messages/inbox/",
    },
    "C": {
        "posts": "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_{n}.json",
        "friends": ("connections/friends/your_friends.json", "friends_v2"),
        "requests": ("connections/friends/received_friend_requests.json", "received_requests_v2"),
        "comments": ("your_facebook_activity/comments_and_reactions/comments.json", "comments_v2"),
        "reactions": ("your_facebook_activity/comments_and_reactions/likes_and_reactions_1.json", None),
        "pages": ("your_facebook_activity/pages/pages_you've_liked.json", "page_likes_v2"),
        "groups": ("your_facebook_activity/groups/your_group_membership_activity.json", "groups_joined_v2"),
        "profile": ("personal_information/profile_information/profile_information.json", "profile_v2"),
        "media": "your_facebook_activity/posts/media/",
        "messages": "your_facebook_activity/messages/inbox/",
    },
}


def _wrap(key: str | None, items: list[Any]) -> Any:
    return items if key is None else {key: items}


def write(z: ExportZip, rng: random.Random, layout: str | None, k: dict[str, Any]) -> None:
    """Write the export; the order of the sections is the order of the random draws, so it is fixed."""
    paths = PATHS[(layout or "B").upper()]
    _posts(z, rng, paths, k)
    _connections(z, rng, paths, k)
    _activity(z, rng, paths, k)
    _groups(z, rng, paths, k)
    _profile(z, rng, paths, k)
    # Private areas (must never be opened) and an empty category.
    z.json(
        f"{paths['messages']}priyasharma_1234/message_1.json",
        {"participants": [{"name": "Priya Sharma"}], "messages": [{"content": "private"}]},
    )
    z.add("events/no-data.txt", "You have no data in this section")
    if int(k.get("padding", 0)) > 0:
        z.padding(f"{paths['media']}videos_{rng.randrange(10**6)}/video_1.mp4", int(k["padding"]), rng)


def _posts(z: ExportZip, rng: random.Random, paths: dict[str, Any], k: dict[str, Any]) -> None:
    n_posts, n_photos = int(k.get("posts", 20)), int(k.get("photos", 2))
    album = f"{paths['media']}Mobileuploads_{rng.randrange(10**9, 10**10)}/"
    photo_names = [f"{album}{rng.randrange(10**14, 10**15)}_{i}_n.jpg" for i in range(n_photos)]
    for i, name in enumerate(photo_names):
        z.add(name, photo(rng, i, k))
    posts = []
    for i in range(max(n_posts, n_photos)):
        ts = timestamp(rng)
        post: dict[str, Any] = {
            "timestamp": ts,
            "title": "Asha Rao updated her status.",
            "data": [{"post": text(rng, k)}, {"update_timestamp": ts}] if i < n_posts else [],
        }
        if i < n_photos:
            media = {"uri": photo_names[i], "creation_timestamp": ts, "title": "Mobile uploads"}
            post["attachments"] = [{"data": [{"media": media}]}]
        posts.append(post)
    parts = max(1, int(k.get("post_parts", 2 if n_posts > 10 else 1)))
    for p in range(parts):
        z.json(paths["posts"].format(n=p + 1), posts[p::parts])


def _connections(z: ExportZip, rng: random.Random, paths: dict[str, Any], k: dict[str, Any]) -> None:
    friends = [{"name": person(rng), "timestamp": timestamp(rng)} for _ in range(int(k.get("friends", 150)))]
    z.json(paths["friends"][0], {paths["friends"][1]: friends})
    if paths["requests"]:
        requests = [
            {"name": person(rng), "timestamp": timestamp(rng)}
            for _ in range(int(k.get("friend_requests", 12)))
        ]
        z.json(paths["requests"][0], {paths["requests"][1]: requests})


def _activity(z: ExportZip, rng: random.Random, paths: dict[str, Any], k: dict[str, Any]) -> None:
    """Comments, reactions and liked pages."""
    comments = [
        {
            "timestamp": (ts := timestamp(rng)),
            "title": "Asha Rao commented on a post.",
            "data": [{"comment": {"timestamp": ts, "comment": text(rng, k), "author": "Asha Rao"}}],
        }
        for _ in range(int(k.get("comments", 10)))
    ]
    z.json(paths["comments"][0], {paths["comments"][1]: comments})
    reactions = [
        {
            "timestamp": timestamp(rng),
            "title": "Asha Rao liked a post.",
            "data": [{"reaction": {"reaction": "LIKE", "actor": "Asha Rao"}}],
        }
        for _ in range(int(k.get("reactions", 60)))
    ]
    z.json(paths["reactions"][0], _wrap(paths["reactions"][1], reactions))
    pages = [
        {"name": n, "timestamp": timestamp(rng)}
        for n in names(rng, int(k.get("pages", 8)), PAGES, PROFANE_PAGES)
    ]
    z.json(paths["pages"][0], {paths["pages"][1]: pages})


def _groups(z: ExportZip, rng: random.Random, paths: dict[str, Any], k: dict[str, Any]) -> None:
    events = [
        {
            "timestamp": timestamp(rng, 2015, 2020),
            "title": f"You became a member of {name}.",
            "data": [{"name": name}],
        }
        for name in names(rng, int(k.get("groups", 5)), GROUPS, PROFANE_GROUPS)
    ]
    left = f"{GROUPS[0]} (old)"  # joined then left: not a current group
    events += [
        {
            "timestamp": timestamp(rng, 2012, 2013),
            "title": f"You became a member of {left}.",
            "data": [{"name": left}],
        },
        {
            "timestamp": timestamp(rng, 2014, 2014),
            "title": f"You stopped being a member of {left}.",
            "data": [{"name": left}],
        },
    ]
    z.json(paths["groups"][0], {paths["groups"][1]: events})


def _profile(z: ExportZip, rng: random.Random, paths: dict[str, Any], k: dict[str, Any]) -> None:
    birth_year = k.get("birth_year", 1990)
    registered = dt.datetime(int(k.get("registration_year", 2010)), 5, 2, tzinfo=dt.UTC)
    profile = {
        "name": {"full_name": "Asha Rao", "first_name": "Asha", "last_name": "Rao"},
        "emails": {"emails": ["asha.rao@example.com"]},
        "birthday": {"year": int(birth_year) if birth_year is not None else 0, "month": 3, "day": 14},
        "gender": {"gender_option": "FEMALE"},
        "current_city": {"name": "Pune, Maharashtra"},
        "education_experiences": [
            {
                "name": SCHOOLS[1],
                "start_timestamp": timestamp(rng, 2008, 2008),
                "end_timestamp": timestamp(rng, 2012, 2012),
                "graduated": True,
                "concentrations": ["Computer Science"],
                "school_type": "College",
            },
        ],
        "work_experiences": [
            {"employer": COMPANIES[0], "title": "Engineer", "start_timestamp": timestamp(rng, 2013, 2013)}
        ],
        "registration_timestamp": int(registered.timestamp()),
        "phone_numbers": [{"phone_type": "Mobile", "phone_number": "+910000000000", "verified": True}],
    }
    z.json(paths["profile"][0], {paths["profile"][1]: profile})
