"""A failed archive leaves the profile exactly as the earlier archives left it; failures log no personal text."""

from __future__ import annotations

import logging

import pytest

import credscore.ingest.facebook as facebook
from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile, SourceStatus
from tests.ingest.helpers import make_zip

SECRET = "my very private post"
FIRST_PART = {
    "friends_and_followers/friends.json": {"friends_v2": [{"name": "A", "timestamp": 1_600_000_000}] * 2},
    "posts/your_posts_1.json": [{"timestamp": 1_600_000_000, "data": [{"post": "first part"}]}],
}
SECOND_PART = {
    "posts/your_posts_2.json": [{"timestamp": 1_600_000_000, "data": [{"post": SECRET}]}],
    "groups/your_group_membership_activity.json": {
        "groups_joined_v2": [{"title": "You became a member of Hikers.", "timestamp": 1_600_000_000}]
    },
    "profile_information/profile_information.json": {
        "profile_v2": {
            "registration_timestamp": 1_300_000_000,
            "birthday": {"year": 1990, "month": 1, "day": 2},
        }
    },
}


def _first_part() -> Profile:
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform.FACEBOOK, make_zip(FIRST_PART), "part-1")
    assert report.status == SourceStatus.PARSED
    return profile


def test_a_parser_failure_after_partial_work_undoes_exactly_that_archive(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    profile = _first_part()
    before = profile.model_copy(deep=True)
    real_merge = facebook.merge_account

    def merge_then_fail(*args, **kwargs):
        real_merge(*args, **kwargs)  # the account is filled in (created_at) before the failure
        raise ValueError(f"bad value {SECRET!r}")

    monkeypatch.setattr(facebook, "merge_account", merge_then_fail)
    with caplog.at_level(logging.DEBUG):
        report = ingest_archive(profile, Platform.FACEBOOK, make_zip(SECOND_PART), "part-2")
    assert report.status == SourceStatus.REJECTED
    assert report.reason_code == "parser_error"
    assert profile == before
    assert profile.accounts[0].created_at is None
    assert "ValueError" in caplog.text
    assert SECRET not in caplog.text


def test_a_working_second_part_still_adds_to_the_first() -> None:
    profile = _first_part()
    report = ingest_archive(profile, Platform.FACEBOOK, make_zip(SECOND_PART), "part-2")
    assert report.status == SourceStatus.PARSED
    assert [t.text for t in profile.texts] == ["first part", SECRET]
    (account,) = profile.accounts
    assert (account.friends, account.created_at) == (2, 1_300_000_000)
    assert [n.name for n in profile.names] == ["Hikers"]
    assert [(b.year, b.month, b.day) for b in profile.birth_dates] == [(1990, 1, 2)]
