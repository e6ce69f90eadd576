"""Bad values in date fields (issue 13.6): one post timestamp of 1e400, -Infinity or NaN rejected the whole Facebook
source (OverflowError). Over every platform's date fields, a bad value skips its item only, counted in a warning,
and the good item next to it is kept."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credscore.ingest.common import as_int, as_timestamp, item_timestamp
from credscore.profile import Profile, SourceReport, SourceStatus

from .helpers import ingest

EARLIEST, LATEST = 946_684_800, 4_102_444_800
GOOD_TIME = 1_600_000_000
BAD = "__BAD__"
# Raw JSON tokens: what Python's json reads (1e400 is inf) and writes never produces on its own.
RAW = [
    "1e400",
    "-1e400",
    "Infinity",
    "-Infinity",
    "NaN",
    "1e308",
    "-5",
    "-1600000000",
    "99999999999999999999999999999999",
    "-99999999999999999999999999999999",
    "1.5",
    '"abc"',
    '"1e400"',
    '"-1"',
    '"NaN"',
    "true",
    "[]",
    "{}",
    '{"$date": 1}',
    "null",
    '""',
    "0",
]
bad_values = (
    st.sampled_from(RAW)
    | st.integers().map(str)
    | st.floats().map(json.dumps)  # NaN and infinities included, as JSON's NaN / Infinity
    | st.text(max_size=12).map(json.dumps)
)


def _with(document: Any, token: str) -> str:
    """The document as JSON with every BAD placeholder replaced by the raw token."""
    return json.dumps(document).replace(json.dumps(BAD), token)


def _post(text: str, ts: Any) -> dict[str, Any]:
    return {"timestamp": ts, "data": [{"post": text}]}


def _js(kind: str, items: list[Any], token: str) -> str:
    return f"window.YTD.{kind}.part0 = " + _with(items, token)


def _ig_comment(text: str, ts: Any) -> dict[str, Any]:
    return {"string_map_data": {"Comment": {"value": text}, "Time": {"timestamp": ts}}}


def _fb_comment(text: str, ts: Any) -> dict[str, Any]:
    return {"timestamp": ts, "data": [{"comment": {"comment": text, "timestamp": ts}}]}


def _tweet(text: str, created: Any) -> dict[str, Any]:
    return {"tweet": {"id_str": "1", "full_text": text, "created_at": created}}


# (platform, members with the placeholder, whether the bad item is a text that may be skipped)
CASES: dict[str, Callable[[str], tuple[str, dict[str, str]]]] = {
    "facebook posts": lambda t: (
        "facebook",
        {"posts/your_posts_1.json": _with([_post("bad", BAD), _post("good", GOOD_TIME)], t)},
    ),
    "facebook comments": lambda t: (
        "facebook",
        {
            "comments_and_reactions/comments.json": _with(
                {"comments_v2": [_fb_comment("bad", BAD), _fb_comment("good", GOOD_TIME)]}, t
            )
        },
    ),
    "facebook photo, groups and profile": lambda t: (
        "facebook",
        {
            "posts/your_posts_1.json": _with(
                [
                    {
                        "timestamp": GOOD_TIME,
                        "data": [{"post": "good"}],
                        "attachments": [
                            {"data": [{"media": {"uri": "posts/media/a.jpg", "creation_timestamp": BAD}}]}
                        ],
                    }
                ],
                t,
            ),
            "posts/media/a.jpg": "x",
            "groups/your_group_membership_activity.json": _with(
                {"groups_joined_v2": [{"title": "You became a member of G.", "timestamp": BAD}]}, t
            ),
            "profile_information/profile_information.json": _with(
                {
                    "profile_v2": {
                        "registration_timestamp": BAD,
                        "birthday": {"year": BAD, "month": BAD, "day": BAD},
                        "education_experiences": [
                            {"name": "S", "start_timestamp": BAD, "end_timestamp": BAD}
                        ],
                        "work_experiences": [{"employer": "E", "start_timestamp": BAD}],
                    }
                },
                t,
            ),
        },
    ),
    "instagram captions and comments": lambda t: (
        "instagram",
        {
            "content/posts_1.json": _with(
                [
                    {"title": "bad", "creation_timestamp": BAD, "media": [{"uri": "m/1.jpg"}]},
                    {
                        "title": "good",
                        "creation_timestamp": GOOD_TIME,
                        "media": [{"creation_timestamp": BAD}],
                    },
                ],
                t,
            ),
            "comments/post_comments_1.json": _with(
                {"comments_media_comments": [_ig_comment("bad", BAD), _ig_comment("good", GOOD_TIME)]}, t
            ),
        },
    ),
    "x tweets and account": lambda t: (
        "x",
        {
            "data/tweets.js": _js(
                "tweets", [_tweet("bad", BAD), _tweet("good", "Sun Sep 13 12:26:40 +0000 2020")], t
            ),
            "data/account.js": _js("account", [{"account": {"createdAt": BAD}}], t),
        },
    ),
    "linkedin dates": lambda t: (
        "linkedin",
        {
            "Connections.csv": f"First Name,Connected On\nA,{t}\nB,13 Sep 2020\n",
            "Profile.csv": f"First Name,Birth Date\nA,{t}\n",
            "Positions.csv": f"Company Name,Title,Started On,Finished On\nE,T,{t},{t}\n",
            "Education.csv": f"School Name,Start Date,End Date\nS,{t},{t}\n",
        },
    ),
}


def _check(profile: Profile, report: SourceReport, case: str) -> None:
    assert report.status == SourceStatus.PARSED, (report.reason_code, report.reason)
    texts = {t.text: t for t in profile.texts}
    if case != "linkedin dates":
        assert "good" in texts, sorted(texts)
    if "bad" in texts:  # kept: then with a plausible time or none
        timestamp = texts["bad"].timestamp
        assert timestamp is None or EARLIEST <= timestamp <= LATEST
    elif case not in {"linkedin dates", "facebook photo, groups and profile"}:
        assert any("skipped: invalid timestamp" in w for w in report.warnings), report.warnings
    for item in [*profile.texts, *profile.media]:
        assert item.timestamp is None or EARLIEST <= item.timestamp <= LATEST
    for account in profile.accounts:
        assert account.created_at is None or EARLIEST <= account.created_at <= LATEST


@pytest.mark.parametrize("case", sorted(CASES))
# A number after an information separator (U+001C), which a regex's \s takes for space and int() does not; numbers
# of more digits than int() takes (4,300), which made json.loads raise and skipped the whole file.
@pytest.mark.parametrize(
    "token",
    [
        "1e400",
        "-Infinity",
        "NaN",
        "-5",
        "99999999999999999999",
        '"abc"',
        '"\\u001c5"',
        "9" * 100_000,
        "-" + "9" * 4301,
    ],
    ids=[
        "1e400",
        "-Infinity",
        "NaN",
        "-5",
        "20 digits",
        "abc",
        "U+001C 5",
        "100,000 digits",
        "-4,301 digits",
    ],
)
def test_the_issue_values_skip_their_item_only(case: str, token: str) -> None:
    platform, members = CASES[case](token if case != "linkedin dates" else token.strip('"'))
    profile, report = ingest(platform, members)
    _check(profile, report, case)
    if case in {"facebook posts", "facebook comments", "instagram captions and comments"}:
        assert "bad" not in {t.text for t in profile.texts}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(sorted(CASES)), token=bad_values)
def test_any_value_in_any_date_field_never_sinks_the_source(case: str, token: str) -> None:
    platform, members = CASES[case](token)
    profile, report = ingest(platform, members)
    _check(profile, report, case)


@pytest.mark.parametrize("space", [chr(c) for c in range(0x110000) if chr(c).isspace()])
def test_as_int_never_raises_whatever_surrounds_the_digits(space: str) -> None:
    assert as_int(f"{space}42{space}") in (42, None)
    assert as_int(" 42\t") == 42


@given(st.floats() | st.integers() | st.text(max_size=20) | st.none() | st.booleans())
def test_timestamp_readers_never_raise_anything_but_invalid_value(value: Any) -> None:
    seconds = as_timestamp(value)
    assert seconds is None or EARLIEST <= seconds <= LATEST
    try:
        item = item_timestamp(value)
    except ValueError:
        assert seconds is None
    else:
        assert item == seconds


@pytest.mark.parametrize("digits", [19, 400])
def test_a_like_count_no_post_can_have_skips_that_count_only_and_the_likes_still_score(digits: int) -> None:
    # 400 digits passed as_int (any int did) and the likes feature divided 10**400 by the posts:
    # OverflowError in the Score step, and the whole application failed.
    from credscore.analysis.sentiment import analyze_text
    from credscore.evidence import AnalysisStatus, Evidence, ImageAnalysis, ProfanityAnalysis
    from credscore.scoring.config import FeatureId
    from credscore.scoring.features import extract_features

    def tweet(i: int, likes: str) -> str:
        return (
            f'{{"tweet": {{"id_str": "{i}", "full_text": "post number {i}", "favorite_count": {likes},'
            ' "created_at": "Tue May 14 09:12:03 +0000 2024"}}'
        )

    tweets = "window.YTD.tweets.part0 = [" + tweet(1, "9" * digits) + ", " + tweet(2, "5") + "]"
    profile, report = ingest("x", {"data/tweets.js": tweets})
    assert report.status == SourceStatus.PARSED
    assert [t.likes for t in profile.texts] == [None, 5]
    evidence = Evidence(
        text=analyze_text(profile, GOOD_TIME),
        profanity=ProfanityAnalysis(status=AnalysisStatus.NO_EVIDENCE),
        images=ImageAnalysis(status=AnalysisStatus.NO_EVIDENCE),
    )
    features = extract_features(profile, evidence, dt.date(2025, 1, 1))
    assert features.get(FeatureId.LIKES).value == 5.0


@given(st.integers())
def test_as_int_takes_integers_of_at_most_eighteen_digits_like_their_text(value: int) -> None:
    expected = value if abs(value) < 10**18 else None
    assert as_int(value) == expected
    assert as_int(str(value)) == expected
