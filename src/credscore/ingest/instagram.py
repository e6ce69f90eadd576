"""Instagram "Download your information" (JSON), three generations of paths; Meta mojibake repaired."""

from __future__ import annotations

import re
from typing import Any

from credscore.ingest.archive import is_denied, is_photo
from credscore.ingest.common import (
    InvalidValue,
    ParseContext,
    as_text,
    as_timestamp,
    dicts,
    item_timestamp,
    items_of,
)
from credscore.ingest.jsondecode import CappedList
from credscore.ingest.merge import merge_account
from credscore.profile import BirthDate

PROFILE = r"(?:account_information|personal_information(?:/personal_information)?)/personal_information\.json"
FOLLOWERS = r"followers_and_following/followers(?:_\d+)?\.json"
FOLLOWING = r"followers_and_following/following(?:_\d+)?\.json"
POSTS = r"(?:content|media)/posts_\d+\.json"
COMMENTS = r"comments/post_comments(?:_\d+)?\.json"
LIKED = r"likes/liked_posts(?:_\d+)?\.json"
MEDIA_FOLDER = re.compile(r"(^|/)media/posts/", re.IGNORECASE)  # the applicant's own posts' photos
UNSET_BIRTH_DATE = "1919-01-01"  # Instagram's default when the user never gave one
_BIRTH_KEY = re.compile(
    r"birth|nacimiento|geburt|naissance|nascita|nascimento|urodzenia|doğum", re.IGNORECASE
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _layout(names: list[str]) -> str:
    """Generation from data paths only (private folders such as messages do not count)."""
    low = "\n".join(n.lower() for n in names if not is_denied(n))
    if "your_instagram_activity/media/posts" in low or "personal_information/personal_information/" in low:
        return "instagram-3"
    if "your_instagram_activity/" in low or "personal_information/personal_information.json" in low:
        return "instagram-2"
    return "instagram-1"


def birth_date_value(string_map: dict[str, Any]) -> str | None:
    """The date of birth from a (possibly localised) string map."""
    candidates = []
    for key, entry in string_map.items():
        value = as_text(entry.get("value")) if isinstance(entry, dict) else None
        if value and _ISO_DATE.fullmatch(value):
            candidates.append((bool(_BIRTH_KEY.search(key)), value))
    named = [v for is_birth, v in candidates if is_birth]
    if named:
        return named[0]
    return candidates[0][1] if len(candidates) == 1 else None


def _string_value(item: dict[str, Any], key: str) -> Any:
    entry = (
        item.get("string_map_data", {}).get(key) if isinstance(item.get("string_map_data"), dict) else None
    )
    return entry if isinstance(entry, dict) else {}


def parse_instagram(ctx: ParseContext) -> None:
    ctx.layout = _layout(ctx.archive.names)
    profile = ctx.profile
    account: dict[str, int | None] = {}
    account_src: int | None = None
    member: str | None

    if (member := ctx.archive.find_one(PROFILE)) and (document := ctx.read_json(member, mojibake=True)):
        src = ctx.done(member)
        for user in dicts(items_of(document, "profile_user")):
            string_map = user.get("string_map_data")
            value = birth_date_value(string_map) if isinstance(string_map, dict) else None
            if value and value != UNSET_BIRTH_DATE and (m := _ISO_DATE.fullmatch(value)):
                year, month, day = (int(g) for g in m.groups())
                ctx.add_row(BirthDate(year=year, month=month or None, day=day or None, src=src))

    followers, followers_src = ctx.count_items(ctx.archive.find(FOLLOWERS), "relationships_followers")
    account["followers"] = followers
    account_src = followers_src

    following = None
    for member in ctx.archive.find(FOLLOWING):
        if (document := ctx.read_json(member, mojibake=True)) is None:
            continue
        src = ctx.done(member)
        account_src = src if account_src is None else account_src
        listed = items_of(document, "relationships_following")
        entries = dicts(listed)
        # A list cut while decoding (too big to decode whole) still knows how long it was.
        following = (following or 0) + (listed.total if isinstance(listed, CappedList) else len(entries))
        for entry in entries:
            listed = dicts(entry.get("string_list_data"))
            name = as_text(entry.get("title")) or (as_text(listed[0].get("value")) if listed else None)
            if name:
                ctx.add_name("following", name, src)
    account["following"] = following

    posts_seen = False
    for member in ctx.archive.find(POSTS):
        if (document := ctx.read_json(member, mojibake=True)) is not None:
            posts_seen = True
            _posts(ctx, ctx.done(member), items_of(document, "ig_posts"))
    ctx.add_own_photos(MEDIA_FOLDER, "media/posts/", counts_as_data=not posts_seen)

    for member in ctx.archive.find(COMMENTS):
        if (document := ctx.read_json(member, mojibake=True)) is None:
            continue
        src = ctx.done(member)
        for item in dicts(items_of(document, "comments_media_comments")):
            text = as_text(_string_value(item, "Comment").get("value"))
            if text:
                try:
                    timestamp = item_timestamp(_string_value(item, "Time").get("timestamp"))
                except InvalidValue as exc:
                    ctx.skip_item("comment(s)", str(exc))
                    continue
                ctx.add_text("comment", text, timestamp, src)

    liked, liked_src = ctx.count_items(ctx.archive.find(LIKED), "likes_media_likes", "label_values")
    account["reactions_given"] = liked
    account_src = liked_src if account_src is None else account_src

    if account_src is not None:
        merge_account(profile, ctx.platform, account_src, **account)


def _posts(ctx: ParseContext, src: int, posts: list[Any]) -> None:
    unresolved = 0
    for post in dicts(posts):
        media = dicts(post.get("media"))
        caption = as_text(post.get("title")) or (as_text(media[0].get("title")) if len(media) == 1 else None)
        try:
            timestamp = item_timestamp(post.get("creation_timestamp"))
        except InvalidValue as exc:
            ctx.skip_item("post(s)", str(exc))
            continue
        # A photo's own time is EXIF-like metadata: an odd one is only unknown, never a reason to skip.
        timestamp = timestamp or (as_timestamp(media[0].get("creation_timestamp")) if media else None)
        if caption:
            ctx.add_text("caption", caption, timestamp, src)
        for item in media:
            uri = item.get("uri")
            if not isinstance(uri, str) or not is_photo(uri):
                continue
            if (member := ctx.archive.resolve(uri)) is None:
                unresolved += 1
                continue
            ctx.add_photo(member, as_timestamp(item.get("creation_timestamp")) or timestamp, src)
    if unresolved:
        ctx.warnings[f"{unresolved} photo(s) named by posts are not in this part"] += 1
