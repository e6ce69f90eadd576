"""Facebook "Download Your Information" (JSON), layouts A (~2018–20), B (~2021–22) and C (2023+).

Every file is optional; members are matched by path tail so wrapper folders do not matter. Strings are
repaired from Meta's mojibake. Media named by a post is resolved against this archive's member list; every part
(big downloads come as several zips) also contributes the photos in its posts' media folders that its own posts
did not name, so a photo named by a post in another part is found whatever the parts' order.
"""

from __future__ import annotations

import datetime as dt
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
    item_timestamp,
    items_of,
)
from credscore.ingest.merge import merge_account
from credscore.profile import BirthDate, Education, Position

POSTS = r"posts/your_posts[^/]*\.json"
_FRIENDS_DIR = r"(?:friends|friends_and_followers|connections/friends)/"
FRIENDS = _FRIENDS_DIR + r"(?:your_)?friends\.json"
REQUESTS = _FRIENDS_DIR + r"(?:friend_requests_received|received_friend_requests)\.json"
COMMENTS = r"comments(?:_and_reactions)?/comments(?:_\d+)?\.json"
REACTIONS = r"(?:likes_and_reactions|comments_and_reactions)/(?:posts_and_comments|likes_and_reactions(?:_\d+)?)\.json"
PAGES = r"(?:likes_and_reactions/pages|pages(?:_and_profiles)?/pages_you(?:'|’|_)?ve_liked)\.json"
GROUPS = r"groups/your_group_membership_activity\.json"
PROFILE = r"profile_information/profile_information\.json"
MEDIA_FOLDER = re.compile(r"(^|/)posts/media/", re.IGNORECASE)

_LEFT = re.compile(r"stopped being a member|\bleft\b|no longer a member", re.IGNORECASE)
_JOINED_NAME = re.compile(r"member of (.+?)\.?$", re.IGNORECASE)


def detect_layout(names: list[str]) -> str | None:
    low = "\n".join(n.lower() for n in names)
    if (
        "your_facebook_activity/" in low
        or "connections/friends/" in low
        or "personal_information/profile" in low
    ):
        return "facebook-C"
    if "friends_and_followers/" in low or "comments_and_reactions/" in low or "pages_and_profiles/" in low:
        return "facebook-B"
    if "friends/friends.json" in low or "likes_and_reactions/" in low or "posts/your_posts" in low:
        return "facebook-A"
    return None


def parse_facebook(ctx: ParseContext) -> None:
    ctx.layout = detect_layout(ctx.archive.names)
    posts_seen = False
    member: str | None

    for member in ctx.archive.find(POSTS):
        document = ctx.read_json(member, mojibake=True)
        if document is None:
            continue
        posts_seen = True
        _posts(ctx, ctx.done(member), items_of(document, "posts", "posts_v2"))
    ctx.add_own_photos(MEDIA_FOLDER, "posts/media/", counts_as_data=not posts_seen)

    for member in ctx.archive.find(COMMENTS):
        document = ctx.read_json(member, mojibake=True)
        if document is not None:
            _comments(ctx, ctx.done(member), items_of(document, "comments_v2", "comments"))

    friends, friends_src = ctx.count_items(ctx.archive.find(FRIENDS)[:1], "friends_v2", "friends")
    requests, requests_src = ctx.count_items(
        ctx.archive.find(REQUESTS)[:1], "received_requests_v2", "received_requests"
    )
    reactions, reactions_src = ctx.count_items(
        ctx.archive.find(REACTIONS), "reactions_v2", "reactions", "label_values"
    )
    account = {"friends": friends, "invitations_received": requests, "reactions_given": reactions}
    account_src = next((s for s in (friends_src, requests_src, reactions_src) if s is not None), None)

    for member in ctx.archive.find(PAGES):
        document = ctx.read_json(member, mojibake=True)
        if document is not None:
            src = ctx.done(member)
            for item in dicts(items_of(document, "page_likes_v2", "page_likes")):
                if name := as_text(item.get("name")) or as_text(item.get("title")):
                    ctx.add_name("page", name, src)

    if (member := ctx.archive.find_one(GROUPS)) and (
        document := ctx.read_json(member, mojibake=True)
    ) is not None:
        src = ctx.done(member)
        for name in current_groups(dicts(items_of(document, "groups_joined_v2", "groups_joined"))):
            ctx.add_name("group", name, src)

    if (member := ctx.archive.find_one(PROFILE)) and (
        document := ctx.read_json(member, mojibake=True)
    ) is not None:
        src = ctx.done(member)
        created = _profile(ctx, src, document)
        if created is not None:
            account["created_at"] = created
            account_src = src if account_src is None else account_src

    if account_src is not None and any(v is not None for v in account.values()):
        merge_account(ctx.profile, ctx.platform, account_src, **account)


def _posts(ctx: ParseContext, src: int, posts: list[Any]) -> None:
    unresolved = 0
    for post in dicts(posts):
        try:
            timestamp = item_timestamp(post.get("timestamp"))
        except InvalidValue as exc:
            ctx.skip_item("post(s)", str(exc))
            continue
        texts = [t for d in dicts(post.get("data")) if (t := as_text(d.get("post")))]
        if texts:
            ctx.add_text("post", "\n".join(texts), timestamp, src)
        for attachment in dicts(post.get("attachments")):
            for item in dicts(attachment.get("data")):
                media = item.get("media")
                if not isinstance(media, dict) or not isinstance(media.get("uri"), str):
                    continue
                if not is_photo(media["uri"]):
                    continue
                member = ctx.archive.resolve(media["uri"])
                if member is None:
                    unresolved += 1
                    continue
                ctx.add_photo(member, as_timestamp(media.get("creation_timestamp")) or timestamp, src)
    if unresolved:
        ctx.warnings[f"{unresolved} photo(s) named by posts are not in this part"] += 1


def _comments(ctx: ParseContext, src: int, comments: list[Any]) -> None:
    for entry in dicts(comments):
        for item in dicts(entry.get("data")):
            comment = item.get("comment")
            if not isinstance(comment, dict) or not (text := as_text(comment.get("comment"))):
                continue
            try:
                timestamp = item_timestamp(comment.get("timestamp")) or item_timestamp(entry.get("timestamp"))
            except InvalidValue as exc:
                ctx.skip_item("comment(s)", str(exc))
                continue
            ctx.add_text("comment", text, timestamp, src)


def current_groups(events: list[dict[str, Any]]) -> list[str]:
    """Groups still joined: the membership activity is join/leave events with localised titles."""
    state: dict[str, bool] = {}
    for event in sorted(events, key=lambda e: as_timestamp(e.get("timestamp")) or 0):
        title = as_text(event.get("title")) or ""
        names = [n for d in dicts(event.get("data")) if (n := as_text(d.get("name")))]
        if not names and (found := _JOINED_NAME.search(title)):
            names = [found.group(1)]
        if not names and (plain := as_text(event.get("name"))):
            names = [plain]
        for name in names:
            state[name] = not _LEFT.search(title)
    return [name for name, joined in state.items() if joined]


def _profile(ctx: ParseContext, src: int, document: Any) -> int | None:
    """Birth date, education and work into the profile; returns the registration time."""
    if not isinstance(document, dict):
        return None
    info = document.get("profile_v2") or document.get("profile") or document
    if not isinstance(info, dict):
        return None
    birthday = info.get("birthday")
    if isinstance(birthday, dict):
        year = as_int(birthday.get("year"))
        if year and 1000 <= year <= 9999:  # 0 = the user hid the year
            month = as_int(birthday.get("month"))
            day = as_int(birthday.get("day"))
            ctx.add_row(
                BirthDate(
                    year=year,
                    month=month if month and 1 <= month <= 12 else None,
                    day=day if day and 1 <= day <= 31 else None,
                    src=src,
                )
            )
    for school in dicts(info.get("education_experiences")):
        graduated = school.get("graduated")
        ctx.add_row(
            Education(
                school=as_text(school.get("name")),
                degree=as_text(school.get("degree")),
                start_year=_year(school.get("start_timestamp")),
                end_year=_year(school.get("end_timestamp")),
                graduated=graduated if isinstance(graduated, bool) else None,
                src=src,
            )
        )
    for job in dicts(info.get("work_experiences")):
        ctx.add_row(
            Position(
                company=as_text(job.get("employer")),
                title=as_text(job.get("title")),
                start_year=_year(job.get("start_timestamp")),
                end_year=_year(job.get("end_timestamp")),
                src=src,
            )
        )
    return as_timestamp(info.get("registration_timestamp"))


def _year(value: Any) -> int | None:
    """Year of a Unix timestamp; education often predates 2000, so any positive time up to 2100 counts."""
    seconds = as_int(value)
    if seconds is None or not 0 < seconds < 4_102_444_800:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).year
