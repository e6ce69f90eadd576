"""A synthetic X (Twitter) archive: `window.YTD.*` JavaScript files, current or legacy layout, beside
`credscore.ingest.x_archive` that reads it."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from credscore.synth.photos import photo
from credscore.synth.pools import text, timestamp
from credscore.synth.zipwriter import ExportZip

_LONG_TEXT = ("This is a long post about why I love my city. " * 8).strip()


def _js(kind: str, part: int, items: list[Any]) -> str:
    return f"window.YTD.{kind}.part{part} = " + json.dumps(items, indent=2, ensure_ascii=False)


def write(z: ExportZip, rng: random.Random, layout: str | None, k: dict[str, Any]) -> None:
    """Write the archive (layout "legacy": one `tweet.js` and `tweet_media/`); tweets first, as they draw."""
    legacy = (layout or "").lower() == "legacy"
    tweets = [_tweet(z, rng, i, legacy, k) for i in range(int(k.get("tweets", 30)))]
    if legacy:
        z.add("data/tweet.js", _js("tweet", 0, tweets))
    else:
        half = max(1, len(tweets) // 2) if len(tweets) > 20 else len(tweets)
        z.add("data/tweets.js", _js("tweets", 0, tweets[:half]))
        if tweets[half:]:
            z.add("data/tweets-part1.js", _js("tweets", 1, tweets[half:]))
        note = {"noteTweetId": "1", "createdAt": "2023-05-01T10:00:00.000Z", "core": {"text": _LONG_TEXT}}
        z.add("data/note-tweet.js", _js("note_tweet", 0, [{"noteTweet": note}]))
    _account(z, k)
    z.add(
        "data/direct-messages.js", _js("direct_messages", 0, [{"dmConversation": {"messages": ["private"]}}])
    )
    z.add("Your archive.html", "<html><body>Your archive</body></html>")


def _tweet(z: ExportZip, rng: random.Random, i: int, legacy: bool, k: dict[str, Any]) -> dict[str, Any]:
    """The i-th tweet (every 7th a retweet, every 5th a reply, the second one truncated), with its photo
    written to the archive when i < photos."""
    tweet_id = str(1_500_000_000_000_000_000 + rng.randrange(10**15))
    when = dt.datetime.fromtimestamp(timestamp(rng, 2015, 2024), dt.UTC).strftime(
        "%a %b %d %H:%M:%S +0000 %Y"
    )
    body = text(rng, k)
    tweet: dict[str, Any] = {
        "id_str": tweet_id,
        "id": tweet_id,
        "created_at": when,
        "full_text": body,
        "favorite_count": str(rng.randrange(0, 40)),
        "retweet_count": str(rng.randrange(5)),
        "lang": "en",
        "entities": {"hashtags": [], "urls": []},
    }
    if i % 7 == 3:
        tweet["full_text"] = f"RT @someone: {body}"
        tweet["favorite_count"] = "0"
    elif i % 5 == 2:
        tweet["in_reply_to_status_id_str"] = str(1_400_000_000_000_000_000 + i)
        tweet["in_reply_to_user_id_str"] = "12345"
        tweet["full_text"] = f"@friend {body}"
    elif i == 1:
        tweet["full_text"] = _LONG_TEXT[:270] + "… https://t.co/abc"
    if i < int(k.get("photos", 2)):
        name = f"{tweet_id}-Fx{rng.randrange(10**6)}.jpg"
        z.add(f"data/{'tweet_media' if legacy else 'tweets_media'}/{name}", photo(rng, i, k))
        tweet["entities"]["media"] = [
            {"media_url_https": f"https://pbs.twimg.com/media/{name.split('-', 1)[1]}"}
        ]
    return tweet if legacy else {"tweet": tweet}


def _account(z: ExportZip, k: dict[str, Any]) -> None:
    """Account, profile, followers, following, likes and the manifest: no random draws."""
    created = dt.datetime(int(k.get("created_year", 2011)), 6, 1, 12, tzinfo=dt.UTC)
    account = {
        "email": "asha@example.com",
        "createdVia": "web",
        "username": "asharao",
        "accountId": "12345",
        "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "accountDisplayName": "Asha",
    }
    z.add("data/account.js", _js("account", 0, [{"account": account}]))
    z.add("data/profile.js", _js("profile", 0, [{"profile": {"description": {"bio": "Data person"}}}]))
    followers = [{"follower": {"accountId": str(i)}} for i in range(int(k.get("followers", 120)))]
    z.add("data/follower.js", _js("follower", 0, followers))
    following = [{"following": {"accountId": str(i)}} for i in range(int(k.get("following", 80)))]
    z.add("data/following.js", _js("following", 0, following))
    likes = [{"like": {"tweetId": str(i), "fullText": "liked"}} for i in range(int(k.get("likes", 200)))]
    z.add("data/like.js", _js("like", 0, likes))
    manifest = {
        "dataTypes": {"tweets": {"files": [{"fileName": "data/tweets.js", "globalName": "YTD.tweets.part0"}]}}
    }
    z.add("data/manifest.js", "window.__THAR_CONFIG = " + json.dumps(manifest))
