"""Synthetic, realistic data exports for tests, demos and benchmarks (no real person's data).

`make_export(platform, out, seed=..., layout=..., **knobs)` writes one zip laid out as the platform's real
exports are: numbered parts, wrapper folders, `no-data.txt`, Meta mojibake, private areas that the parsers must
never open, small real JPEG photos, and optional big video padding. Deterministic per seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["KNOBS", "PLATFORMS", "big_jpeg", "make_export", "mojibake"]

PLATFORMS = ("facebook", "linkedin", "x", "instagram")
_EPOCH = dt.datetime(1980, 1, 1)  # fixed zip timestamps keep the output byte-identical per seed

POSITIVE = (
    "Had a wonderful day with the family at the lake, feeling grateful!",
    "Congratulations to my sister on her graduation, so proud of her.",
    "Great news: I finally finished the marathon. Thank you all for the support!",
    "Loving the new café in town, the coffee is excellent.",
    "Happy to share that I started a new job today. Excited for this journey!",
    "Beautiful sunset tonight, life is good.",
    "Thanks everyone for the lovely birthday wishes ❤️",
)
NEGATIVE = (
    "Worst service ever, I am so angry and disappointed.",
    "Terrible traffic again, this city is a disaster.",
    "Feeling sad and tired, what an awful week.",
    "I hate when people cancel at the last minute. So annoying.",
    "The delayed flight ruined our holiday, horrible experience.",
)
NEUTRAL = (
    "Moving to a new apartment next month.",
    "Does anyone know a good plumber near the station?",
    "Reading a book about the history of trains.",
)
GROUPS = (
    "Neighbourhood Book Club",
    "Weekend Hikers Pune",
    "São Paulo Runners",
    "Home Bakers United",
    "Python Developers India",
    "Photography Beginners",
    "Parents of Toddlers",
    "Used Bikes Market",
    "Gardening Tips & Tricks",
    "Classic Movies Forum",
)
PROFANE_GROUPS = ("Shitposting Central", "Fuck Mondays Club")
PAGES = (
    "City Library",
    "Café Aroma",
    "National Geographic",
    "Local Football Club",
    "Healthy Recipes",
    "Tech News Daily",
    "Mountain Rescue Team",
    "Jazz Nights",
    "Electric Cars Fans",
    "Street Food Lovers",
    "Museum of Art",
    "Yoga Every Day",
)
PROFANE_PAGES = ("Damn Good Memes", "Bullshit Detector")
FIRST = ("Asha", "Ravi", "Meera", "João", "Ana", "Liam", "Zoë", "Kenji", "Fatima", "Omar", "Priya", "Lukas")
LAST = ("Rao", "Sharma", "Iyer", "Silva", "Müller", "Kim", "Okafor", "Novak", "García", "Singh")
SKILLS = (
    "Python",
    "SQL",
    "Project Management",
    "Data Analysis",
    "Public Speaking",
    "Leadership",
    "Machine Learning",
    "Excel",
    "Negotiation",
    "Customer Service",
    "Java",
    "Accounting",
    "Marketing",
    "Team Building",
    "Cloud Computing",
    "Technical Writing",
    "Sales",
    "Budgeting",
    "Design",
    "Research",
)
SCHOOLS = ("University of Pune", "IIT Bombay", "St. Xavier's College", "Universidade de São Paulo")
COMPANIES = ("Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Industries")


def mojibake(text: str) -> str:
    """How Meta escapes text: each UTF-8 byte becomes one code point (written as \\u00XX in the JSON)."""
    return text.encode("utf-8").decode("latin-1")


def _meta(value: Any) -> Any:
    if isinstance(value, str):
        return mojibake(value)
    if isinstance(value, list):
        return [_meta(v) for v in value]
    if isinstance(value, dict):
        return {k: _meta(v) for k, v in value.items()}
    return value


class _Zip:
    """Deterministic zip writer with an optional wrapper folder."""

    def __init__(self, out: str | Path | BinaryIO, prefix: str = "") -> None:
        self.zf = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self.prefix = prefix

    def add(self, name: str, data: bytes | str, *, stored: bool = False) -> None:
        info = zipfile.ZipInfo(self.prefix + name, date_time=_EPOCH.timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)

    def json(self, name: str, document: Any, *, meta: bool = True) -> None:
        self.add(name, json.dumps(_meta(document) if meta else document, indent=2, ensure_ascii=True))

    def padding(self, name: str, size: int, rng: random.Random) -> None:
        """A big incompressible member (a video), written in chunks so memory stays small."""
        info = zipfile.ZipInfo(self.prefix + name, date_time=_EPOCH.timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED
        info.file_size = size
        block = rng.randbytes(1 << 20)
        with self.zf.open(info, "w", force_zip64=size > 0x7FFFFFFF) as stream:
            written = 0
            while written < size:
                chunk = block[: min(len(block), size - written)]
                stream.write(chunk)
                written += len(chunk)

    def close(self) -> None:
        self.zf.close()


def jpeg(rng: random.Random, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real JPEG: a two-colour gradient (Pillow)."""
    from PIL import Image

    a = [rng.randrange(256) for _ in range(3)]
    b = [rng.randrange(256) for _ in range(3)]
    image = Image.new("RGB", size)
    width, height = size
    image.putdata(
        [
            tuple(int(a[c] + (b[c] - a[c]) * (x + y) / (width + height)) for c in range(3))
            for y in range(height)
            for x in range(width)
        ]
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def big_jpeg(rng: random.Random, size: tuple[int, int] = (2400, 1600)) -> bytes:
    """A camera-sized JPEG (about 1 MB at the default size): colour blobs with grain, made at low resolution and
    upscaled, so it takes a fraction of a second however big (Pillow)."""
    from PIL import Image

    width, height = size
    low = (max(2, width // 150), max(2, height // 150))
    blobs = Image.frombytes("RGB", low, rng.randbytes(low[0] * low[1] * 3))
    grain_size = (max(1, width // 3), max(1, height // 3))
    grain = Image.frombytes("L", grain_size, rng.randbytes(grain_size[0] * grain_size[1]))
    image = Image.blend(
        blobs.resize(size, Image.Resampling.BICUBIC),
        grain.resize(size, Image.Resampling.BILINEAR).convert("RGB"),
        0.25,
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _photo(rng: random.Random, index: int, k: dict[str, Any]) -> bytes:
    """The index-th photo of an export: the first `large_photos` are camera-sized, the others thumbnails."""
    return big_jpeg(rng) if index < int(k.get("large_photos", 0)) else jpeg(rng)


def _text(rng: random.Random, negative_share: float = 0.25) -> str:
    roll = rng.random()
    pool = NEGATIVE if roll < negative_share else NEUTRAL if roll < negative_share + 0.15 else POSITIVE
    return rng.choice(pool)


def _names(rng: random.Random, count: int, benign: tuple[str, ...], profane: tuple[str, ...]) -> list[str]:
    """Mostly benign names, about one in six profane (at least one when count ≥ 4), unique."""
    n_profane = min(len(profane), max(1 if count >= 4 else 0, count // 6))
    chosen = list(profane[:n_profane])
    pool = list(benign)
    rng.shuffle(pool)
    for i in range(count - n_profane):
        chosen.append(pool[i] if i < len(pool) else f"{pool[i % len(pool)]} {i // len(pool) + 1}")
    rng.shuffle(chosen)
    return chosen


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _ts(rng: random.Random, start_year: int = 2012, end_year: int = 2024) -> int:
    start = int(dt.datetime(start_year, 1, 1, tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime(end_year, 12, 31, tzinfo=dt.UTC).timestamp())
    return rng.randrange(start, end)


# ------------------------------------------------------------------------------------------------ facebook
_FB_PATHS: dict[str, dict[str, Any]] = {
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


def _facebook(z: _Zip, rng: random.Random, layout: str | None, k: dict[str, Any]) -> None:
    layout = (layout or "B").upper()
    paths = _FB_PATHS[layout]
    n_posts, n_photos = int(k.get("posts", 20)), int(k.get("photos", 2))
    album = f"{paths['media']}Mobileuploads_{rng.randrange(10**9, 10**10)}/"
    photo_names = [f"{album}{rng.randrange(10**14, 10**15)}_{i}_n.jpg" for i in range(n_photos)]
    for i, name in enumerate(photo_names):
        z.add(name, _photo(rng, i, k))
    posts = []
    for i in range(max(n_posts, n_photos)):
        ts = _ts(rng)
        post: dict[str, Any] = {
            "timestamp": ts,
            "title": "Asha Rao updated her status.",
            "data": [{"post": _text(rng)}, {"update_timestamp": ts}] if i < n_posts else [],
        }
        if i < n_photos:
            post["attachments"] = [
                {
                    "data": [
                        {
                            "media": {
                                "uri": photo_names[i],
                                "creation_timestamp": ts,
                                "title": "Mobile uploads",
                            }
                        }
                    ]
                }
            ]
        posts.append(post)
    parts = max(1, int(k.get("post_parts", 2 if n_posts > 10 else 1)))
    for p in range(parts):
        z.json(paths["posts"].format(n=p + 1), posts[p::parts])

    friends = [{"name": _person(rng), "timestamp": _ts(rng)} for _ in range(int(k.get("friends", 150)))]
    z.json(paths["friends"][0], {paths["friends"][1]: friends})
    if paths["requests"]:
        requests = [
            {"name": _person(rng), "timestamp": _ts(rng)} for _ in range(int(k.get("friend_requests", 12)))
        ]
        z.json(paths["requests"][0], {paths["requests"][1]: requests})
    comments = [
        {
            "timestamp": (ts := _ts(rng)),
            "title": "Asha Rao commented on a post.",
            "data": [{"comment": {"timestamp": ts, "comment": _text(rng), "author": "Asha Rao"}}],
        }
        for _ in range(int(k.get("comments", 10)))
    ]
    z.json(paths["comments"][0], {paths["comments"][1]: comments})
    reactions = [
        {
            "timestamp": _ts(rng),
            "title": "Asha Rao liked a post.",
            "data": [{"reaction": {"reaction": "LIKE", "actor": "Asha Rao"}}],
        }
        for _ in range(int(k.get("reactions", 60)))
    ]
    z.json(paths["reactions"][0], _wrap(paths["reactions"][1], reactions))
    pages = [
        {"name": n, "timestamp": _ts(rng)} for n in _names(rng, int(k.get("pages", 8)), PAGES, PROFANE_PAGES)
    ]
    z.json(paths["pages"][0], {paths["pages"][1]: pages})
    events = []
    group_names = _names(rng, int(k.get("groups", 5)), GROUPS, PROFANE_GROUPS)
    for name in group_names:
        events.append(
            {
                "timestamp": _ts(rng, 2015, 2020),
                "title": f"You became a member of {name}.",
                "data": [{"name": name}],
            }
        )
    left = f"{GROUPS[0]} (old)"  # joined then left: not a current group
    events += [
        {
            "timestamp": _ts(rng, 2012, 2013),
            "title": f"You became a member of {left}.",
            "data": [{"name": left}],
        },
        {
            "timestamp": _ts(rng, 2014, 2014),
            "title": f"You stopped being a member of {left}.",
            "data": [{"name": left}],
        },
    ]
    z.json(paths["groups"][0], {paths["groups"][1]: events})
    birth_year = k.get("birth_year", 1990)
    profile = {
        "name": {"full_name": "Asha Rao", "first_name": "Asha", "last_name": "Rao"},
        "emails": {"emails": ["asha.rao@example.com"]},
        "birthday": {"year": int(birth_year) if birth_year is not None else 0, "month": 3, "day": 14},
        "gender": {"gender_option": "FEMALE"},
        "current_city": {"name": "Pune, Maharashtra"},
        "education_experiences": [
            {
                "name": SCHOOLS[1],
                "start_timestamp": _ts(rng, 2008, 2008),
                "end_timestamp": _ts(rng, 2012, 2012),
                "graduated": True,
                "concentrations": ["Computer Science"],
                "school_type": "College",
            },
        ],
        "work_experiences": [
            {"employer": COMPANIES[0], "title": "Engineer", "start_timestamp": _ts(rng, 2013, 2013)}
        ],
        "registration_timestamp": int(
            dt.datetime(int(k.get("registration_year", 2010)), 5, 2, tzinfo=dt.UTC).timestamp()
        ),
        "phone_numbers": [{"phone_type": "Mobile", "phone_number": "+910000000000", "verified": True}],
    }
    z.json(paths["profile"][0], {paths["profile"][1]: profile})
    # Private areas (must never be opened) and an empty category.
    z.json(
        f"{paths['messages']}priyasharma_1234/message_1.json",
        {"participants": [{"name": "Priya Sharma"}], "messages": [{"content": "private"}]},
    )
    z.add("events/no-data.txt", "You have no data in this section")
    if int(k.get("padding", 0)) > 0:
        z.padding(f"{paths['media']}videos_{rng.randrange(10**6)}/video_1.mp4", int(k["padding"]), rng)


# ------------------------------------------------------------------------------------------------ linkedin
def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _linkedin(z: _Zip, rng: random.Random, layout: str | None, k: dict[str, Any]) -> None:
    notes = (
        'Notes:\n"When exporting your connection data, you may notice that some of the email addresses '
        'are missing. You will only see email addresses for connections who have allowed it."\n\n'
    )
    rows = [["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]]
    for i in range(int(k.get("connections", 250))):
        when = dt.date.fromtimestamp(_ts(rng)).strftime("%d %b %Y")
        if i % 37 == 5:  # hidden profile: only the date
            rows.append(["", "", "", "", "", "", when])
        else:
            first, last = _person(rng).split(" ", 1)
            rows.append(
                [
                    first,
                    last,
                    f"https://www.linkedin.com/in/{first.lower()}-{i}",
                    "",
                    rng.choice(COMPANIES),
                    "Analyst\nTeam lead" if i % 50 == 7 else "Analyst",
                    when,
                ]
            )
    z.add("Connections.csv", notes + _csv(rows))
    skills = list(SKILLS)
    rng.shuffle(skills)
    n_skills = int(k.get("skills", 10))
    z.add(
        "Skills.csv",
        _csv(
            [["Name"]]
            + [
                [s if i < len(skills) else f"{skills[i % len(skills)]} {i}"]
                for i, s in enumerate((skills * (n_skills // len(skills) + 1))[:n_skills])
            ]
        ),
    )
    birth_year = k.get("birth_year", 1990)
    birth = f"Mar 14, {birth_year}" if birth_year is not None else ""
    z.add(
        "Profile.csv",
        "\ufeff"
        + _csv(
            [
                [
                    "First Name",
                    "Last Name",
                    "Maiden Name",
                    "Address",
                    "Birth Date",
                    "Headline",
                    "Summary",
                    "Industry",
                    "Zip Code",
                    "Geo Location",
                    "Twitter Handles",
                    "Websites",
                    "Instant Messengers",
                ],
                [
                    "Asha",
                    "Rao",
                    "",
                    "",
                    birth,
                    "Data analyst",
                    "I like data.\nAnd people.",
                    "Finance",
                    "",
                    "Pune",
                    "",
                    "",
                    "",
                ],
            ]
        ),
    )
    invitations = [
        ["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"]
    ]
    for i in range(int(k.get("invitations", 15))):
        incoming = i % 3 != 0
        sent = dt.datetime.fromtimestamp(_ts(rng), dt.UTC).strftime("%-m/%-d/%y, %-I:%M %p")
        invitations.append(
            [
                _person(rng) if incoming else "Asha Rao",
                "Asha Rao" if incoming else _person(rng),
                sent,
                "",
                "INCOMING" if incoming else "OUTGOING",
                "",
                "",
            ]
        )
    z.add("Invitations.csv", _csv(invitations))
    z.add(
        "Education.csv",
        _csv(
            [
                ["School Name", "Start Date", "End Date", "Notes", "Degree Name", "Activities"],
                [SCHOOLS[0], "2008", "2012", "", "Bachelor of Engineering", ""],
                [SCHOOLS[1], "2013", "2015", "", "Master of Science", ""],
            ]
        ),
    )
    z.add(
        "Positions.csv",
        _csv(
            [
                ["Company Name", "Title", "Description", "Location", "Started On", "Finished On"],
                [COMPANIES[1], "Data Analyst", "", "Pune", "Jan 2021", ""],
                [COMPANIES[2], "Intern", 'Worked on, "things"', "Mumbai", "Jun 2015", "Dec 2020"],
            ]
        ),
    )
    z.add(
        "Email Addresses.csv",
        _csv(
            [
                ["Email Address", "Confirmed", "Primary", "Updated On"],
                ["asha.rao@example.com", "Yes", "Yes", "Not Available"],
            ]
        ),
    )
    z.add("messages.csv", _csv([["CONVERSATION ID", "FROM", "TO", "CONTENT"], ["1", "A", "B", "private"]]))


# ------------------------------------------------------------------------------------------------------- x
def _js(kind: str, part: int, items: list[Any]) -> str:
    return f"window.YTD.{kind}.part{part} = " + json.dumps(items, indent=2, ensure_ascii=False)


def _x(z: _Zip, rng: random.Random, layout: str | None, k: dict[str, Any]) -> None:
    legacy = (layout or "").lower() == "legacy"
    tweets = []
    n_tweets, n_photos = int(k.get("tweets", 30)), int(k.get("photos", 2))
    long_text = ("This is a long post about why I love my city. " * 8).strip()
    for i in range(n_tweets):
        tweet_id = str(1_500_000_000_000_000_000 + rng.randrange(10**15))
        when = dt.datetime.fromtimestamp(_ts(rng, 2015, 2024), dt.UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")
        text = _text(rng)
        tweet: dict[str, Any] = {
            "id_str": tweet_id,
            "id": tweet_id,
            "created_at": when,
            "full_text": text,
            "favorite_count": str(rng.randrange(0, 40)),
            "retweet_count": str(rng.randrange(5)),
            "lang": "en",
            "entities": {"hashtags": [], "urls": []},
        }
        if i % 7 == 3:
            tweet["full_text"] = f"RT @someone: {text}"
            tweet["favorite_count"] = "0"
        elif i % 5 == 2:
            tweet["in_reply_to_status_id_str"] = str(1_400_000_000_000_000_000 + i)
            tweet["in_reply_to_user_id_str"] = "12345"
            tweet["full_text"] = f"@friend {text}"
        elif i == 1:
            tweet["full_text"] = long_text[:270] + "… https://t.co/abc"
        if i < n_photos:
            name = f"{tweet_id}-Fx{rng.randrange(10**6)}.jpg"
            z.add(f"data/{'tweet_media' if legacy else 'tweets_media'}/{name}", _photo(rng, i, k))
            tweet["entities"]["media"] = [
                {"media_url_https": f"https://pbs.twimg.com/media/{name.split('-', 1)[1]}"}
            ]
        tweets.append(tweet if legacy else {"tweet": tweet})
    if legacy:
        z.add("data/tweet.js", _js("tweet", 0, tweets))
    else:
        half = max(1, len(tweets) // 2) if len(tweets) > 20 else len(tweets)
        z.add("data/tweets.js", _js("tweets", 0, tweets[:half]))
        if tweets[half:]:
            z.add("data/tweets-part1.js", _js("tweets", 1, tweets[half:]))
        z.add(
            "data/note-tweet.js",
            _js(
                "note_tweet",
                0,
                [
                    {
                        "noteTweet": {
                            "noteTweetId": "1",
                            "createdAt": "2023-05-01T10:00:00.000Z",
                            "core": {"text": long_text},
                        }
                    }
                ],
            ),
        )
    created = dt.datetime(int(k.get("created_year", 2011)), 6, 1, 12, tzinfo=dt.UTC)
    z.add(
        "data/account.js",
        _js(
            "account",
            0,
            [
                {
                    "account": {
                        "email": "asha@example.com",
                        "createdVia": "web",
                        "username": "asharao",
                        "accountId": "12345",
                        "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                        "accountDisplayName": "Asha",
                    }
                }
            ],
        ),
    )
    z.add("data/profile.js", _js("profile", 0, [{"profile": {"description": {"bio": "Data person"}}}]))
    z.add(
        "data/follower.js",
        _js(
            "follower", 0, [{"follower": {"accountId": str(i)}} for i in range(int(k.get("followers", 120)))]
        ),
    )
    z.add(
        "data/following.js",
        _js(
            "following", 0, [{"following": {"accountId": str(i)}} for i in range(int(k.get("following", 80)))]
        ),
    )
    z.add(
        "data/like.js",
        _js(
            "like",
            0,
            [{"like": {"tweetId": str(i), "fullText": "liked"}} for i in range(int(k.get("likes", 200)))],
        ),
    )
    z.add(
        "data/manifest.js",
        "window.__THAR_CONFIG = "
        + json.dumps(
            {
                "dataTypes": {
                    "tweets": {"files": [{"fileName": "data/tweets.js", "globalName": "YTD.tweets.part0"}]}
                }
            }
        ),
    )
    z.add(
        "data/direct-messages.js", _js("direct_messages", 0, [{"dmConversation": {"messages": ["private"]}}])
    )
    z.add("Your archive.html", "<html><body>Your archive</body></html>")


# ----------------------------------------------------------------------------------------------- instagram
_IG_PATHS: dict[str, dict[str, str]] = {
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


def _instagram(z: _Zip, rng: random.Random, layout: str | None, k: dict[str, Any]) -> None:
    generation = (layout or "2").removeprefix("instagram-")
    paths = _IG_PATHS[generation]
    birth_year = k.get("birth_year", 1992)
    dob = f"{birth_year}-07-21" if birth_year is not None else "1919-01-01"
    z.json(
        paths["profile"],
        {
            "profile_user": [
                {
                    "string_map_data": {
                        "Username": {"href": "", "value": "asha.rao", "timestamp": 0},
                        "Name": {"href": "", "value": "Asha Ráo", "timestamp": 0},
                        "Date of birth": {"href": "", "value": dob, "timestamp": 0},
                        "Private Account": {"href": "", "value": "False", "timestamp": 0},
                    }
                }
            ]
        },
    )
    followers = [
        {
            "title": "",
            "media_list_data": [],
            "string_list_data": [
                {"href": f"https://www.instagram.com/user{i}", "value": f"user{i}", "timestamp": _ts(rng)}
            ],
        }
        for i in range(int(k.get("followers", 150)))
    ]
    z.json(paths["followers"], followers if generation != "1" else {"relationships_followers": followers})
    following_names = [
        n.lower().replace(" ", "_") for n in _names(rng, int(k.get("following", 40)), PAGES, PROFANE_PAGES)
    ]
    following = [
        {
            "title": n,
            "string_list_data": [{"href": f"https://www.instagram.com/_u/{n}", "timestamp": _ts(rng)}],
        }
        if generation == "3"
        else {
            "title": "",
            "string_list_data": [
                {"href": f"https://www.instagram.com/{n}", "value": n, "timestamp": _ts(rng)}
            ],
        }
        for n in following_names
    ]
    z.json(paths["following"], {"relationships_following": following})
    posts = []
    n_photos = int(k.get("photos", 2))
    for i in range(max(int(k.get("posts", 12)), n_photos)):
        ts = _ts(rng)
        uri = f"{paths['media']}{202001 + i % 12}/{rng.randrange(10**17, 10**18)}.jpg"
        if i < n_photos:
            z.add(uri, _photo(rng, i, k))
        posts.append({"media": [{"uri": uri, "creation_timestamp": ts, "title": _text(rng)}]})
    z.json(paths["posts"], posts)
    comments = [
        {
            "string_map_data": {
                "Comment": {"value": _text(rng)},
                "Media Owner": {"value": "friend"},
                "Time": {"timestamp": _ts(rng)},
            }
        }
        for _ in range(int(k.get("comments", 10)))
    ]
    z.json(paths["comments"], comments if generation != "1" else {"comments_media_comments": comments})
    liked = [
        {"title": f"user{i}", "string_list_data": [{"href": "", "value": "👍", "timestamp": _ts(rng)}]}
        for i in range(int(k.get("liked", 80)))
    ]
    z.json(paths["liked"], {"likes_media_likes": liked})
    inbox = "messages/inbox/" if generation == "1" else "your_instagram_activity/messages/inbox/"
    z.json(f"{inbox}friend_1/message_1.json", {"messages": [{"content": "private"}]})


_WRITERS: dict[str, Callable[[_Zip, random.Random, str | None, dict[str, Any]], None]] = {
    "facebook": _facebook,
    "linkedin": _linkedin,
    "x": _x,
    "instagram": _instagram,
}
_WRAPPERS = {"facebook": "facebook-asharao10/", "instagram": "instagram-asha.rao-2024-05-01/"}
KNOBS = frozenset(
    {
        "posts",
        "post_parts",
        "comments",
        "friends",
        "friend_requests",
        "reactions",
        "groups",
        "pages",
        "photos",
        "large_photos",
        "birth_year",
        "registration_year",
        "connections",
        "skills",
        "invitations",
        "tweets",
        "followers",
        "following",
        "likes",
        "liked",
        "created_year",
        "padding",
        "wrapper",
    }
)


def make_export(
    platform: str, out: str | Path | BinaryIO, *, seed: int = 0, layout: str | None = None, **knobs: Any
) -> None:
    """Write a synthetic export zip of `platform` to `out`. Knobs (all optional): posts, comments, friends,
    friend_requests, reactions, groups, pages, photos, birth_year (None = not given), registration_year,
    connections, skills, invitations, tweets, followers, following, likes, liked, created_year, padding
    (bytes of incompressible video), wrapper (bool: add the top folder of a re-zipped download), large_photos
    (how many of the photos are camera-sized, about 1 MB each), post_parts (Facebook posts files).
    A knob another platform uses is ignored; a misspelt one is an error."""
    if platform not in _WRITERS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    if unknown := sorted(set(knobs) - KNOBS):
        raise ValueError(f"unknown knob(s) {', '.join(unknown)}; known: {', '.join(sorted(KNOBS))}")
    rng = random.Random(f"{platform}:{seed}")
    wrapper = _WRAPPERS.get(platform, "") if knobs.pop("wrapper", False) else ""
    z = _Zip(out, wrapper)
    try:
        _WRITERS[platform](z, rng, layout, knobs)
        if platform != "facebook" and int(knobs.get("padding", 0)) > 0:
            z.padding("media/videos/video_1.mp4", int(knobs["padding"]), rng)
    finally:
        z.close()
