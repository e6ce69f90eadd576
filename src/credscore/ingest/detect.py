"""Which platform an export archive comes from, by the member names that mark each platform's export."""

from __future__ import annotations

from typing import BinaryIO

from credscore.ingest.archive import SafeArchive
from credscore.ingest.errors import ArchiveRejected
from credscore.profile import Platform

# Members that mark each platform's export (lower-case path tails).
MARKERS: dict[Platform, tuple[str, ...]] = {
    Platform.LINKEDIN: (
        r"connections\.csv",
        r"skills\.csv",
        r"profile\.csv",
        r"invitations\.csv",
        r"positions\.csv",
        r"education\.csv",
    ),
    Platform.X: (
        r"data/tweets?(-part\d+)?\.js",
        r"data/account\.js",
        r"data/manifest\.js",
        r"data/follower\.js",
        r"data/like\.js",
        r"data/profile\.js",
    ),
    Platform.FACEBOOK: (
        r"posts/your_posts[^/]*\.json",
        r"(friends|friends_and_followers|connections/friends)/[^/]+",
        r"profile_information/profile_information\.json",
        r"your_facebook_activity/.+",
        r"(likes_and_reactions|comments_and_reactions)/[^/]+",
        r"pages_you[^/]*liked\.json",
    ),
    Platform.INSTAGRAM: (
        r"your_instagram_activity/.+",
        r"followers_and_following/[^/]+",
        r"(account_information|personal_information)/personal_information\.json",
        r"content/posts_\d+\.json",
        r"likes/liked_posts\.json",
        r"comments/post_comments[^/]*",
    ),
}


def detected_platform(archive: SafeArchive) -> Platform | None:
    """The platform whose marker files the archive holds most of (None when no marker or a tie)."""
    scores = {p: sum(1 for marker in markers if archive.find(marker)) for p, markers in MARKERS.items()}
    best = max(scores.values())
    winners = [p for p, s in scores.items() if s == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def detect_platform(fileobj: BinaryIO) -> Platform | None:
    """Which platform's export this zip is, from its member names only (None when unknown or unreadable)."""
    try:
        return detected_platform(SafeArchive(fileobj))
    except ArchiveRejected:
        return None
