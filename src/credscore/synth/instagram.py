"""A synthetic Instagram export in one of its three generations (1: `account_information/`, 2: 2023's
`your_instagram_activity/`, 3: 2024's nested personal information and `title`-only following), beside
`credscore.ingest.instagram` that reads them. Text is Meta-escaped."""

from __future__ import annotations

import random
from typing import Any

from credscore.synth.photos import photo
from credscore.synth.pools import PAGES, PROFANE_PAGES, names, text, timestamp
from credscore.synth.zipwriter import ExportZip

PATHS: dict[str, dict[str, str]] = {
    "1": {
        "profile": "account_information/personal_information.json",
        "followers": "followers_and_following/followers.json",
        "following": "followers_and_following/following.json",
        "posts": "content/posts_1.json",
        "comments": "comments/post_comments.json",
        "liked": "likes/liked_posts.json",
        "media": "media/posts/",
    },
    "2": {
        "profile": "personal_information/personal_information.json",
        "followers": "connections/followers_and_following/followers_1.json",
        "following": "connections/followers_and_following/following.json",
        "posts": "your_instagram_activity/content/posts_1.json",
        "comments": "your_instagram_activity/comments/post_comments_1.json",
        "liked": "your_instagram_activity/likes/liked_posts.json",
        "media": "media/posts/",
    },
    "3": {
        "profile": "personal_information/personal_information/personal_information.json",
        "followers": "connections/followers_and_following/followers_1.json",
        "following": "connections/followers_and_following/following.json",
        "posts": "your_instagram_activity/media/posts_1.json",
        "comments": "your_instagram_activity/comments/post_comments_1.json",
        "liked": "your_instagram_activity/likes/liked_posts.json",
        "media": "media/posts/",
    },
}


def write(z: ExportZip, rng: random.Random, layout: str | None, k: dict[str, Any]) -> None:
    """Write the export (layout "1", "2" or "3", optionally "instagram-"-prefixed); the order of the files
    is the order of the random draws."""
    generation = (layout or "2").removeprefix("instagram-")
    paths = PATHS[generation]
    birth_year = k.get("birth_year", 1992)
    dob = f"{birth_year}-07-21" if birth_year is not None else "1919-01-01"
    fields = {"Username": "asha.rao", "Name": "Asha Ráo", "Date of birth": dob, "Private Account": "False"}
    string_map = {name: {"href": "", "value": value, "timestamp": 0} for name, value in fields.items()}
    z.json(paths["profile"], {"profile_user": [{"string_map_data": string_map}]})
    _connections(z, rng, generation, k)
    _posts(z, rng, paths, k)
    comments = [
        {
            "string_map_data": {
                "Comment": {"value": text(rng, k)},
                "Media Owner": {"value": "friend"},
                "Time": {"timestamp": timestamp(rng)},
            }
        }
        for _ in range(int(k.get("comments", 10)))
    ]
    z.json(paths["comments"], comments if generation != "1" else {"comments_media_comments": comments})
    liked = [
        {"title": f"user{i}", "string_list_data": [{"href": "", "value": "👍", "timestamp": timestamp(rng)}]}
        for i in range(int(k.get("liked", 80)))
    ]
    z.json(paths["liked"], {"likes_media_likes": liked})
    inbox = "messages/inbox/" if generation == "1" else "your_instagram_activity/messages/inbox/"
    z.json(f"{inbox}friend_1/message_1.json", {"messages": [{"content": "private"}]})


def _connections(z: ExportZip, rng: random.Random, generation: str, k: dict[str, Any]) -> None:
    """Followers (numbered users) and following (page-like accounts, about one in six profane)."""
    paths = PATHS[generation]
    followers = [
        {
            "title": "",
            "media_list_data": [],
            "string_list_data": [
                {
                    "href": f"https://www.instagram.com/user{i}",
                    "value": f"user{i}",
                    "timestamp": timestamp(rng),
                }
            ],
        }
        for i in range(int(k.get("followers", 150)))
    ]
    z.json(paths["followers"], followers if generation != "1" else {"relationships_followers": followers})
    following_names = [
        n.lower().replace(" ", "_") for n in names(rng, int(k.get("following", 40)), PAGES, PROFANE_PAGES)
    ]
    following = [
        {
            "title": n,
            "string_list_data": [{"href": f"https://www.instagram.com/_u/{n}", "timestamp": timestamp(rng)}],
        }
        if generation == "3"
        else {
            "title": "",
            "string_list_data": [
                {"href": f"https://www.instagram.com/{n}", "value": n, "timestamp": timestamp(rng)}
            ],
        }
        for n in following_names
    ]
    z.json(paths["following"], {"relationships_following": following})


def _posts(z: ExportZip, rng: random.Random, paths: dict[str, str], k: dict[str, Any]) -> None:
    posts = []
    n_photos = int(k.get("photos", 2))
    for i in range(max(int(k.get("posts", 12)), n_photos)):
        ts = timestamp(rng)
        uri = f"{paths['media']}{202001 + i % 12}/{rng.randrange(10**17, 10**18)}.jpg"
        if i < n_photos:
            z.add(uri, photo(rng, i, k))
        posts.append({"media": [{"uri": uri, "creation_timestamp": ts, "title": text(rng, k)}]})
    z.json(paths["posts"], posts)
