"""X by handle, through the API v2 (tweepy): public counts, account age and the latest posts.

Rate limiting and server trouble are retryable conditions (raised, so the step retries later), never "zero
followers". An unknown, suspended or protected account is recorded as UNAVAILABLE with its reason.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from typing import Any

import requests
import tweepy

from credscore.ingest.common import as_int, iso_timestamp
from credscore.ingest.errors import XRateLimited, XTemporarilyUnavailable
from credscore.ingest.merge import merge_account
from credscore.ingest.x_archive import tweet_kind
from credscore.profile import Platform, Profile, SourceReport, SourceStatus, TextItem

logger = logging.getLogger(__name__)

USER_ENDPOINT = "api:users/by/username"
TWEETS_ENDPOINT = "api:users/:id/tweets"
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
_PAGE_SIZE = 100


def _unavailable(code: str, reason: str) -> SourceReport:
    return SourceReport(platform=Platform.X, status=SourceStatus.UNAVAILABLE, reason_code=code, reason=reason)


def _user_problem(errors: list[dict[str, Any]]) -> SourceReport:
    """The UNAVAILABLE report for the API's per-resource errors (returned with status 200)."""
    text = " ".join(f"{e.get('title', '')} {e.get('detail', '')} {e.get('type', '')}" for e in errors).lower()
    if "suspended" in text:
        return _unavailable("x_user_suspended", "the X account is suspended")
    if "not-authorized" in text or "authorization" in text or "protected" in text:
        return _unavailable("x_user_protected", "the X account's posts are protected")
    return _unavailable("x_user_not_found", "no X account has this handle")


def _retry_after(exc: tweepy.TooManyRequests, clock: Callable[[], float]) -> int | None:
    reset = exc.reset_time
    if reset is None:
        reset = as_int(exc.response.headers.get("x-rate-limit-reset")) if exc.response is not None else None
    return None if reset is None else max(0, int(reset - clock()))


def _metric(metrics: dict[str, Any], *names: str) -> int | None:
    """The first of several spellings (the 2026 spec renames tweet_count to post_count)."""
    return next((v for n in names if (v := as_int(metrics.get(n))) is not None), None)


def _timestamp(value: Any) -> int | None:
    """tweepy gives datetimes for created_at; accept ISO strings too."""
    if hasattr(value, "timestamp"):
        return int(value.timestamp())
    if isinstance(value, str):
        return iso_timestamp(value)
    return None


def fetch_x_profile(
    profile: Profile,
    handle: str,
    bearer_token: str,
    max_posts: int = 3200,
    *,
    clock: Callable[[], float] = time.time,
) -> SourceReport:
    """Append the account's counts and latest posts to `profile`; return the X source's report. An empty
    `bearer_token` means X lookups are not configured (reported UNAVAILABLE).

    Raises XRateLimited (429, with seconds until the limit resets) or XTemporarilyUnavailable (5xx, network)."""
    username = handle.strip().removeprefix("@")
    if not _HANDLE.fullmatch(username):
        return _unavailable("x_invalid_handle", "this is not a valid X handle")
    if not bearer_token:
        # The operator has not set the X API token up: a configuration gap reported on the source, never an
        # AWS error text; other sources are still scored.
        return _unavailable("x_not_configured", "this service is not set up to read X accounts by handle")
    client = tweepy.Client(bearer_token=bearer_token, wait_on_rate_limit=False)
    try:
        return _fetch(profile, client, username, max_posts)
    except tweepy.TooManyRequests as exc:
        raise XRateLimited("X API rate limit reached", _retry_after(exc, clock)) from exc
    except tweepy.TwitterServerError as exc:
        raise XTemporarilyUnavailable("X API server error", None) from exc
    except requests.RequestException as exc:
        raise XTemporarilyUnavailable(f"X API unreachable: {type(exc).__name__}", None) from exc
    except tweepy.NotFound:
        return _unavailable("x_user_not_found", "no X account has this handle")
    except (tweepy.Unauthorized, tweepy.Forbidden, tweepy.BadRequest, tweepy.HTTPException) as exc:
        status = exc.response.status_code if exc.response is not None else None
        logger.warning("X API refused the request: status %s", status)
        return _unavailable("x_api_error", f"the X API refused the request (HTTP {status})")


def _fetch(profile: Profile, client: tweepy.Client, username: str, max_posts: int) -> SourceReport:
    response = client.get_user(
        username=username, user_fields=["public_metrics", "created_at", "description", "protected"]
    )
    if response.data is None:
        return _user_problem(list(response.errors or []))
    user = response.data
    if getattr(user, "protected", False):
        return _unavailable("x_user_protected", "the X account's posts are protected")
    posts = _fetch_posts(client, user.id, max_posts)
    if posts is None:
        return _unavailable("x_user_protected", "the X account's posts are protected")
    # Only now, with everything read, does the profile change.
    metrics = dict(user.public_metrics or {})
    merge_account(
        profile,
        Platform.X,
        profile.add_file(Platform.X, USER_ENDPOINT),
        created_at=_timestamp(user.created_at),
        followers=_metric(metrics, "followers_count"),
        following=_metric(metrics, "following_count"),
        posts_total=_metric(metrics, "tweet_count", "post_count"),
        reactions_given=_metric(metrics, "like_count"),
    )
    if posts:
        src = profile.add_file(Platform.X, TWEETS_ENDPOINT)
        profile.texts.extend(item.model_copy(update={"src": src}) for item in posts)
    warnings = [f"only the latest {max_posts} posts were read"] if len(posts) >= max_posts else []
    return SourceReport(platform=Platform.X, status=SourceStatus.PARSED, layout="x-api", warnings=warnings)


def _fetch_posts(client: tweepy.Client, user_id: Any, max_posts: int) -> list[TextItem] | None:
    """Up to `max_posts` latest posts (src filled in by the caller); None when the API refuses to show them."""
    if max_posts <= 0:
        return []
    pages = tweepy.Paginator(
        client.get_users_tweets,
        user_id,
        tweet_fields=["public_metrics", "created_at", "referenced_tweets", "in_reply_to_user_id"],
        max_results=max(5, min(_PAGE_SIZE, max_posts)),
        limit=math.ceil(max_posts / _PAGE_SIZE) + 1,
    )
    posts: list[TextItem] = []
    for page in pages:
        if page.data is None and page.errors and not posts:
            return None
        for tweet in page.data or []:
            text = (tweet.text or "").strip()
            if not text:
                continue
            replied = any(getattr(r, "type", None) == "replied_to" for r in tweet.referenced_tweets or [])
            kind = tweet_kind({"in_reply_to_status_id": replied}, text)
            likes = _metric(dict(tweet.public_metrics or {}), "like_count") if kind != "retweet" else None
            posts.append(
                TextItem(
                    platform=Platform.X,
                    kind=kind,
                    text=text,
                    timestamp=_timestamp(tweet.created_at),
                    likes=likes,
                    src=0,
                )
            )
            if len(posts) >= max_posts:
                return posts
    return posts
