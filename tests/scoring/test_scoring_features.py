"""extract_features: each feature's value, its evidence, and None (not 0) when there is no evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from credscore.evidence import (
    AnalysisStatus,
    Evidence,
    ImageAnalysis,
    NameCounts,
    PlatformText,
    ProfanityAnalysis,
    SentimentCounts,
    TextAnalysis,
)
from credscore.profile import (
    Account,
    BirthDate,
    Education,
    Platform,
    Profile,
    SourceReport,
    SourceStatus,
)
from credscore.scoring.config import FeatureId, load_default_config
from credscore.scoring.features import (
    CREDIBILITY_TEXTS,
    PRIOR_NEGATIVE,
    PRIOR_POSITIVE,
    FeatureValue,
    FeatureVector,
    extract_features,
)
from credscore.scoring.scorer import score
from tests.evidence import evidence

TODAY = dt.date(2025, 6, 15)
OK = AnalysisStatus.OK


def profile(*parsed: Platform) -> Profile:
    p = Profile(
        application_id="app-1",
        sources=[SourceReport(platform=pl, status=SourceStatus.PARSED) for pl in parsed],
    )
    for pl in parsed:
        p.add_file(pl, f"{pl.value}-file")
    return p


def value(fv: FeatureVector, feature: FeatureId) -> float | None:
    return fv.get(feature).value


def test_every_feature_is_present_and_none_without_any_evidence() -> None:
    fv = extract_features(profile(), None, TODAY)
    assert set(fv.values) == set(FeatureId)
    assert all(v.value is None for v in fv.values.values())


# -------------------------------------------------------------------------------------------------- age
def test_age_in_completed_years_from_a_full_date() -> None:
    p = profile(Platform.FACEBOOK)
    p.birth_dates.append(BirthDate(year=2007, month=6, day=15, src=0))
    assert value(extract_features(p, None, TODAY), FeatureId.AGE) == 18
    assert value(extract_features(p, None, TODAY - dt.timedelta(days=1)), FeatureId.AGE) == 17


def test_full_date_is_preferred_and_disagreement_is_noted() -> None:
    p = profile(Platform.FACEBOOK, Platform.LINKEDIN)
    p.birth_dates.append(BirthDate(year=1980, src=1))
    p.birth_dates.append(BirthDate(year=1990, month=1, day=2, src=0))
    fv = extract_features(p, None, TODAY).get(FeatureId.AGE)
    assert fv.value == 35
    assert fv.evidence == ["facebook:facebook-file"]
    assert any("disagree" in n for n in fv.notes)


def test_agreeing_sources_are_not_flagged() -> None:
    p = profile(Platform.FACEBOOK, Platform.LINKEDIN)
    p.birth_dates.append(BirthDate(year=1990, src=1))
    p.birth_dates.append(BirthDate(year=1990, month=1, day=2, src=0))
    assert extract_features(p, None, TODAY).get(FeatureId.AGE).notes == []


def test_year_only_counts_from_the_latest_possible_birthday() -> None:
    p = profile(Platform.LINKEDIN)
    p.birth_dates.append(BirthDate(year=2007, src=0))
    fv = extract_features(p, None, TODAY).get(FeatureId.AGE)
    assert fv.value == 17  # could be 18 already, but an age is never overstated
    assert any("incomplete" in n for n in fv.notes)
    assert value(extract_features(p, None, dt.date(2025, 12, 31)), FeatureId.AGE) == 18


def test_placeholder_and_future_birth_dates_are_ignored() -> None:
    p = profile(Platform.INSTAGRAM)
    p.birth_dates.append(BirthDate(year=1919, month=1, day=1, src=0))
    p.birth_dates.append(BirthDate(year=2030, month=1, day=1, src=0))
    p.birth_dates.append(BirthDate(year=0, src=0))
    fv = extract_features(p, None, TODAY).get(FeatureId.AGE)
    assert fv.value is None
    assert fv.notes == ["3 implausible birth date(s) ignored"]


# ---------------------------------------------------------------------------------------- profile facts
def test_education_counts_completed_entries() -> None:
    p = profile(Platform.LINKEDIN)
    p.education += [
        Education(graduated=True, src=0),
        Education(end_year=2010, src=0),
        Education(end_year=2030, src=0),
        Education(graduated=False, end_year=2010, src=0),
    ]
    assert value(extract_features(p, None, TODAY), FeatureId.EDUCATION) == 2
    assert value(extract_features(profile(Platform.LINKEDIN), None, TODAY), FeatureId.EDUCATION) is None


def test_skills_are_counted_once_and_zero_only_when_linkedin_was_read() -> None:
    p = profile(Platform.LINKEDIN)
    p.skills += ["Python", "python ", "SQL", " "]
    assert value(extract_features(p, None, TODAY), FeatureId.SKILLS) == 2
    assert value(extract_features(profile(Platform.LINKEDIN), None, TODAY), FeatureId.SKILLS) == 0
    assert value(extract_features(profile(Platform.FACEBOOK), None, TODAY), FeatureId.SKILLS) is None


def test_connections_take_the_largest_network_among_platforms_that_report_a_count() -> None:
    p = profile(Platform.LINKEDIN, Platform.FACEBOOK, Platform.X)
    p.accounts += [
        Account(platform=Platform.LINKEDIN, connections=500, src=0),
        Account(platform=Platform.FACEBOOK, friends=300, followers=9999, src=1),
        Account(platform=Platform.X, src=2),  # says nothing: left out, not 0
    ]
    fv = extract_features(p, None, TODAY).get(FeatureId.CONNECTIONS)
    assert fv.value == 500
    assert fv.evidence == ["linkedin:linkedin-file", "facebook:facebook-file"]
    p.accounts[0] = Account(platform=Platform.LINKEDIN, connections=50, src=0)
    assert (
        value(extract_features(p, None, TODAY), FeatureId.CONNECTIONS) == 300
    )  # a smaller one never lowers it


def test_invitations_are_the_count_received_summed_over_platforms() -> None:
    p = profile(Platform.LINKEDIN, Platform.FACEBOOK, Platform.X)
    p.accounts += [
        Account(platform=Platform.LINKEDIN, connections=100, invitations_received=20, src=0),
        Account(platform=Platform.FACEBOOK, friends=0, invitations_received=5, src=1),
        Account(platform=Platform.X, followers=10, src=2),  # says nothing: left out
    ]
    fv = extract_features(p, None, TODAY).get(FeatureId.INVITATIONS)
    assert fv.value == 25
    assert fv.evidence == ["linkedin:linkedin-file", "facebook:facebook-file"]
    assert value(extract_features(profile(Platform.X), None, TODAY), FeatureId.INVITATIONS) is None


# --------------------------------------------------------------------------------------------- analyses
def _text(*platforms: PlatformText) -> TextAnalysis:
    return TextAnalysis(status=OK, platforms=list(platforms))


def test_post_shares_are_pooled_over_platforms_and_shrunk_toward_the_prior() -> None:
    text = _text(
        PlatformText(platform=Platform.FACEBOOK, posts=SentimentCounts(analysed=10, positive=8, negative=1)),
        PlatformText(platform=Platform.X, posts=SentimentCounts(analysed=100, positive=20, negative=50)),
        PlatformText(platform=Platform.LINKEDIN, posts=SentimentCounts(analysed=0, not_analysed=7)),
    )
    fv = extract_features(profile(), evidence(text=text), TODAY)
    k = CREDIBILITY_TEXTS
    assert value(fv, FeatureId.POSITIVE_POSTS) == pytest.approx((k * PRIOR_POSITIVE + 28) / (k + 110))
    assert value(fv, FeatureId.NEGATIVE_POSTS) == pytest.approx((k * PRIOR_NEGATIVE + 51) / (k + 110))
    assert len(fv.get(FeatureId.POSITIVE_POSTS).evidence) == 2
    assert fv.get(FeatureId.POSITIVE_POSTS).notes == []


def test_one_positive_tweet_beside_a_long_history_hardly_moves_the_share() -> None:
    history = PlatformText(
        platform=Platform.FACEBOOK, posts=SentimentCounts(analysed=200, positive=60, negative=80)
    )
    tweet = PlatformText(platform=Platform.X, posts=SentimentCounts(analysed=1, positive=1))
    alone = extract_features(profile(), evidence(text=_text(history)), TODAY)
    both = extract_features(profile(), evidence(text=_text(history, tweet)), TODAY)
    for feature in (FeatureId.POSITIVE_POSTS, FeatureId.NEGATIVE_POSTS):
        assert abs((value(both, feature) or 0) - (value(alone, feature) or 0)) < 0.005


@pytest.mark.parametrize("analysed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("share", ["none", "all"])
def test_a_handful_of_posts_never_gives_zero_or_full_points(analysed: int, share: str) -> None:
    hits = analysed if share == "all" else 0
    counts = SentimentCounts(analysed=analysed, positive=hits, negative=analysed - hits)
    fv = extract_features(
        profile(), evidence(text=_text(PlatformText(platform=Platform.X, posts=counts))), TODAY
    )
    result = score(fv, load_default_config())
    for feature in (FeatureId.POSITIVE_POSTS, FeatureId.NEGATIVE_POSTS):
        row = next(b for b in result.breakdown if b.feature == feature)
        assert row.points is not None
        assert 0 < row.points < row.weight
        assert 0.05 < (value(fv, feature) or 0) < 0.95
        assert any("pulled toward the typical share" in n for n in row.notes)


def test_comments_balance_likes_and_interaction_frequency() -> None:
    text = _text(
        PlatformText(
            platform=Platform.FACEBOOK,
            comments=SentimentCounts(analysed=10, positive=2, negative=6),
            own_posts_with_likes=4,
            likes_on_own_posts=10,
            activities=30,
            active_days=10,
        ),
        PlatformText(platform=Platform.X, own_posts_with_likes=6, likes_on_own_posts=40, activities=5),
    )
    fv = extract_features(profile(), evidence(text=text), TODAY)
    k = CREDIBILITY_TEXTS
    assert value(fv, FeatureId.COMMENTS) == pytest.approx(
        (k * PRIOR_POSITIVE + 2) / (k + 10) - (k * PRIOR_NEGATIVE + 6) / (k + 10)
    )
    assert value(fv, FeatureId.LIKES) == pytest.approx(50 / 10)  # per post, pooled over posts
    assert value(fv, FeatureId.INTERACTION_FREQUENCY) == pytest.approx(3.0)  # X has no active_days
    assert value(fv, FeatureId.POSITIVE_POSTS) is None


@pytest.mark.parametrize("status", [AnalysisStatus.FAILED, AnalysisStatus.NO_EVIDENCE])
def test_an_unusable_analysis_leaves_its_features_without_evidence(status: AnalysisStatus) -> None:
    ev = Evidence(
        text=TextAnalysis(
            status=status,
            platforms=[PlatformText(platform=Platform.X, posts=SentimentCounts(analysed=5, positive=5))],
        ),
        profanity=ProfanityAnalysis(status=status, groups=NameCounts(total=4, flagged=0)),
        images=ImageAnalysis(status=status, analysed=3),
    )
    fv = extract_features(profile(), ev, TODAY)
    for feature in (FeatureId.POSITIVE_POSTS, FeatureId.NEGATIVE_GROUPS, FeatureId.IMAGES, FeatureId.LIKES):
        assert value(fv, feature) is None
        assert fv.get(feature).notes


def test_profanity_and_images_shares() -> None:
    ev = evidence(
        profanity=ProfanityAnalysis(
            status=OK,
            groups=NameCounts(total=4, flagged=1),
            pages=NameCounts(total=6, flagged=1),
            following=NameCounts(total=4, flagged=2),
        ),
        images=ImageAnalysis(status=OK, analysed=8, not_analysed=2, flagged=2),
    )
    fv = extract_features(profile(), ev, TODAY)
    assert value(fv, FeatureId.NEGATIVE_GROUPS) == pytest.approx(0.25)
    assert value(fv, FeatureId.NEGATIVE_PAGES) == pytest.approx(3 / 10)  # pages liked and accounts followed
    assert value(fv, FeatureId.IMAGES) == pytest.approx(0.25)
    assert fv.get(FeatureId.IMAGES).notes == ["2 image(s) could not be analysed"]


def test_ok_analysis_with_nothing_counted_is_no_evidence() -> None:
    ev = evidence(profanity=ProfanityAnalysis(status=OK), images=ImageAnalysis(status=OK, not_analysed=3))
    fv = extract_features(profile(), ev, TODAY)
    assert value(fv, FeatureId.NEGATIVE_GROUPS) is None
    assert value(fv, FeatureId.IMAGES) is None


def test_feature_vector_round_trips_through_json() -> None:
    p = profile(Platform.LINKEDIN)
    p.skills.append("Go")
    fv = extract_features(p, None, TODAY)
    assert FeatureVector.model_validate_json(fv.model_dump_json()) == fv


def test_a_non_finite_value_is_never_stored_as_evidence(monkeypatch: pytest.MonkeyPatch) -> None:
    from credscore.scoring import features as features_module

    monkeypatch.setattr(features_module, "image_feature", lambda _ev: FeatureValue(value=float("nan")))
    fv = extract_features(profile(), evidence(), TODAY).get(FeatureId.IMAGES)
    assert fv.value is None
    assert fv.notes == ["value not a finite number; treated as missing"]
