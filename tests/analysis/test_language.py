"""Language identification before sentiment: accuracy on the labelled set, and what is (not) analysed."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from credscore.analysis.language import ENGLISH, HINGLISH, NO_LANGUAGE, identify
from credscore.analysis.sentiment import REASON_LANGUAGE, REASON_UNREADABLE, analyze_text, count_sentiment
from credscore.profile import Platform, Profile, TextItem
from credscore.scoring.config import FeatureId
from credscore.scoring.features import text_features

LABELLED = Path(__file__).parent / "data" / "language-labelled.tsv"


def labelled() -> list[dict[str, str]]:
    with LABELLED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_labelled_set_is_large_and_varied() -> None:
    rows = labelled()
    by_language = Counter(r["language"] for r in rows)
    assert len(rows) >= 300
    assert by_language[ENGLISH] >= 100
    assert by_language[HINGLISH] >= 60
    assert by_language["hi"] >= 20
    assert by_language["ta"] >= 10
    assert len(by_language) >= 12


def test_accuracy_on_the_labelled_set() -> None:
    rows = labelled()
    hits = [identify(r["text"]) == r["language"] for r in rows]
    assert sum(hits) / len(rows) >= 0.95


def test_english_is_recognised_and_nothing_else_passes_as_english() -> None:
    """What matters for the score: English texts reach VADER, no other language does."""
    rows = labelled()
    english = [r for r in rows if r["language"] == ENGLISH]
    others = [r for r in rows if r["language"] != ENGLISH]
    recall = sum(identify(r["text"]) == ENGLISH for r in english) / len(english)
    leaked = [r["text"] for r in others if identify(r["text"]) == ENGLISH]
    assert recall >= 0.97
    assert leaked == []


def test_romanized_hindi_is_recognised() -> None:
    hinglish = [r for r in labelled() if r["language"] == HINGLISH]
    assert sum(identify(r["text"]) == HINGLISH for r in hinglish) / len(hinglish) >= 0.97


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("आज का दिन OK था", "hi"),  # mixed: never scored on "OK" alone
        ("Aaj ka din bahut accha tha", HINGLISH),
        ("Ekdum bakwas service", HINGLISH),
        ("Thanks bhai, you are the best", ENGLISH),  # a Hindi loanword does not make a text Hinglish
        ("இன்று நல்ல நாள்", "ta"),
        ("😍😍 https://example.com", NO_LANGUAGE),
        ("Great news @someone #blessed", ENGLISH),
    ],
)
def test_examples(text: str, language: str) -> None:
    assert identify(text) == language


def test_only_english_is_scored_and_the_rest_counted_by_language() -> None:
    counts = count_sentiment(
        ["Wonderful day!", "Awful service", "Aaj ka din bahut accha tha", "Ekdum bakwas service",
         "आज का दिन OK था", "இன்று நல்ல நாள்", "https://example.com", "😍"]
    )  # fmt: skip
    assert (counts.analysed, counts.positive, counts.negative) == (3, 2, 1)
    assert counts.not_analysed == 5
    assert counts.languages == {ENGLISH: 2, HINGLISH: 2, "hi": 1, "ta": 1, NO_LANGUAGE: 2}
    assert counts.not_analysed_reasons == {REASON_LANGUAGE: 4, REASON_UNREADABLE: 1}


def test_hinglish_negatives_do_not_dilute_english_positives() -> None:
    """The issue's case: 10 positive English posts and 30 negative Hinglish ones. Shares are computed on the
    analysed (English) posts only: all 10 positive, instead of 10 of 40."""
    texts = [f"Had a wonderful day with my family {i}" for i in range(10)]
    texts += [f"Ekdum bakwas service, paise waste ho gaye {i}" for i in range(30)]
    profile = Profile(
        application_id="a",
        texts=[TextItem(platform=Platform.FACEBOOK, kind="post", text=t, src=0) for t in texts],
    )
    analysis = analyze_text(profile, now=1_700_000_000)
    (fb,) = analysis.platforms
    assert (fb.posts.analysed, fb.posts.not_analysed) == (10, 30)
    assert fb.posts.languages == {ENGLISH: 10, HINGLISH: 30}
    assert any(m.startswith("py3langid") for m in analysis.models)
    from credscore.evidence import Evidence, ImageAnalysis, ProfanityAnalysis

    evidence = Evidence(
        text=analysis,
        profanity=ProfanityAnalysis(status="no_evidence"),
        images=ImageAnalysis(status="no_evidence"),
    )
    from credscore.scoring.features import PRIOR_POSITIVE, credible_share

    # The 10 English posts alone, shrunk toward the prior as any 10 posts are (0.7, not 0.25 of all 40).
    assert text_features(evidence)[FeatureId.POSITIVE_POSTS].value == pytest.approx(
        credible_share(10, 10, PRIOR_POSITIVE)
    )


def test_all_hindi_posts_give_no_sentiment_evidence() -> None:
    profile = Profile(
        application_id="a",
        texts=[TextItem(platform=Platform.FACEBOOK, kind="post", text=t, src=0)
               for t in ("आज का दिन बहुत अच्छा था", "बहुत बुरा अनुभव रहा")],
    )  # fmt: skip
    analysis = analyze_text(profile, now=1_700_000_000)
    (fb,) = analysis.platforms
    assert (fb.posts.analysed, fb.posts.not_analysed, fb.posts.languages) == (0, 2, {"hi": 2})
