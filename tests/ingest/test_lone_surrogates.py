"""A lone surrogate escape (`"\\ud800"`) in any string of an export or of the X API: json.loads accepts it, but
the profile could not be written as JSON (UTF-8 refuses surrogates), so the Ingest step failed and the whole
application with it. Each is read as U+FFFD (the replacement character) and everything else is kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses

from credscore.ingest.jsondecode import decode_bounded, estimated_heap
from credscore.ingest.x_api import fetch_x_profile
from credscore.profile import Profile, SourceStatus

from .helpers import ingest

LONE = "\\ud800"  # as it stands in the JSON text: an escape, so the file itself is valid UTF-8
PAIR = "\\ud83d\\ude00"  # a valid pair: one character, U+1F600


def _posts(*texts: str) -> str:
    return "[" + ", ".join(f'{{"timestamp": 1600000000, "data": [{{"post": "{t}"}}]}}' for t in texts) + "]"


EXPORTS: dict[str, tuple[str, dict[str, str]]] = {
    "facebook posts": ("facebook", {"posts/your_posts_1.json": _posts(f"odd {LONE} post", f"smile {PAIR}")}),
    "x tweets": (
        "x",
        {
            "data/tweets.js": "window.YTD.tweets.part0 = ["
            + ", ".join(
                f'{{"tweet": {{"id_str": "{i}", "full_text": "{t}", "created_at": "Tue May 14 09:12:03 +0000 2024"}}}}'
                for i, t in enumerate([f"odd {LONE} post", f"smile {PAIR}"])
            )
            + "]"
        },
    ),
    "instagram captions": (
        "instagram",
        {
            "content/posts_1.json": json.dumps(
                [
                    {"title": "odd @ post", "creation_timestamp": 1600000000},
                    {"title": "smile #", "creation_timestamp": 1600000000},
                ]
            )
            .replace("@", LONE)
            .replace("#", PAIR)
        },
    ),
}


@pytest.mark.parametrize("case", sorted(EXPORTS))
def test_a_lone_surrogate_in_an_export_is_a_replacement_character(case: str) -> None:
    platform, members = EXPORTS[case]
    profile, report = ingest(platform, members)
    assert report.status == SourceStatus.PARSED
    assert sorted(t.text for t in profile.texts) == ["odd \ufffd post", "smile \U0001f600"]
    assert Profile.model_validate_json(profile.model_dump_json()) == profile  # what the Ingest step writes


@pytest.mark.parametrize("walked", [False, True], ids=["whole", "walked"])
def test_decoding_replaces_lone_surrogates_in_keys_and_values_at_any_depth(walked: bool) -> None:
    text = '{"a' + LONE + '": [[{"b": "x\\udfffy"}], "' + PAIR + '", "\\\\ud800"]}'
    budget = estimated_heap(text) - (1 if walked else 0)
    assert decode_bounded(text, budget, 10).value == {
        "a\ufffd": [[{"b": "x\ufffdy"}], "\U0001f600", "\\ud800"]
    }


def test_a_lone_surrogate_from_the_x_api_is_a_replacement_character() -> None:
    api = "https://api.twitter.com/2"
    user: dict[str, Any] = {
        "id": "7",
        "username": "asha",
        "name": "Asha",
        "public_metrics": {"followers_count": 3},
    }
    tweets = {"data": [{"id": "1", "text": "odd @ post"}], "meta": {"result_count": 1}}
    with responses.RequestsMock() as mock:
        mock.get(
            f"{api}/users/by/username/asha", body=json.dumps({"data": user}), content_type="application/json"
        )
        mock.get(
            f"{api}/users/7/tweets",
            body=json.dumps(tweets).replace("@", LONE),
            content_type="application/json",
        )
        profile = Profile(application_id="a")
        report = fetch_x_profile(profile, "asha", "token")
    assert report.status == SourceStatus.PARSED
    assert [t.text for t in profile.texts] == ["odd \ufffd post"]
    Profile.model_validate_json(profile.model_dump_json())
