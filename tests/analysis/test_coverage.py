"""The analysis coverage of a result: numbers, stable reason codes, plain words, and the features' evidence."""

from __future__ import annotations

import pytest

from credscore.coverage import REASONS, build_coverage, image_coverage, image_evidence, text_coverage
from credscore.evidence import (
    AnalysisStatus,
    ImageAnalysis,
    NameCounts,
    PlatformText,
    ProfanityAnalysis,
    SentimentCounts,
    TextAnalysis,
)
from credscore.scoring.config import FeatureId
from credscore.scoring.features import image_feature, profanity_features, text_features
from tests.evidence import evidence

OK = AnalysisStatus.OK


def hindi_and_english_posts() -> TextAnalysis:
    posts = SentimentCounts(
        analysed=10, not_analysed=31, positive=10,
        languages={"en": 10, "hi-Latn": 30, "zxx": 1}, not_analysed_reasons={"language": 30, "unreadable": 1},
    )  # fmt: skip
    return TextAnalysis(status=OK, platforms=[PlatformText(platform="facebook", posts=posts)], models=["v"])


def photos() -> ImageAnalysis:
    return ImageAnalysis(
        status=OK, analysed=212, not_analysed=18, flagged=2,
        not_analysed_reasons={"too_large": 10, "corrupt": 5, "missing": 1, "cap_reached": 2},
        categories_covered=["MALE_GENITALIA_EXPOSED"], content_categories=["nudity"], models=["nudenet"],
    )  # fmt: skip


def test_texts_found_analysed_and_not_analysed_by_language() -> None:
    item = text_coverage(hindi_and_english_posts())
    assert (item.found, item.analysed, item.not_analysed) == (41, 10, 31)
    assert item.not_analysed_reasons == {"language": 30, "unreadable": 1}
    assert item.languages == {"en": 10, "hi-Latn": 30, "zxx": 1}
    assert "30 in romanized Hindi (Hinglish)" in item.summary
    assert "1 empty or only links" in item.summary


def test_image_reasons_map_onto_the_stable_codes_and_uncovered_categories_are_named() -> None:
    item = image_coverage(photos())
    assert item.not_analysed_reasons == {"cap_reached": 2, "too_large": 10, "unreadable": 6}
    assert set(item.not_analysed_reasons) <= set(REASONS)
    assert item.does_not_detect == ["violence", "weapons", "drugs", "hate symbols"]
    assert item.summary.startswith("Photos: 230 found, nudity detection on 212; 18 not analysed")
    assert item.summary.endswith("Not checked: violence, weapons, drugs, hate symbols.")


def test_the_image_feature_says_what_was_and_was_not_checked() -> None:
    line = image_evidence(photos())
    assert (
        line
        == "image analysis: nudity detection on 212 of 230 photos; violence, weapons, drugs, hate symbols not checked"
    )
    assert image_feature(evidence(images=photos())).evidence == [line]


def test_the_text_feature_says_how_many_posts_were_read() -> None:
    features = text_features(evidence(text=hindi_and_english_posts()))
    (line,) = features[FeatureId.POSITIVE_POSTS].evidence
    assert "sentiment of 10 of 41 posts" in line
    assert "not analysed: 30 romanized Hindi (Hinglish)" in line
    # Only the 10 English posts count (all positive), shrunk toward the prior as any 10 posts would be.
    from credscore.scoring.features import PRIOR_POSITIVE, credible_share

    assert features[FeatureId.POSITIVE_POSTS].value == pytest.approx(credible_share(10, 10, PRIOR_POSITIVE))


def test_name_shares_are_over_analysed_names_only() -> None:
    names = ProfanityAnalysis(
        status=OK, groups=NameCounts(total=10, flagged=2, not_analysed=6, not_analysed_scripts={"TAMIL": 6})
    )
    feature = profanity_features(evidence(profanity=names))[FeatureId.NEGATIVE_GROUPS]
    assert feature.value == pytest.approx(2 / 4)  # not 2 / 10: Tamil names are not counted as clean
    assert feature.evidence == ["name analysis: groups (4 of 10 names analysed; the rest in other scripts)"]


def test_all_names_unreadable_is_no_evidence() -> None:
    names = ProfanityAnalysis(status=OK, groups=NameCounts(total=3, not_analysed=3))
    assert profanity_features(evidence(profanity=names))[FeatureId.NEGATIVE_GROUPS].value is None


def test_failed_and_empty_analyses_are_said_so() -> None:
    coverage = build_coverage(
        evidence(text=TextAnalysis(status=AnalysisStatus.FAILED, error="x"), images=photos())
    )
    assert coverage.texts.summary == "Texts: the analysis failed."
    assert coverage.names.summary == "Names: none found."
    assert len(coverage.summary()) == 3
    no_photos = build_coverage(evidence(images=ImageAnalysis(status=OK)))
    assert no_photos.images.summary.startswith("Photos: none found. Not checked: ")
    assert all(sentence.endswith(".") for sentence in no_photos.summary()), (
        "each a sentence, as the pages list them"
    )


def test_the_api_result_view_says_what_was_analysed_in_plain_words() -> None:
    from credscore_aws.models.api import ScoreResultView

    coverage = build_coverage(evidence(text=hindi_and_english_posts(), images=photos())).model_dump(
        mode="json"
    )
    view = ScoreResultView(application_id="a", status="scored", result={"analysis_coverage": coverage})
    assert view.analysed == [
        coverage["texts"]["summary"],
        "Names: none found.",
        coverage["images"]["summary"],
    ]
    assert "Not checked: violence" in view.model_dump()["analysed"][2]
    assert ScoreResultView(application_id="a", status="scored", result={}).analysed == []


def test_items_an_analysis_capped_are_found_and_not_analysed() -> None:
    from credscore.coverage import REASON_CAP_REACHED, build_coverage
    from credscore.evidence import Cap

    cap = Cap(items="names", kind="groups", analysed=20000, capped=300)
    capped = ProfanityAnalysis(status=AnalysisStatus.NO_EVIDENCE, caps=[cap])
    plain = build_coverage(evidence()).names
    names = build_coverage(evidence(profanity=capped)).names
    assert names.found == plain.found + 300
    assert names.not_analysed == plain.not_analysed + 300
    assert names.not_analysed_reasons[REASON_CAP_REACHED] == 300
    assert "300 more left out: cap reached" in names.summary


def test_photos_not_reached_in_time_are_found_and_said_so_beside_a_count_cap() -> None:
    from credscore.coverage import REASON_CAP_REACHED, REASON_TIME_LIMIT
    from credscore.evidence import Cap

    caps = [
        Cap(items="photos", analysed=40, capped=85, reason="time_limit"),
        Cap(items="photos", analysed=125, capped=7),
    ]
    plain = build_coverage(evidence(images=photos())).images
    images = build_coverage(evidence(images=photos().model_copy(update={"caps": caps}))).images
    assert images.found == plain.found + 92
    assert images.not_analysed == plain.not_analysed + 92
    assert images.not_analysed_reasons[REASON_TIME_LIMIT] == 85
    assert images.not_analysed_reasons[REASON_CAP_REACHED] == 2 + 7
    assert images.summary.endswith(
        "Not checked: violence, weapons, drugs, hate symbols. 7 more left out: cap reached. "
        "85 more left out: the time allowed ran out."
    )
    assert set(images.not_analysed_reasons) <= set(REASONS)
