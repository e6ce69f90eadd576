"""Streaming, capped reading of a profile: the same answers as the whole profile while under the caps, and
bounded memory with the capped items reported when over them."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest

from credscore import bounded_profile
from credscore.analysis.profanity import analyze_names
from credscore.analysis.sentiment import analyze_text
from credscore.json_stream import iter_array, iter_members
from credscore.profile import (
    Account,
    BirthDate,
    Education,
    MediaRef,
    NamedEntity,
    Platform,
    Profile,
    SourceReport,
    SourceStatus,
    TextItem,
)
from credscore.scoring.features import extract_features
from tests.evidence import evidence

NOW = 1_750_000_000
FB, X = Platform.FACEBOOK, Platform.X


def _profile() -> Profile:
    p = Profile(
        application_id="app-1",
        sources=[
            SourceReport(platform=FB, status=SourceStatus.PARSED, warnings=["w"] * 80),
            SourceReport(platform=X, status=SourceStatus.PARSED),
        ],
    )
    for i in range(30):
        p.add_file(FB, f"posts/file_{i}.json")
    profile_src, x_src = p.add_file(FB, "profile.json"), p.add_file(X, "account.js")
    p.birth_dates = [BirthDate(year=1990, month=5, day=1, src=profile_src)]
    p.education = [Education(school="S", graduated=True, src=profile_src)]
    p.accounts = [
        Account(platform=FB, friends=300, reactions_given=12, src=profile_src),
        Account(platform=X, followers=50, src=x_src),  # no creation date: the earliest item dates X
    ]
    p.skills = ["Python", "SQL"]
    words = ["Wonderful day!", "Awful, just awful.", "It is Tuesday", "नमस्ते", "Love it", "Terrible service"]
    p.texts = [
        TextItem(
            platform=FB, kind="post", text=words[i % 6], timestamp=1_600_000_000 + i, likes=i, src=i % 30
        )
        for i in range(12)
    ]
    p.texts += [TextItem(platform=FB, kind="comment", text=words[i % 6], src=0) for i in range(7)]
    p.texts += [
        TextItem(
            platform=X,
            kind="tweet",
            text=words[i % 6],
            timestamp=1_500_000_000 - i * 1000,
            likes=2,
            src=x_src,
        )
        for i in range(9)
    ]
    p.texts += [TextItem(platform=X, kind="retweet", text="RT", timestamp=1_400_000_000, src=x_src)]
    p.media = [
        MediaRef(platform=X, archive="a", member=f"m{i}", timestamp=1_450_000_000, src=x_src)
        for i in range(3)
    ]
    p.names = [NamedEntity(platform=FB, kind="group", name=f"Group {i % 5}", src=0) for i in range(9)]
    p.names += [
        NamedEntity(platform=FB, kind="page", name=n, src=0) for n in ("Fuck This", "Cooking", "Bitch")
    ]
    return p


def _reader(profile: Profile) -> Any:
    return io.BytesIO(profile.model_dump_json(indent=1).encode()).read


# ----------------------------------------------------------------------------------------------- the stream
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
def test_members_and_elements_come_out_as_json_loads_reads_them(chunk: int) -> None:
    document = {
        "a": "x" * 10,
        "big": 12345678901234567890,
        "texts": [{"t": "héllo ✓ 😀", "n": -1.5e3}, {"t": '\\"}],{"', "n": None}, [], {}],
        "empty": [],
        "nested": {"k": [1, 2, {"z": True}]},
        "last": 98765,
    }
    for text in (json.dumps(document), json.dumps(document, indent=3)):
        read = io.BytesIO(text.encode()).read
        members = list(iter_members(read, {"texts", "empty"}, chunk_bytes=chunk))
        assert members == [
            ("a", "x" * 10),
            ("big", 12345678901234567890),
            *[("texts", item) for item in document["texts"]],  # type: ignore[union-attr]
            ("nested", document["nested"]),
            ("last", 98765),
        ]
    assert list(iter_array(io.BytesIO(b' [1, {"a": 2} ,"3"] ').read, chunk_bytes=chunk)) == [1, {"a": 2}, "3"]


@pytest.mark.parametrize(
    "broken",
    [b'{"a": [1, 2', b'{"a": 1 "b": 2}', b'{"a": [1 2]}', b'{"a": "open', b"[1, 2", b"[1 2]", b"{}x"],
)
def test_a_malformed_document_is_an_error(broken: bytes) -> None:
    def read_all() -> list[Any]:
        if broken.startswith(b"["):
            return list(iter_array(io.BytesIO(broken).read, chunk_bytes=4))
        return list(iter_members(io.BytesIO(broken).read, {"a"}, chunk_bytes=4))

    with pytest.raises(ValueError):
        read_all()


# ------------------------------------------------------------------------------------------ under the caps
def test_under_the_caps_each_reader_gives_the_whole_profiles_answer() -> None:
    profile = _profile()
    text = bounded_profile.load_for_text(_reader(profile))
    assert text.caps == []
    assert text.complete(analyze_text(text.profile, NOW)) == analyze_text(profile, NOW)

    names, caps = bounded_profile.load_names(_reader(profile))
    assert caps == []
    assert analyze_names(names) == analyze_names(profile)

    scored, notes = bounded_profile.load_for_score(_reader(profile))
    assert notes == []
    nothing = evidence()
    today = dt.date(2025, 6, 1)
    assert extract_features(scored, nothing, today) == extract_features(profile, nothing, today)
    assert scored.texts == scored.names == scored.media == []  # never loaded
    assert len(scored.sources[0].warnings) == bounded_profile.WARNINGS_PER_SOURCE


# ------------------------------------------------------------------------------------------- over the caps
def test_capped_texts_still_count_as_activity_likes_and_dates_and_are_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bounded_profile, "TEXTS_PER_GROUP", 4)
    profile = _profile()
    whole = analyze_text(profile, NOW)
    bounded = bounded_profile.load_for_text(_reader(profile))
    capped = bounded.complete(analyze_text(bounded.profile, NOW))

    caps = {(c.platform, c.kind): (c.analysed, c.capped, c.reason) for c in capped.caps}
    assert caps == {
        (FB, "post"): (4, 8, "cap_reached"),
        (FB, "comment"): (4, 3, "cap_reached"),
        (X, "tweet"): (4, 5, "cap_reached"),
    }
    for got, full in zip(capped.platforms, whole.platforms, strict=True):
        assert got.activities == full.activities
        assert got.own_posts_with_likes == full.own_posts_with_likes
        assert got.likes_on_own_posts == full.likes_on_own_posts
        assert got.active_days == full.active_days
        assert got.posts.analysed + got.posts.not_analysed == min(
            4, full.posts.analysed + full.posts.not_analysed
        )
    assert capped.platforms[0].comments.analysed + capped.platforms[0].comments.not_analysed == 4


def test_a_group_stops_at_its_character_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded_profile, "TEXT_CHARS_PER_GROUP", 30)
    bounded = bounded_profile.load_for_text(_reader(_profile()))
    fb_posts = [t for t in bounded.profile.texts if t.platform == FB and t.kind == "post"]
    assert sum(len(t.text) for t in fb_posts) <= 30
    assert fb_posts  # the first ones fit
    assert any(c.kind == "post" and c.platform == FB for c in bounded.caps)


def test_capped_names_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded_profile, "NAMES_PER_KIND", 2)
    names, caps = bounded_profile.load_names(_reader(_profile()))
    analysis = analyze_names(names)
    assert (analysis.groups.total, analysis.pages.total, analysis.pages.flagged) == (2, 2, 1)
    assert {(c.kind, c.analysed, c.capped) for c in caps} == {("group", 2, 7), ("page", 2, 1)}


def test_score_sections_over_their_caps_are_cut_and_noted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded_profile, "SMALL_SECTION_ITEMS", 1)
    monkeypatch.setattr(bounded_profile, "FILES_KEPT", 31)
    profile, notes = bounded_profile.load_for_score(_reader(_profile()))
    assert len(profile.accounts) == 1
    assert notes == ["1 accounts beyond the cap were not read", "1 files beyond the cap were not read"]
    # Files that no kept fact refers to are not materialised; those referred to keep their names.
    assert profile.files[30].name == "profile.json"
    assert profile.files[0].name != "posts/file_0.json"
