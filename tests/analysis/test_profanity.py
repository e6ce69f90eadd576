"""Profanity of names: the allow-list removes known false positives, real profanity is still caught."""

from __future__ import annotations

import pytest
from better_profanity import Profanity

from credscore.analysis.profanity import (
    _allowed_phrases_re,
    analyze_names,
    censor,
    contains_profanity,
    is_profane_name,
    matcher,
)
from credscore.evidence import AnalysisStatus
from credscore.profile import NamedEntity, Platform, Profile

INNOCENT = [
    "God is great",
    "Virgin Atlantic Flyers",
    "Kill Bill fans",
    "Drunk Monkey Pub",
    "Gay Pride Mumbai",
    "Sex Education (Netflix)",
    "Moby Dick Book Club",
    "Philip K. Dick Readers",
    "Cock and Bull Pub",
    "Rape Crisis Centre",
    "Homo Sapiens Society",
    "Penetration Testing India",
    "Comic Strip Fans",
    "Organ Donation",
    "Stroke Association",
    "HIV Awareness",
    "Pot Luck Recipes",
    "Felipe Massa Fans",
    "Great Tit Watchers",
    "Scunthorpe United",
    "Essex Cricket Club",
    "Hell's Kitchen",
]

PROFANE = [
    "Shit happens",
    "Fuck this",
    "f*ck this",  # leetspeak variants better-profanity knows
    "sh1t posting",
    "B1tch please",
    "a$$hole club",
    "wh0re",
    "phuck off",
    "Motherf*cker",
    "Cunts United",
    "Big Dick Energy",  # the word stays flagged outside allow-listed phrases
    "Weed Lovers 420",
    "Hot Sluts",
]


@pytest.mark.parametrize("name", INNOCENT)
def test_allow_list_clears_known_false_positives(name: str) -> None:
    assert not is_profane_name(name)


def test_allow_list_is_needed() -> None:
    """The stock list flags most of the innocent names: the allow-list, not the library, clears them."""
    stock = Profanity()
    assert sum(stock.contains_profanity(n) for n in INNOCENT) >= len(INNOCENT) - 4


@pytest.mark.parametrize("name", PROFANE)
def test_true_positives_are_flagged(name: str) -> None:
    assert is_profane_name(name)


def test_counts_per_kind_deduplicated_case_insensitively() -> None:
    def entity(kind: str, name: str, platform: Platform = Platform.FACEBOOK) -> NamedEntity:
        return NamedEntity(platform=platform, kind=kind, name=name, src=0)  # type: ignore[arg-type]

    profile = Profile(
        application_id="a",
        names=[
            entity("group", "Fuck Mondays"),
            entity("group", "fuck  MONDAYS", Platform.X),  # same group, other spelling
            entity("group", "Gardening India"),
            entity("group", "   "),
            entity("page", "Virgin Atlantic Flyers"),
            entity("page", "Shit happens"),
            entity("following", "Shit happens"),  # other kind: counted there too
        ],
    )
    result = analyze_names(profile)
    assert result.status == AnalysisStatus.OK
    assert (result.groups.total, result.groups.flagged) == (2, 1)
    assert (result.pages.total, result.pages.flagged) == (2, 1)
    assert (result.following.total, result.following.flagged) == (1, 1)


def test_no_names_is_no_evidence() -> None:
    result = analyze_names(Profile(application_id="a"))
    assert result.status == AnalysisStatus.NO_EVIDENCE
    assert result.groups.total == 0


def test_censor_is_built_once() -> None:
    assert censor() is censor()


def test_fast_matcher_gives_the_censors_verdict_on_names() -> None:
    for name in INNOCENT + PROFANE + ["Rape Crisis and shit", "Moby Dick", "Dick Van Dyke fans"]:
        masked = _allowed_phrases_re().sub(" ", name)
        assert is_profane_name(name) is censor().contains_profanity(masked), name


def test_long_texts() -> None:
    post = " ".join(["Had a lovely walk with the family in the park today, God is great."] * 20)
    assert not contains_profanity(post)
    assert contains_profanity(post + " Traffic was shit though.")
    assert matcher() is matcher()
