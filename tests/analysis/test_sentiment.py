"""Sentiment counts, likes and activity from crafted profiles."""

from __future__ import annotations

import pytest

from credscore.analysis.sentiment import analyze_text, count_sentiment, polarity
from credscore.analysis.vader import analyzer
from credscore.evidence import AnalysisStatus, PlatformText
from credscore.profile import Account, MediaRef, Platform, Profile, TextItem

NOW = 1_700_000_000
DAY = 86_400


def text(kind: str, body: str, platform: Platform = Platform.FACEBOOK, **extra: object) -> TextItem:
    return TextItem(platform=platform, kind=kind, text=body, src=0, **extra)  # type: ignore[arg-type]


def by_platform(result_platforms: list[PlatformText]) -> dict[Platform, PlatformText]:
    return {p.platform: p for p in result_platforms}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("I love this, best day ever!", "positive"),
        ("This is terrible and I hate it", "negative"),
        ("The meeting is at 5pm", "neutral"),
        ("😍😍", "positive"),  # emoji are read by VADER through their names
        ("😭", "negative"),
        (":)", "positive"),  # ASCII emoticons are in VADER's lexicon
        # links are not the author's words
        ("Great news https://example.com/awful-disaster-terrible", "positive"),
        ("मुझे यह बहुत पसंद है", None),  # Devanagari: VADER cannot read it
        ("", None),
        ("   ", None),
        ("https://example.com @someone", None),
    ],
)
def test_polarity(body: str, expected: str | None) -> None:
    assert polarity(body) == expected


def test_counts_split_analysed_and_not_analysed() -> None:
    counts = count_sentiment(["Wonderful!", "Awful.", "It is Tuesday", "नमस्ते दुनिया", "", "😍"])
    assert (counts.positive, counts.negative, counts.neutral) == (2, 1, 1)
    assert counts.analysed == 4
    assert counts.not_analysed == 2


def test_repeated_texts_are_each_counted() -> None:
    texts = ["Happy birthday!"] * 5 + ["नमस्ते"] * 3 + ["Awful day"] * 2 + ["See you"]
    counts = count_sentiment(iter(texts))  # a one-shot iterable is enough
    assert (counts.positive, counts.negative, counts.neutral) == (5, 2, 1)
    assert (counts.analysed, counts.not_analysed) == (8, 3)


def test_posts_comments_likes_and_activity_per_platform() -> None:
    profile = Profile(
        application_id="a",
        texts=[
            text("post", "So happy and grateful today", likes=10, timestamp=NOW - 50 * DAY),
            text("post", "Horrible traffic, I am furious", likes=2),
            text("post", "आज का दिन अच्छा था", likes=None),
            text("comment", "Congratulations, well done!"),
            text("comment", "See you on Monday"),
            text("tweet", "Loving the new phone", Platform.X, likes=5),
            text("retweet", "RT This is the worst thing ever", Platform.X, likes=1000),
            text("reply", "That is sad news", Platform.X),
        ],
        accounts=[
            Account(platform=Platform.FACEBOOK, created_at=NOW - 100 * DAY, reactions_given=7, src=0),
        ],
    )
    result = analyze_text(profile, now=NOW)
    assert result.status == AnalysisStatus.OK
    platforms = by_platform(result.platforms)
    assert set(platforms) == {Platform.FACEBOOK, Platform.X}

    fb = platforms[Platform.FACEBOOK]
    assert (fb.posts.positive, fb.posts.negative, fb.posts.neutral, fb.posts.not_analysed) == (1, 1, 0, 1)
    assert (fb.comments.positive, fb.comments.neutral, fb.comments.analysed) == (1, 1, 2)
    assert (fb.own_posts_with_likes, fb.likes_on_own_posts) == (2, 12)
    assert fb.activities == 5 + 7  # five texts plus reactions given
    assert fb.active_days == pytest.approx(100.0)  # from account creation, not from the first post

    x = platforms[Platform.X]
    # The retweet is activity, but neither the applicant's sentiment nor likes on their own post.
    assert (x.posts.analysed, x.posts.positive, x.posts.negative) == (1, 1, 0)
    assert (x.comments.negative, x.comments.analysed) == (1, 1)
    assert (x.own_posts_with_likes, x.likes_on_own_posts) == (1, 5)
    assert x.activities == 3
    assert x.active_days is None  # no account date, no dated item


def test_active_days_from_first_dated_item_without_account_date() -> None:
    profile = Profile(
        application_id="a",
        texts=[
            text("post", "hello", timestamp=NOW - 10 * DAY),
            text("post", "again", timestamp=NOW - 3 * DAY),
        ],
        media=[
            MediaRef(platform=Platform.FACEBOOK, archive="k", member="m.jpg", timestamp=NOW - 20 * DAY, src=0)
        ],
    )
    (fb,) = analyze_text(profile, now=NOW).platforms
    assert fb.active_days == pytest.approx(20.0)


def test_account_without_texts_still_reports_activity() -> None:
    profile = Profile(
        application_id="a",
        accounts=[Account(platform=Platform.LINKEDIN, created_at=NOW - 2 * DAY, reactions_given=4, src=0)],
    )
    result = analyze_text(profile, now=NOW)
    assert result.status == AnalysisStatus.OK
    (li,) = result.platforms
    assert (li.activities, li.posts.analysed, li.active_days) == (4, 0, pytest.approx(2.0))


def test_no_texts_and_no_activity_is_no_evidence() -> None:
    assert analyze_text(Profile(application_id="a"), now=NOW).status == AnalysisStatus.NO_EVIDENCE
    idle = Profile(application_id="a", accounts=[Account(platform=Platform.X, followers=3, src=0)])
    assert analyze_text(idle, now=NOW).status == AnalysisStatus.NO_EVIDENCE


def test_analyzer_is_built_once() -> None:
    assert analyzer() is analyzer()
