"""X by handle, through the API v2 (tweepy): public counts, account age and the latest posts.

Rate limiting and server trouble are retryable conditions (raised, so the step retries later), never "zero
followers"; so is an X that does not answer in time: every request has a connect and a read timeout (tweepy sets
none, and requests then waits for ever) and all of them together stay within the time the caller gives X. An
unknown, suspended or protected account is recorded as UNAVAILABLE with its reason, and so is an answer that
cannot be read (the wrong shape, or not JSON twice running).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter

from credscore.ingest.common import as_int, iso_timestamp
from credscore.ingest.errors import XRateLimited, XTemporarilyUnavailable
from credscore.ingest.jsondecode import without_lone_surrogates
from credscore.ingest.merge import merge_account
from credscore.ingest.x_archive import tweet_kind
from credscore.profile import Platform, Profile, SourceReport, SourceStatus, TextItem

logger = logging.getLogger(__name__)

USER_ENDPOINT = "api:users/by/username"
TWEETS_ENDPOINT = "api:users/:id/tweets"
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
_PAGE_SIZE = 100
# Seconds to connect to X, and to wait for each read of its answer: well under the Ingest function's 300 s, so a
# hanging X costs one request's wait, not the whole step.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0


class _TimedAdapter(HTTPAdapter):
    """Every request through it gets `timeout()` (connect, read) seconds, whatever its caller passed (tweepy
    passes nothing)."""

    def __init__(self, timeout: Callable[[], tuple[float, float]]) -> None:
        super().__init__()
        self._timeout = timeout

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        return super().send(request, stream, self._timeout(), verify, cert, proxies)


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


def fetch_x_profile(
    profile: Profile,
    handle: str,
    bearer_token: str,
    max_posts: int = 3200,
    *,
    clock: Callable[[], float] = time.time,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
    time_left: Callable[[], float] | None = None,
) -> SourceReport:
    """Append the account's counts and latest posts to `profile`; return the X source's report. An empty
    `bearer_token` means X lookups are not configured (reported UNAVAILABLE).

    Each request waits at most `timeout` (connect, read) seconds, and no longer than `time_left()` (seconds X may
    still use, e.g. its share of the function's time) allows; once that is spent no request is made.

    Raises XRateLimited (429, with seconds until the limit resets) or XTemporarilyUnavailable (5xx, network, a
    timeout, X's time spent)."""
    username = handle.strip().removeprefix("@")
    if not _HANDLE.fullmatch(username):
        return _unavailable("x_invalid_handle", "this is not a valid X handle")
    if not bearer_token:
        # The operator has not set the X API token up: a configuration gap reported on the source, never an
        # AWS error text; other sources are still scored.
        return _unavailable("x_not_configured", "this service is not set up to read X accounts by handle")
    client = tweepy.Client(bearer_token=bearer_token, wait_on_rate_limit=False, return_type=dict)
    connect, read = timeout

    def request_timeout() -> tuple[float, float]:
        left = math.inf if time_left is None else time_left()
        if left <= 0:
            raise _TimeSpent
        return min(connect, left), min(read, left)

    adapter = _TimedAdapter(request_timeout)
    client.session.mount("https://", adapter)
    client.session.mount("http://", adapter)
    try:
        return _fetch(profile, client, username, max_posts)
    except tweepy.TooManyRequests as exc:
        raise XRateLimited("X API rate limit reached", _retry_after(exc, clock)) from exc
    except tweepy.TwitterServerError as exc:
        raise XTemporarilyUnavailable("X API server error", None) from exc
    except _TimeSpent as exc:
        raise XTemporarilyUnavailable("X API too slow: its share of the time ran out", None) from exc
    except requests.Timeout as exc:
        raise XTemporarilyUnavailable(f"X API did not answer in time: {type(exc).__name__}", None) from exc
    except requests.RequestException as exc:
        raise XTemporarilyUnavailable(f"X API unreachable: {type(exc).__name__}", None) from exc
    except tweepy.NotFound:
        return _unavailable("x_user_not_found", "no X account has this handle")
    except (tweepy.Unauthorized, tweepy.Forbidden, tweepy.BadRequest, tweepy.HTTPException) as exc:
        status = exc.response.status_code if exc.response is not None else None
        logger.warning("X API refused the request: status %s", status)
        return _unavailable("x_api_error", f"the X API refused the request (HTTP {status})")


class _TimeSpent(Exception):
    """The time X may use is spent: no further request is made."""


class _Unreadable(Exception):
    """The API answered 2xx in a shape this module cannot read (not the documented JSON objects)."""


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Unreadable(type(value).__name__)
    # A lone "\\ud800" escape in a post would make the profile unwritable as JSON (UTF-8 refuses it).
    answer: dict[str, Any] = without_lone_surrogates(value)
    return answer


def _answer(call: Callable[[], Any]) -> dict[str, Any]:
    """The JSON object a 2xx answer holds. One that is not JSON at all (an HTML page: a captive portal, a proxy's
    or CDN's error page in front of X) is asked once more at once, so a one-off page passes; a second one is
    unreadable, recorded on the X source like any answer of the wrong shape. Raised as retryable instead (it is a
    RequestException), it re-ran the whole Ingest step for minutes and then failed the application, every other
    source with it, for what is rarely a passing fault."""
    try:
        return _object(call())
    except requests.JSONDecodeError:
        try:
            return _object(call())
        except requests.JSONDecodeError as exc:
            raise _Unreadable("not JSON") from exc


def _fetch(profile: Profile, client: tweepy.Client, username: str, max_posts: int) -> SourceReport:
    # Raw JSON (return_type=dict), read field by field: tweepy's own models raise on an odd field (a created_at
    # without milliseconds, a missing text, an id int() refuses) and that would sink the whole application.
    try:
        response = _answer(
            partial(
                client.get_user,
                username=username,
                user_fields=["public_metrics", "created_at", "description", "protected"],
            )
        )
        if response.get("data") is None:
            errors = response.get("errors")
            return _user_problem(
                [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []
            )
        user = _object(response["data"])
        if user.get("protected"):
            return _unavailable("x_user_protected", "the X account's posts are protected")
        user_id = user.get("id")
        # ASCII digits only: the id goes into the next request's path.
        if not (isinstance(user_id, str | int) and re.fullmatch(r"[0-9]{1,20}", str(user_id), re.ASCII)):
            raise _Unreadable("user id")
        posts = _fetch_posts(client, str(user_id), max_posts)
    except _Unreadable as exc:
        logger.warning("X API answer not readable: %s", exc)  # a shape, never the answer's content
        return _unavailable("x_api_error", "the X API's answer could not be read")
    if posts is None:
        return _unavailable("x_user_protected", "the X account's posts are protected")
    # Only now, with everything read, does the profile change.
    metrics = user.get("public_metrics")
    metrics = metrics if isinstance(metrics, dict) else {}
    merge_account(
        profile,
        Platform.X,
        profile.add_file(Platform.X, USER_ENDPOINT),
        created_at=iso_timestamp(user.get("created_at")),
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


def _post(tweet: Any) -> TextItem | None:
    """One post of a page, or None when it has no text to read (src filled in by the caller)."""
    if not isinstance(tweet, dict) or not isinstance(tweet.get("text"), str):
        return None
    text = tweet["text"].strip()
    if not text:
        return None
    references = tweet.get("referenced_tweets")
    replied = isinstance(references, list) and any(
        isinstance(r, dict) and r.get("type") == "replied_to" for r in references
    )
    kind = tweet_kind({"in_reply_to_status_id": replied}, text)
    metrics = tweet.get("public_metrics")
    likes = _metric(metrics, "like_count") if kind != "retweet" and isinstance(metrics, dict) else None
    return TextItem(
        platform=Platform.X,
        kind=kind,
        text=text,
        timestamp=iso_timestamp(tweet.get("created_at")),
        likes=likes,
        src=0,
    )


def _fetch_posts(client: tweepy.Client, user_id: str, max_posts: int) -> list[TextItem] | None:
    """Up to `max_posts` latest posts (src filled in by the caller); None when the API refuses to show them."""
    if max_posts <= 0:
        return []
    posts: list[TextItem] = []
    token: str | None = None
    for _page in range(math.ceil(max_posts / _PAGE_SIZE) + 1):
        page = _answer(
            partial(
                client.get_users_tweets,
                user_id,
                tweet_fields=["public_metrics", "created_at", "referenced_tweets", "in_reply_to_user_id"],
                max_results=max(5, min(_PAGE_SIZE, max_posts)),
                pagination_token=token,
            )
        )
        data = page.get("data")
        if data is None and page.get("errors") and not posts:
            return None
        if not isinstance(data, list | None):
            raise _Unreadable("posts")
        for tweet in data or []:
            if (item := _post(tweet)) is not None:
                posts.append(item)
                if len(posts) >= max_posts:
                    return posts
        meta = _object(page.get("meta", {}))
        token = meta.get("next_token") if isinstance(meta.get("next_token"), str) else None
        if token is None:
            break
    return posts
