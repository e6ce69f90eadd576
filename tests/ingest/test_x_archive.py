from __future__ import annotations

import json

from credscore.profile import SourceStatus

from .helpers import ingest


def _js(kind: str, items: list, part: int = 0) -> str:
    return f"window.YTD.{kind}.part{part} = " + json.dumps(items)


def _tweet(i: int, text: str, **extra: str) -> dict:
    return {
        "tweet": {
            "id_str": str(1000 + i),
            "created_at": "Tue May 14 09:12:03 +0000 2024",
            "full_text": text,
            "favorite_count": "12",
            "retweet_count": "3",
            "lang": "en",
            **extra,
        }
    }


LONG = "A long post that goes on and on about many things, more than the old limit allows. " * 5


def test_tweets_parts_kinds_notes_media_and_counts() -> None:
    profile, report = ingest(
        "x",
        {
            "twitter-2024/data/tweets.js": _js(
                "tweets",
                [
                    _tweet(1, "hello world"),
                    _tweet(2, "RT @bob: something"),
                    _tweet(3, "@bob thanks", in_reply_to_status_id_str="77", in_reply_to_user_id_str="5"),
                ],
            ),
            "twitter-2024/data/tweets-part1.js": _js(
                "tweets", [_tweet(4, LONG[:200] + "… https://t.co/x")], 1
            ),
            "twitter-2024/data/note-tweet.js": _js("note_tweet", [{"noteTweet": {"core": {"text": LONG}}}]),
            "twitter-2024/data/tweets_media/1001-abc.jpg": b"\xff\xd8jpeg",
            "twitter-2024/data/tweets_media/1001-clip.mp4": b"video",
            "twitter-2024/data/account.js": _js(
                "account", [{"account": {"username": "u", "createdAt": "2011-06-01T12:00:00.000Z"}}]
            ),
            "twitter-2024/data/follower.js": _js("follower", [{"follower": {"accountId": "1"}}] * 4),
            "twitter-2024/data/following.js": _js("following", [{"following": {"accountId": "1"}}] * 2),
            "twitter-2024/data/like.js": _js("like", [{"like": {"tweetId": "1"}}] * 6),
            "twitter-2024/data/direct-messages.js": _js("direct_messages", [{"dm": "secret"}]),
            "twitter-2024/Your archive.html": "<html>",
        },
    )
    assert report.status == SourceStatus.PARSED
    assert report.layout == "x"
    assert [t.kind for t in profile.texts] == ["tweet", "retweet", "reply", "tweet"]
    assert profile.texts[0].timestamp == 1_715_677_923
    assert profile.texts[0].likes == 12
    assert profile.texts[1].likes is None  # a retweet's likes are not the applicant's
    assert profile.texts[3].text == LONG.strip()
    assert [m.member for m in profile.media] == ["twitter-2024/data/tweets_media/1001-abc.jpg"]
    (account,) = profile.accounts
    assert (account.followers, account.following, account.reactions_given) == (4, 2, 6)
    assert account.created_at == 1_306_929_600
    assert not any("direct" in f.name for f in profile.files)


def test_legacy_tweet_js_with_unwrapped_items_and_manifest_parts() -> None:
    profile, report = ingest(
        "x",
        {
            "data/tweet.js": _js(
                "tweet", [{"id_str": "1", "full_text": "old style", "created_at": "bad date"}]
            ),
            "data/tweets-archive-extra.js": _js("tweets", [_tweet(9, "listed only in the manifest")]),
            "data/manifest.js": "window.__THAR_CONFIG = "
            + json.dumps(
                {
                    "dataTypes": {
                        "tweets": {
                            "files": [
                                {"fileName": "data/tweets-archive-extra.js"},
                                {"fileName": "data/missing.js"},
                            ]
                        }
                    }
                }
            ),
        },
    )
    assert report.layout == "x-legacy"
    assert sorted(t.text for t in profile.texts) == ["listed only in the manifest", "old style"]
    assert profile.texts[0].timestamp is None


def test_file_without_json_is_recorded() -> None:
    profile, report = ingest("x", {"data/tweets.js": "window.YTD.tweets.part0 = ", "data/account.js": "nope"})
    assert report.status == SourceStatus.REJECTED
    assert report.reason_code == "invalid_json"
    assert profile.texts == []


def test_a_part_the_manifest_lists_again_is_read_once() -> None:
    # Listed three times, a followers part counted its 100 followers three times (and a tweet was kept three times).
    listed = [{"fileName": "data/follower_x.js"}] * 3
    tweets = [{"fileName": "data/tweets_x.js"}] * 3
    profile, report = ingest(
        "x",
        {
            "data/manifest.js": "window.__THAR_CONFIG = "
            + json.dumps({"dataTypes": {"follower": {"files": listed}, "tweets": {"files": tweets}}}),
            "data/follower_x.js": _js("follower", [{"follower": {"accountId": str(i)}} for i in range(100)]),
            "data/tweets_x.js": _js("tweets", [_tweet(1, "said once")]),
        },
    )
    assert report.status.value == "parsed", report
    assert profile.accounts[0].followers == 100
    assert [t.text for t in profile.texts] == ["said once"]
