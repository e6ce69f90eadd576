"""fetch_x_profile against realistic API v2 bodies, with tweepy's HTTP intercepted by `responses`."""

from __future__ import annotations

import contextlib
import io
import socket
import ssl
import threading
import time
from collections.abc import Callable

import pytest
import responses
from responses import matchers

from credscore.ingest.errors import XRateLimited, XTemporarilyUnavailable
from credscore.ingest.pipeline import X_UNAVAILABLE_REASONS, build_profile
from credscore.ingest.x_api import fetch_x_profile
from credscore.profile import Platform, Profile, SourceStatus
from tests.ingest.helpers import LINKEDIN_FILES, make_zip
from tests.pki import make_ca

API = "https://api.twitter.com/2"
USER_URL = f"{API}/users/by/username/asharao"
TWEETS_URL = f"{API}/users/2244994945/tweets"
NOW = 1_750_000_000


def _user(**overrides) -> dict:
    data = {
        "id": "2244994945",
        "name": "Asha Rao",
        "username": "asharao",
        "created_at": "2013-12-14T04:35:55.000Z",
        "description": "Data person",
        "protected": False,
        "public_metrics": {
            "followers_count": 512,
            "following_count": 180,
            "tweet_count": 3456,
            "listed_count": 7,
            "like_count": 900,
            "media_count": 40,
        },
    }
    data.update(overrides)
    return {"data": data}


def _tweet(i: int, text: str, likes: int = 5, **extra) -> dict:
    return {
        "id": str(1800000000000000000 + i),
        "text": text,
        "created_at": "2024-05-14T09:12:03.000Z",
        "edit_history_tweet_ids": [str(1800000000000000000 + i)],
        "public_metrics": {
            "retweet_count": 1,
            "reply_count": 0,
            "like_count": likes,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 100,
        },
        **extra,
    }


def _page(tweets: list[dict], next_token: str | None = None) -> dict:
    meta = {"result_count": len(tweets), "newest_id": tweets[0]["id"], "oldest_id": tweets[-1]["id"]}
    if next_token:
        meta["next_token"] = next_token
    return {"data": tweets, "meta": meta}


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _fetch(handle: str = "@asharao", max_posts: int = 3200) -> tuple[Profile, object]:
    profile = Profile(application_id="a")
    report = fetch_x_profile(profile, handle, "token-123", max_posts, clock=lambda: NOW)
    return profile, report


def test_counts_and_paginated_posts(api) -> None:
    api.get(USER_URL, json=_user())
    api.get(
        TWEETS_URL,
        json=_page([_tweet(1, "Lovely day"), _tweet(2, "RT @bob: news", likes=0)], "tok2"),
        match=[matchers.query_param_matcher({"max_results": "100"}, strict_match=False)],
    )
    api.get(
        TWEETS_URL,
        json=_page([_tweet(3, "@bob sure", referenced_tweets=[{"type": "replied_to", "id": "9"}])]),
        match=[matchers.query_param_matcher({"pagination_token": "tok2"}, strict_match=False)],
    )
    profile, report = _fetch()
    assert report.status == SourceStatus.PARSED
    assert report.layout == "x-api"
    (account,) = profile.accounts
    assert (account.followers, account.following, account.posts_total, account.reactions_given) == (
        512,
        180,
        3456,
        900,
    )
    assert account.created_at == 1_386_995_755
    assert [(t.kind, t.likes) for t in profile.texts] == [("tweet", 5), ("retweet", None), ("reply", 5)]
    assert profile.texts[0].timestamp == 1_715_677_923
    assert [f.name for f in profile.files] == ["api:users/by/username", "api:users/:id/tweets"]
    assert all(t.platform == Platform.X and t.src == 1 for t in profile.texts)
    assert api.calls[0].request.headers["Authorization"] == "Bearer token-123"
    assert "public_metrics" in api.calls[0].request.url


def test_stops_at_max_posts(api) -> None:
    api.get(
        USER_URL, json=_user(public_metrics={"followers_count": 1, "following_count": 2, "post_count": 77})
    )
    api.get(TWEETS_URL, json=_page([_tweet(i, f"post {i}") for i in range(5)], "more"))
    profile, report = _fetch(max_posts=3)
    assert len(profile.texts) == 3
    assert len(api.calls) == 2  # no second page
    assert profile.accounts[0].posts_total == 77
    assert report.warnings == ["only the latest 3 posts were read"]


def test_rate_limit_is_raised_with_the_wait(api) -> None:
    api.get(
        USER_URL,
        status=429,
        json={"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
        headers={
            "x-rate-limit-limit": "3",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(NOW + 120),
        },
    )
    with pytest.raises(XRateLimited) as excinfo:
        _fetch()
    assert excinfo.value.retry_after_seconds == 120


def test_rate_limit_on_posts_leaves_the_profile_untouched(api) -> None:
    api.get(USER_URL, json=_user())
    api.get(TWEETS_URL, status=429, json={"title": "Too Many Requests", "status": 429})
    profile = Profile(application_id="a")
    with pytest.raises(XRateLimited) as excinfo:
        fetch_x_profile(profile, "asharao", "t", clock=lambda: NOW)
    assert excinfo.value.retry_after_seconds is None
    assert profile.accounts == []
    assert profile.files == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {
                "errors": [
                    {
                        "value": "asharao",
                        "detail": "Could not find user with username: [asharao].",
                        "title": "Not Found Error",
                        "resource_type": "user",
                        "parameter": "username",
                        "resource_id": "asharao",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ]
            },
            "x_user_not_found",
        ),
        (
            {
                "errors": [
                    {
                        "value": "asharao",
                        "detail": "User has been suspended: [asharao].",
                        "title": "Forbidden",
                        "resource_type": "user",
                        "parameter": "username",
                        "resource_id": "asharao",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ]
            },
            "x_user_suspended",
        ),
        (_user(protected=True), "x_user_protected"),
    ],
)
def test_unavailable_accounts(api, body: dict, code: str) -> None:
    api.get(USER_URL, json=body)
    profile, report = _fetch()
    assert report.status == SourceStatus.UNAVAILABLE
    assert report.reason_code == code
    assert profile.accounts == []
    assert profile.texts == []


def test_posts_refused_means_protected(api) -> None:
    api.get(USER_URL, json={"data": {k: v for k, v in _user()["data"].items() if k != "protected"}})
    api.get(
        TWEETS_URL,
        json={
            "errors": [
                {
                    "detail": "Sorry, you are not authorized to see the user with id: [2244994945].",
                    "title": "Authorization Error",
                    "resource_type": "user",
                    "parameter": "id",
                    "resource_id": "2244994945",
                    "type": "https://api.twitter.com/2/problems/not-authorized-for-resource",
                }
            ]
        },
    )
    profile, report = _fetch()
    assert report.reason_code == "x_user_protected"
    assert profile.accounts == []


def test_server_errors_are_retryable_and_auth_errors_recorded(api) -> None:
    api.get(USER_URL, status=503, json={"title": "Service Unavailable"})
    with pytest.raises(XTemporarilyUnavailable):
        _fetch()
    api.replace(responses.GET, USER_URL, status=401, json={"title": "Unauthorized", "status": 401})
    _, report = _fetch()
    assert report.status == SourceStatus.UNAVAILABLE
    assert report.reason_code == "x_api_error"


def test_invalid_handle_makes_no_call(api) -> None:
    _, report = _fetch("not a handle!")
    assert report.reason_code == "x_invalid_handle"
    assert len(api.calls) == 0


def test_no_bearer_token_is_reported_as_not_configured_without_calling_x(api) -> None:
    """The Ingest handler passes "" when the token's SecureString does not exist."""
    profile = Profile(application_id="a" * 32)
    report = fetch_x_profile(profile, "asharao", "")
    assert report.status == SourceStatus.UNAVAILABLE
    assert report.reason_code == "x_not_configured"
    assert "not set up" in (report.reason or "")
    assert not api.calls
    assert profile.texts == []


def _tweets(*items: object) -> dict:
    return {"data": list(items), "meta": {"result_count": len(items)}}


def test_odd_fields_lose_only_themselves(api) -> None:
    # tweepy's own models raised on each of these (strptime, int(), d["text"]) and sank the whole application.
    api.get(USER_URL, json=_user(created_at="2013-12-14T04:35:55Z", public_metrics=[1, 2]))
    api.get(
        TWEETS_URL,
        json=_tweets(
            {"id": "1", "text": "kept: a date without time", "created_at": "2024-05-14"},
            {
                "id": "2",
                "text": "kept: year 0",
                "created_at": "0000-05-14T00:00:00.000Z",
                "public_metrics": [1],
            },
            {"id": "3", "text": "kept: odd references", "referenced_tweets": ["x", {"id": "9"}]},
            {"id": "4", "created_at": "2024-05-14T09:12:03.000Z"},  # no text
            {"id": "5", "text": 5},
            "not an object",
        ),
    )
    profile, report = _fetch()
    assert (report.status, report.reason_code) == (SourceStatus.PARSED, None)
    (account,) = profile.accounts
    assert account.created_at == 1_386_995_755  # no milliseconds: still ISO 8601
    assert account.followers is None
    assert [(t.text, t.timestamp, t.likes) for t in profile.texts] == [
        ("kept: a date without time", 1_715_644_800, None),
        ("kept: year 0", None, None),
        ("kept: odd references", None, None),
    ]


@pytest.mark.parametrize(
    ("user", "tweets"),
    [
        ([1, 2], None),
        ({"data": [1]}, None),
        ({"data": "x"}, None),
        ({"data": {k: v for k, v in _user()["data"].items() if k != "id"}}, None),
        (_user(id="abc"), None),
        (_user(id="²"), None),  # a digit int() refuses
        (_user(id="1/../../2/tweets/search"), None),  # would have been put in the next request's path
        (_user(), {"data": {"id": "1", "text": "hi"}}),
        (_user(), {"data": [{"id": "1", "text": "hi"}], "meta": "x"}),
        (_user(), [1]),
    ],
    ids=[
        "body a list",
        "data a list",
        "data a string",
        "no user id",
        "user id not a number",
        "user id of a superscript digit",
        "user id a path",
        "posts not a list",
        "meta not an object",
        "posts page a list",
    ],
)
def test_an_answer_that_cannot_be_read_is_recorded_and_changes_nothing(api, user, tweets) -> None:
    api.get(USER_URL, json=user)
    api.get(TWEETS_URL, json=tweets if tweets is not None else _page([_tweet(1, "hello")]))
    profile, report = _fetch()
    assert report.status == SourceStatus.UNAVAILABLE
    assert (report.reason_code, report.reason) == ("x_api_error", "the X API's answer could not be read")
    assert profile.accounts == []
    assert profile.texts == []
    assert profile.files == []


_PORTAL = "<!DOCTYPE html><html><body>Sign in to the network to continue</body></html>"


@pytest.mark.parametrize("endpoint", [USER_URL, TWEETS_URL])
def test_an_html_answer_is_asked_once_more_then_recorded_as_unreadable(api, endpoint: str) -> None:
    # HTTP 200 with an HTML page (a captive portal, a proxy's or CDN's error page): tweepy's response.json()
    # raised requests' JSONDecodeError, a RequestException, so it was retried like a network error and, once the
    # state machine's retries ran out, failed the whole application.
    api.get(USER_URL, json=_user())
    api.get(TWEETS_URL, json=_page([_tweet(1, "hello")]))
    api.replace(responses.GET, endpoint, body=_PORTAL, status=200, content_type="text/html")
    profile, report = _fetch()
    assert report.status == SourceStatus.UNAVAILABLE
    assert (report.reason_code, report.reason) == ("x_api_error", "the X API's answer could not be read")
    assert [c.request.url.split("?")[0] for c in api.calls].count(endpoint) == 2  # asked once more, no more
    assert profile.accounts == []
    assert profile.texts == []
    assert profile.files == []


def test_an_html_answer_once_then_json_is_read(api) -> None:
    api.get(USER_URL, body=_PORTAL, status=200, content_type="text/html")
    api.get(USER_URL, json=_user())  # responses answers registrations of one URL in turn
    api.get(TWEETS_URL, body="", status=200)  # an empty body: not JSON either
    api.get(TWEETS_URL, json=_page([_tweet(1, "hello")]))
    profile, report = _fetch()
    assert (report.status, report.reason_code) == (SourceStatus.PARSED, None)
    assert [t.text for t in profile.texts] == ["hello"]
    assert len(api.calls) == 4


def test_an_html_answer_loses_only_the_x_source(api) -> None:
    api.get(USER_URL, body=_PORTAL, status=200, content_type="text/html")
    uploads = {"linkedin": make_zip(LINKEDIN_FILES).getvalue()}
    profile = build_profile(
        application_id="app",
        declared={"linkedin": 1},
        received=["linkedin/1"],
        x_handle="@asharao",
        open_archive=lambda key: io.BytesIO(uploads[key.split("/")[2]]),
        x_bearer_token=lambda: "token-123",
    )
    assert [(s.platform, s.status, s.reason_code) for s in profile.sources] == [
        (Platform.LINKEDIN, SourceStatus.PARSED, None),
        (Platform.X, SourceStatus.UNAVAILABLE, "x_api_error"),
    ]
    assert profile.parsed_platforms() == [Platform.LINKEDIN]


# ------------------------------------------------------------------------ an X that never answers


class _Silent:
    """A loopback server that accepts connections and never answers (held open until the test ends). As the
    HTTPS proxy, it stalls the CONNECT; with `tls`, it answers the CONNECT, speaks TLS as the X API host and then
    never answers the request, so the client is left waiting on its read."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.tls = tls
        self.held: list[socket.socket] = []
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)
            if self.tls is not None:
                threading.Thread(target=self._tunnel, args=(conn,), daemon=True).start()

    def _tunnel(self, conn: socket.socket) -> None:
        assert self.tls is not None
        with contextlib.suppress(OSError):
            conn.recv(4096)  # the CONNECT request
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.held.append(self.tls.wrap_socket(conn, server_side=True))  # the handshake, then silence

    def close(self) -> None:
        for conn in [*self.held, self.listener]:
            conn.close()


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)

    def use(url: str) -> None:
        monkeypatch.setenv("HTTPS_PROXY", url)
        monkeypatch.setenv("https_proxy", url)

    return use


def _fetch_timed(**kwargs: object) -> tuple[Profile, float, XTemporarilyUnavailable]:
    profile = Profile(application_id="a")
    started = time.monotonic()
    with pytest.raises(XTemporarilyUnavailable) as excinfo:
        fetch_x_profile(profile, "asharao", "token-123", **kwargs)  # type: ignore[arg-type]
    return profile, time.monotonic() - started, excinfo.value


def test_an_x_that_accepts_and_never_answers_is_retryable_after_the_connect_timeout(proxy_env) -> None:
    silent = _Silent()
    proxy_env(silent.url)
    try:
        profile, elapsed, error = _fetch_timed(timeout=(0.3, 0.3))
    finally:
        silent.close()
    assert silent.accepted == 1, "the request reached the silent server"
    assert elapsed < 3, f"waited {elapsed:.1f} s"
    assert "X API" in str(error)
    assert profile == Profile(application_id="a")


def test_an_x_that_never_answers_the_request_is_retryable_after_the_read_timeout(
    proxy_env, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    ca = make_ca(tmp_path)
    cert, key = ca.issue("api.twitter.com")
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    silent = _Silent(tls)
    proxy_env(silent.url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.ca_file))
    try:
        profile, elapsed, error = _fetch_timed(timeout=(2.0, 0.3))
    finally:
        silent.close()
    assert elapsed < 3, f"waited {elapsed:.1f} s"
    assert str(error) == "X API did not answer in time: ReadTimeout"
    assert profile == Profile(application_id="a")


def test_the_time_x_may_use_bounds_each_wait(proxy_env) -> None:
    silent = _Silent()
    proxy_env(silent.url)
    deadline = time.monotonic() + 0.4
    try:
        # The configured timeouts are long; the time left for X is not.
        _, elapsed, _ = _fetch_timed(timeout=(30.0, 30.0), time_left=lambda: deadline - time.monotonic())
    finally:
        silent.close()
    assert silent.accepted == 1
    assert elapsed < 3, f"waited {elapsed:.1f} s"


def test_once_the_time_x_may_use_is_spent_no_request_is_made(api) -> None:
    api.get(USER_URL, json=_user())
    _, _, error = _fetch_timed(time_left=lambda: 0.0)
    assert str(error) == "X API too slow: its share of the time ran out"
    assert not api.calls


def test_x_gets_what_the_archives_left_less_the_reserve(api) -> None:
    api.get(USER_URL, json=_user())
    uploads = {"linkedin": make_zip(LINKEDIN_FILES).getvalue()}
    with pytest.raises(XTemporarilyUnavailable, match="its share of the time ran out"):
        build_profile(
            application_id="app",
            declared={"linkedin": 1},
            received=["linkedin/1"],
            x_handle="@asharao",
            open_archive=lambda key: io.BytesIO(uploads[key.split("/")[2]]),
            x_bearer_token=lambda: "token-123",
            time_left=lambda: 19.0,  # the archive is read; X would eat into the last 20 s
            reserve_seconds=20.0,
        )
    assert not api.calls


@pytest.mark.parametrize("code", ["x_unreachable", "x_rate_limited"])
def test_x_known_unavailable_is_recorded_with_why_without_calling_x(api, code: str) -> None:
    """IngestWithoutX's call: the exports are read, X is recorded as not analysed and neither asked nor is its
    token read."""
    uploads = {"linkedin": make_zip(LINKEDIN_FILES).getvalue()}

    def no_token() -> str:
        raise AssertionError("the X token was read")

    profile = build_profile(
        application_id="app",
        declared={"linkedin": 1},
        received=["linkedin/1"],
        x_handle="@asharao",
        open_archive=lambda key: io.BytesIO(uploads[key.split("/")[2]]),
        x_bearer_token=no_token,
        x_unavailable=code,
    )
    assert [(s.platform, s.status, s.reason_code) for s in profile.sources] == [
        (Platform.LINKEDIN, SourceStatus.PARSED, None),
        (Platform.X, SourceStatus.UNAVAILABLE, code),
    ]
    assert profile.sources[1].reason == X_UNAVAILABLE_REASONS[code]
    assert profile.parsed_platforms() == [Platform.LINKEDIN]
    assert not api.calls
