"""X / Twitter archive: `window.YTD.<type>.partN = [...]` JavaScript files, read as JSON (never evaluated)."""

from __future__ import annotations

import re
from typing import Any

from credscore.ingest.archive import is_photo
from credscore.ingest.common import (
    InvalidValue,
    ParseContext,
    as_int,
    as_text,
    as_timestamp,
    dicts,
    iso_timestamp,
    items_of,
)
from credscore.ingest.dates import unix_of
from credscore.ingest.merge import merge_account
from credscore.profile import TextKind

TWEETS = r"data/tweets?(?:-part\d+)?\.js"
NOTE_TWEETS = r"data/note-tweet(?:-part\d+)?\.js"
MANIFEST = r"data/manifest\.js"
ACCOUNT = r"data/account\.js"
FOLLOWERS = r"data/follower(?:-part\d+)?\.js"
FOLLOWING = r"data/following(?:-part\d+)?\.js"
LIKES = r"data/like(?:-part\d+)?\.js"
_MEDIA_MEMBER = re.compile(r"(?:^|/)tweets?_media/(\d+)-[^/]+$", re.IGNORECASE)
_NOTE_PREFIX = 40  # characters a truncated tweet shares with its long note


def _unwrap(item: Any, key: str) -> dict[str, Any] | None:
    if isinstance(item, dict):
        inner = item.get(key)
        return inner if isinstance(inner, dict) else item
    return None


def _manifest_parts(ctx: ParseContext, *types: str) -> list[str]:
    """Members the manifest lists for these data types (when a part does not follow the usual names)."""
    member = ctx.archive.find_one(MANIFEST)
    if member is None:
        return []
    if member not in ctx.documents:
        ctx.documents[member] = ctx.read_json(member, javascript=True)
    document = ctx.documents[member]
    if not isinstance(document, dict) or not isinstance(document.get("dataTypes"), dict):
        return []
    found: list[str] = []
    for data_type in types:
        entry = document["dataTypes"].get(data_type)
        files = entry.get("files") if isinstance(entry, dict) else None
        for f in dicts(files):
            name = as_text(f.get("fileName"))
            if name and (resolved := ctx.archive.resolve(name.removeprefix("./"))):
                found.append(resolved)
    return found


def _part_number(name: str) -> int:
    # At most 9 ASCII digits: a name of 5,000 made int() raise (its limit is 4,300) and sank the whole archive.
    found = re.search(r"part([0-9]{1,9})\.js$", name, re.IGNORECASE)
    return int(found.group(1)) if found else 0


def _members(ctx: ParseContext, pattern: str, *types: str) -> list[str]:
    """Every part of a data type, the unnumbered first part first."""
    # Each member once, however often the manifest lists it (a part listed three times counted its followers
    # three times).
    names = dict.fromkeys([*ctx.archive.find(pattern), *_manifest_parts(ctx, *types)])
    return sorted(names, key=_part_number)


def _count(ctx: ParseContext, pattern: str, *types: str) -> tuple[int | None, int | None]:
    return ctx.count_items(_members(ctx, pattern, *types), javascript=True)


def _note_texts(ctx: ParseContext) -> dict[str, str]:
    notes: dict[str, str] = {}
    for member in _members(ctx, NOTE_TWEETS, "noteTweet"):
        document = ctx.read_json(member, javascript=True)
        if document is None:
            continue
        ctx.done(member)
        for item in items_of(document):
            note = _unwrap(item, "noteTweet")
            core = note.get("core") if note else None
            text = as_text(core.get("text")) if isinstance(core, dict) else None
            if text:
                notes[text[:_NOTE_PREFIX]] = text
    return notes


def tweet_kind(tweet: dict[str, Any], text: str) -> TextKind:
    if text.startswith("RT @"):
        return "retweet"
    if any(
        tweet.get(k)
        for k in ("in_reply_to_status_id_str", "in_reply_to_status_id", "in_reply_to_user_id_str")
    ):
        return "reply"
    return "tweet"


def created_at(value: object) -> int | None:
    """A tweet's time: None when absent or in a date format we do not know (archives changed it over the years),
    InvalidValue when it is not a string at all or a date outside any plausible range."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidValue("invalid timestamp")
    seconds = unix_of(value)
    if seconds is not None and as_timestamp(seconds) is None:
        raise InvalidValue("invalid timestamp")
    return seconds


def parse_x(ctx: ParseContext) -> None:
    media_by_tweet: dict[str, list[str]] = {}
    for name in ctx.archive.names:
        if (found := _MEDIA_MEMBER.search(name)) and is_photo(name):
            media_by_tweet.setdefault(found.group(1), []).append(name)
    notes = _note_texts(ctx)
    tweet_members = _members(ctx, TWEETS, "tweets", "tweet")
    ctx.layout = "x" if any(re.search(r"tweets(-part\d+)?\.js$", n) for n in tweet_members) else "x-legacy"
    for member in tweet_members:
        document = ctx.read_json(member, javascript=True)
        if document is None:
            continue
        src = ctx.done(member)
        for item in items_of(document):
            tweet = _unwrap(item, "tweet")
            if tweet is None:
                continue
            text = as_text(tweet.get("full_text")) or as_text(tweet.get("text"))
            if text is None:
                continue
            text = notes.get(text[:_NOTE_PREFIX], text) if len(text) >= _NOTE_PREFIX else text
            kind = tweet_kind(tweet, text)
            try:
                timestamp = created_at(tweet.get("created_at"))
            except InvalidValue as exc:
                ctx.skip_item("tweet(s)", str(exc))
                continue
            likes = as_int(tweet.get("favorite_count")) if kind != "retweet" else None
            ctx.add_text(kind, text, timestamp, src, likes=likes)
            tweet_id = as_text(tweet.get("id_str")) or as_text(tweet.get("id"))
            for photo in media_by_tweet.get(tweet_id or "", []):
                ctx.add_photo(photo, timestamp, src)

    account: dict[str, int | None] = {}
    account_src: int | None = None
    account_member = ctx.archive.find_one(ACCOUNT)
    if account_member and (document := ctx.read_json(account_member, javascript=True)):
        account_src = ctx.done(account_member)
        for item in items_of(document):
            info = _unwrap(item, "account")
            if info and (created := iso_timestamp(info.get("createdAt"))):
                account["created_at"] = created
    for field, pattern, data_type in (
        ("followers", FOLLOWERS, "follower"),
        ("following", FOLLOWING, "following"),
        ("reactions_given", LIKES, "like"),
    ):
        count, count_src = _count(ctx, pattern, data_type)
        account[field] = count
        account_src = count_src if account_src is None else account_src
    if account_src is not None:
        merge_account(ctx.profile, ctx.platform, account_src, **account)
