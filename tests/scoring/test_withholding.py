"""Missing evidence is neutral in expectation: over a synthetic population run through the real feature code and
scorer, withholding sources does not pay. And more friends never lower the score (no connections/invitations
reversal)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from credscore.profile import Account, Platform, Profile, SourceReport, SourceStatus
from credscore.scoring.config import FeatureId, load_default_config
from credscore.scoring.features import extract_features
from credscore.scoring.population import (
    applicants,
    features_of,
    quantile,
    reference_points,
    reference_report,
    withholding_gains,
)
from credscore.scoring.scorer import score

DEFAULT = load_default_config()
PEOPLE = applicants(250, seed=2024)


def test_withholding_sources_does_not_pay_under_the_defaults() -> None:
    gains = list(withholding_gains(PEOPLE, DEFAULT))
    assert len(gains) > 300  # most applicants have two or more sources
    assert quantile(gains, 0.5) <= 0
    assert quantile(gains, 0.9) <= 10


def test_the_reference_report_prints_each_characteristic_and_the_withholding_gain() -> None:
    lines = reference_report(60, seed=5, config=DEFAULT).splitlines()
    people = applicants(60, seed=5)
    points = reference_points(people, DEFAULT)
    assert len(lines) == 1 + len(points) + 1
    assert lines[0].split()[:4] == ["characteristic", "mean", "median", "evidence"]
    for line, (feature, (mean, med, _)) in zip(lines[1:-1], points.items(), strict=True):
        assert line.split()[:3] == [feature.value, f"{mean:.1f}", f"{med:.1f}"]
    gains = list(withholding_gains(people, DEFAULT))
    assert lines[-1].startswith(
        f"withholding gain over {len(gains)} subsets: median {quantile(gains, 0.5):+.1f}"
    )


def test_the_defaults_missing_points_are_neutral_for_the_reference_population() -> None:
    """missing_points ≤ the population's mean and median points (so the typical applicant gains nothing by
    withholding); and not far below them (withholding is not punished either)."""
    for feature, (mean, med, _) in reference_points(applicants(800, seed=99), DEFAULT).items():
        missing = DEFAULT.scorecard.characteristics[feature].missing_points
        assert missing <= min(mean, med) + 2, feature  # + sampling noise of a median of whole skills
        assert missing >= min(mean, med) - 5, feature


def test_withholding_under_the_old_rule_would_have_paid() -> None:
    """The same population where missing earned the best points would reward withholding: the test can fail."""
    chars = {
        f: c.model_copy(update={"missing_points": c.max_points()})
        for f, c in DEFAULT.scorecard.characteristics.items()
    }
    generous = DEFAULT.model_copy(
        update={"scorecard": DEFAULT.scorecard.model_copy(update={"characteristics": chars})}
    )
    assert quantile(list(withholding_gains(PEOPLE[:60], generous)), 0.5) > 0


def test_withholding_a_source_of_one_applicant_changes_only_its_characteristics() -> None:
    person = next(
        p for p in PEOPLE if {s.platform for s in p.sources} >= {Platform.FACEBOOK, Platform.LINKEDIN}
    )
    without_linkedin = [s for s in person.sources if s.platform != Platform.LINKEDIN]
    full, partial = features_of(person.sources), features_of(without_linkedin)
    assert full.get(FeatureId.SKILLS).value is not None
    assert partial.get(FeatureId.SKILLS).value is None


def _profile(friends: int, requests: int) -> Profile:
    p = Profile(
        application_id="p", sources=[SourceReport(platform=Platform.FACEBOOK, status=SourceStatus.PARSED)]
    )
    src = p.add_file(Platform.FACEBOOK, "friends.json")
    return p.model_copy(
        update={
            "accounts": [
                Account(platform=Platform.FACEBOOK, friends=friends, invitations_received=requests, src=src)
            ]
        }
    )


@settings(deadline=None)  # shared CI cores: no timing in tests
@given(st.integers(0, 20_000), st.integers(0, 20_000), st.integers(0, 500))
def test_more_friends_never_lower_the_score_with_requests_fixed(a: int, b: int, requests: int) -> None:
    fewer, more = sorted((a, b))
    today = dt.date(2025, 6, 15)
    low = score(extract_features(_profile(fewer, requests), None, today), DEFAULT).normalised_score
    high = score(extract_features(_profile(more, requests), None, today), DEFAULT).normalised_score
    assert low is not None
    assert high is not None
    assert high >= low - 1e-9


def test_the_issue_example_no_longer_reverses() -> None:
    today = dt.date(2025, 6, 15)
    scores = [
        score(extract_features(_profile(c, 12), None, today), DEFAULT).normalised_score
        for c in (10, 150, 1000)
    ]
    assert scores == sorted(scores)
    assert scores[0] < scores[2]  # type: ignore[operator]
