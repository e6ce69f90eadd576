"""Hostile-input suite, second half (issue 13.10): caps, bad values, archive and CSV oddities. Together with
`test_hostile.CASES` these are more than 40 hostile files; every one is ingested next to a good source of another
platform, gets its expected status and reason, leaves the good source scored, and stays within a measured peak
heap (tracemalloc; no wall-clock assertion)."""

from __future__ import annotations

import io
import json
import random
import string
import tracemalloc
from dataclasses import replace

import pytest

from credscore.ingest.archive import DEFAULT_LIMITS, ArchiveLimits
from credscore.profile import Platform, SourceStatus
from credscore.synth import make_export

from .helpers import build_from_uploads, delimited_linkedin, make_zip
from .test_hostile import CASES as REJECTED_CASES

MIB = 1 << 20
CAPS = replace(
    DEFAULT_LIMITS,
    max_texts_per_kind=500,
    max_names_per_kind=500,
    max_photos_per_source=50,
    max_rows_per_kind=20,
)
FRIENDS = "friends_and_followers/friends.json"


def _zip(members: dict) -> bytes:
    return make_zip(members).getvalue()


def _posts(n: int, ts: str = "1600000000") -> str:
    return "[" + ",".join([f'{{"timestamp":{ts},"data":[{{"post":"p"}}]}}'] * n) + "]"


def _random_text(chars: int) -> str:
    rng = random.Random(13)
    return "".join(rng.choices(string.ascii_letters + string.digits, k=chars))


def _deep_uri_posts() -> dict:
    deep = "/".join(["d"] * 20) + "/p.jpg"
    return {
        "posts/your_posts_1.json": [
            {
                "timestamp": 1_600_000_000,
                "data": [{"post": "x"}],
                "attachments": [{"data": [{"media": {"uri": deep}}]}],
            }
        ],
        deep: b"\xff\xd8",
    }


# (case id, bytes, platform, limits, expected status, expected reason code, a warning that must be there)
CASES: list[tuple[str, bytes, str, ArchiveLimits, SourceStatus, str | None, str | None]] = [
    # ---- archive oddities (13.8)
    (
        "windows backslash separators",
        _zip({"posts\\your_posts_1.json": _posts(3), FRIENDS.replace("/", "\\"): {"friends_v2": [{}] * 4}}),
        "facebook",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        None,
    ),
    (
        "windows backslash with a wrapper folder and photos",
        _zip(
            {
                "facebook-me\\posts\\your_posts_1.json": [
                    {
                        "timestamp": 1_600_000_000,
                        "attachments": [{"data": [{"media": {"uri": "posts/media/a.jpg"}}]}],
                    }
                ],
                "facebook-me\\posts\\media\\a.jpg": b"\xff\xd8",
            }
        ),
        "facebook",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        None,
    ),
    (
        "windows backslash traversal only",
        _zip({"..\\..\\posts\\your_posts_1.json": _posts(1), "posts\\..\\..\\x.json": "[]"}),
        "facebook",
        DEFAULT_LIMITS,
        SourceStatus.REJECTED,
        "empty_export",
        "unsafe path",
    ),
    (
        "windows drive letter names",
        _zip({"C:\\Users\\me\\posts\\your_posts_1.json": _posts(1)}),
        "facebook",
        DEFAULT_LIMITS,
        SourceStatus.REJECTED,
        "empty_export",
        "unsafe path",
    ),
    (
        "backslash and slash naming the same file",
        _zip({"posts/your_posts_1.json": _posts(2), "posts\\your_posts_1.json": _posts(9)}),
        "facebook",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        "duplicate name",
    ),
    (
        "photo uri deeper than any export",
        _zip(_deep_uri_posts()),
        "facebook",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        None,
    ),
    (
        "photo uri with traversal",
        _zip(
            {
                "posts/your_posts_1.json": [
                    {
                        "timestamp": 1_600_000_000,
                        "data": [{"post": "x"}],
                        "attachments": [{"data": [{"media": {"uri": "../../../etc/passwd.jpg"}}]}],
                    }
                ]
            }
        ),
        "facebook",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        "not in this part",
    ),
    # ---- CSV oddities (13.8)
    (
        "csv cell larger than the field limit",
        _zip({"Connections.csv": f"First Name,Connected On\n{_random_text(MIB + 1000)},01 Jan 2020\n"}),
        "linkedin",
        DEFAULT_LIMITS,
        SourceStatus.REJECTED,
        "csv_field_too_large",
        "a cell is larger than 1 MiB",
    ),
    (
        "csv row across many lines",
        _zip({"Connections.csv": 'First Name,Connected On\n"' + "x\n" * 40_000 + '",01 Jan 2020\n'}),
        "linkedin",
        replace(DEFAULT_LIMITS, max_csv_row_chars=64 << 10),
        SourceStatus.REJECTED,
        "csv_row_too_large",
        None,
    ),
    (
        "semicolon-delimited linkedin",
        _zip(delimited_linkedin(";")),
        "linkedin",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        None,
    ),
    (
        "tab-delimited linkedin",
        _zip(delimited_linkedin("\t")),
        "linkedin",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        None,
    ),
    (
        "csv header of ten thousand columns",
        _zip(
            {
                "Connections.csv": "Connected On,"
                + ",".join(f"c{i}" for i in range(10_000))
                + "\n01 Jan 2020\n"
            }
        ),
        "linkedin",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        None,
    ),
    (
        "csv with a pipe delimiter",
        _zip({"Connections.csv": "First Name|Connected On\nA|01 Jan 2020\n"}),
        "linkedin",
        DEFAULT_LIMITS,
        SourceStatus.REJECTED,
        "unrecognised_file",
        "with ',', ';' or tab as the delimiter",
    ),
    # ---- counts capped (13.3)
    (
        "posts file of tiny posts",
        _zip({"posts/your_posts_1.json": _posts(40_000)}),
        "facebook",
        CAPS,
        SourceStatus.PARSED,
        "cap_reached",
        "cap reached: first 500 of 40000 posts kept",
    ),
    (
        "four posts files of tiny posts",
        _zip({f"posts/your_posts_{i}.json": _posts(5_000) for i in range(1, 5)}),
        "facebook",
        CAPS,
        SourceStatus.PARSED,
        "cap_reached",
        "cap reached: first 500 of 20000 posts kept",
    ),
    (
        "comments flood",
        _zip(
            {
                "comments_and_reactions/comments.json": {
                    "comments_v2": [{"data": [{"comment": {"comment": "c", "timestamp": 1_600_000_000}}]}]
                    * 5_000
                }
            }
        ),
        "facebook",
        CAPS,
        SourceStatus.PARSED,
        "cap_reached",
        "cap reached: first 500 of 5000 comments kept",
    ),
    (
        "pages flood",
        _zip({"pages/pages_you've_liked.json": {"page_likes_v2": [{"name": f"p{i}"} for i in range(3_000)]}}),
        "facebook",
        CAPS,
        SourceStatus.PARSED,
        "cap_reached",
        "cap reached: first 500 of 3000 pages kept",
    ),
    (
        "instagram following flood",
        _zip(
            {
                "followers_and_following/following.json": {
                    "relationships_following": [
                        {"string_list_data": [{"value": f"u{i}"}]} for i in range(3_000)
                    ]
                }
            }
        ),
        "instagram",
        CAPS,
        SourceStatus.PARSED,
        "cap_reached",
        "cap reached: first 500 of 3000 accounts followed kept",
    ),
    (
        "x tweets flood",
        _zip(
            {
                "data/tweets.js": "window.YTD.tweets.part0 = "
                + json.dumps([{"tweet": {"id_str": str(i), "full_text": "t"}} for i in range(3_000)])
            }
        ),
        "x",
        CAPS,
        SourceStatus.PARSED,
        "cap_reached",
        "cap reached: first 500 of 3000 tweets kept",
    ),
    (
        "linkedin skills flood",
        _zip({"Skills.csv": "Name\n" + "".join(f"s{i}\n" for i in range(1_000))}),
        "linkedin",
        CAPS,
        SourceStatus.PARSED,
        "cap_reached",
        "cap reached: first 20 of 1000 skills kept",
    ),
    (
        "photo flood",
        _zip({f"posts/media/{i}.jpg": b"\xff\xd8" for i in range(300)}),
        "facebook",
        CAPS,
        SourceStatus.PARSED,
        "cap_reached",
        "cap reached: first 50 of 300 photos kept",
    ),
    (
        "friends list over the decode budget",
        _zip({FRIENDS: "[" + ",".join(['{"a":[]}'] * 30_000) + "]"}),
        "facebook",
        replace(DEFAULT_LIMITS, json_decode_budget=MIB),
        SourceStatus.PARSED,
        None,
        "too large to decode whole",
    ),
    (
        "one post holding a giant list",
        _zip(
            {
                "posts/your_posts_1.json": '[{"timestamp":1600000000,"data":['
                + ",".join(["{}"] * 50_000)
                + "]}]"
            }
        ),
        "facebook",
        replace(DEFAULT_LIMITS, json_decode_budget=MIB),
        SourceStatus.PARSED,
        None,
        "too large to decode whole",
    ),
    (
        "nesting too deep over the decode budget",
        _zip({FRIENDS: "[" * 60_000 + "]" * 60_000}),
        "facebook",
        replace(DEFAULT_LIMITS, json_decode_budget=1000),
        SourceStatus.REJECTED,
        "invalid_json",
        None,
    ),
    (
        "thousands of one-post files",
        _zip({f"posts/your_posts_{i}.json": _posts(1) for i in range(1, 3_001)}),
        "facebook",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        None,
    ),
    (
        "thousands of photos sharing a base name",
        _zip(
            {
                "posts/your_posts_1.json": [
                    {
                        "timestamp": 1_600_000_000,
                        "attachments": [{"data": [{"media": {"uri": f"posts/media/{i}/p.jpg"}}]}],
                    }
                    for i in range(3_000)
                ],
                **{f"posts/media/{i}/p.jpg": b"\xff\xd8" for i in range(3_000)},
            }
        ),
        "facebook",
        CAPS,
        SourceStatus.PARSED,
        "cap_reached",
        "cap reached: first 50 of 3000 photos kept",
    ),
    # ---- bad values (13.6)
    (
        "post timestamp 1e400",
        _zip({"posts/your_posts_1.json": _posts(1, "1e400")[:-1] + "," + _posts(1)[1:]}),
        "facebook",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        "1 post(s) skipped: invalid timestamp",
    ),
    (
        "post timestamps NaN and -Infinity",
        _zip(
            {
                "posts/your_posts_1.json": _posts(2, "NaN")[:-1]
                + ","
                + _posts(2, "-Infinity")[1:-1]
                + ","
                + _posts(1)[1:]
            }
        ),
        "facebook",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        "4 post(s) skipped: invalid timestamp",
    ),
    (
        "comment timestamp a huge integer",
        _zip(
            {
                "comments_and_reactions/comments.json": '{"comments_v2":[{"data":[{"comment":{"comment":"c",'
                '"timestamp":' + "9" * 400 + "}}]},"
                '{"data":[{"comment":{"comment":"d","timestamp":1600000000}}]}]}'
            }
        ),
        "facebook",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        "1 comment(s) skipped: invalid timestamp",
    ),
    (
        "instagram caption time a string",
        _zip(
            {
                "content/posts_1.json": [
                    {"title": "a", "creation_timestamp": "yesterday"},
                    {"title": "b", "creation_timestamp": 1_600_000_000},
                ]
            }
        ),
        "instagram",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        "1 post(s) skipped: invalid timestamp",
    ),
    (
        "tweet created_at -Infinity",
        _zip(
            {
                "data/tweets.js": "window.YTD.tweets.part0 = "
                '[{"tweet":{"id_str":"1","full_text":"a","created_at":-Infinity}},'
                '{"tweet":{"id_str":"2","full_text":"b","created_at":"Sun Sep 13 12:26:40 +0000 2020"}}]'
            }
        ),
        "x",
        DEFAULT_LIMITS,
        SourceStatus.PARSED,
        None,
        "1 tweet(s) skipped: invalid timestamp",
    ),
]


def _good(platform: str) -> bytes:
    buffer = io.BytesIO()
    make_export(platform, buffer, seed=2, posts=4, connections=7, photos=1)
    return buffer.getvalue()


GOOD = {"linkedin": _good("linkedin"), "facebook": _good("facebook")}
ALL = [(c[0], c[1], c[2], c[3], SourceStatus.REJECTED, c[4], None) for c in REJECTED_CASES] + CASES


def test_the_suite_has_more_than_forty_hostile_files() -> None:
    assert len(ALL) >= 40
    assert len({c[0] for c in ALL}) == len(ALL)


@pytest.mark.parametrize(
    ("data", "platform", "limits", "status", "code", "warning"), [c[1:] for c in ALL], ids=[c[0] for c in ALL]
)
def test_hostile_file_next_to_a_good_source(
    data: bytes,
    platform: str,
    limits: ArchiveLimits,
    status: SourceStatus,
    code: str | None,
    warning: str | None,
) -> None:
    good = "facebook" if platform == "linkedin" else "linkedin"
    uploads = {platform: data, good: GOOD[good]}
    tracemalloc.start()
    try:
        profile = build_from_uploads(uploads, time_left=lambda: 300.0, limits=limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    reports = {s.platform.value: s for s in profile.sources}
    hostile = reports[platform]
    assert (hostile.status, hostile.reason_code) == (status, code), (hostile.reason, hostile.warnings)
    if status == SourceStatus.REJECTED:
        assert hostile.reason
        assert not [f for f in profile.files if f.platform == Platform(platform)]  # nothing half-read is left
    if warning is not None:
        assert any(warning in w for w in hostile.warnings), hostile.warnings
    assert reports[good].status == SourceStatus.PARSED
    assert reports[good].reason_code is None
    assert any(a.platform == Platform(good) for a in profile.accounts)  # the good source is scored
    # Generous: the ingest Lambda has 1024 MB; each of these files stays far below.
    assert peak < 256 * MIB, peak / MIB
