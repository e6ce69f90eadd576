"""The labelled-population generator on a few applicants through the real pipeline (synth → ingest → VADER and
profanity → features), and a fit on them with outcomes from the known model."""

from __future__ import annotations

import numpy as np
import pytest

from credscore.modelling.pipeline import fit_and_validate
from credscore.modelling.population import (
    TrueModel,
    age_band,
    draw_applicant,
    generate_applicants,
    labelled_population,
    latent_tone,
    pipeline_features,
    source_subsets,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def applicants():  # type: ignore[no-untyped-def]
    return generate_applicants(60, seed=4)


def test_features_come_from_the_real_pipeline(applicants) -> None:  # type: ignore[no-untyped-def]
    chars = applicants.characteristics
    assert len(applicants) == 60
    assert np.all(np.isnan(chars["images"]))  # photo-free exports: the image model never runs
    assert not np.any(np.isnan(chars["connections"]))  # every platform reports a network size
    has_linkedin = np.array(["linkedin" in s for s in applicants.sources.tolist()])
    assert np.array_equal(np.isnan(chars["skills"]), ~has_linkedin)  # the informative missing source
    shares = chars["negative_posts"][~np.isnan(chars["negative_posts"])]
    assert shares.size > 30
    assert 0.0 <= shares.min() < shares.max() <= 1.0  # VADER ran on the posts


def test_applicants_are_deterministic_and_subsets_reuse_the_same_exports() -> None:
    knobs = draw_applicant(4, 7)
    assert knobs == draw_applicant(4, 7)
    full = pipeline_features(knobs, 99)
    assert full == pipeline_features(knobs, 99)
    if len(knobs) > 1:
        first = next(iter(knobs))
        alone = pipeline_features(knobs, 99, keep={first})
        assert alone != full
    assert list(source_subsets(["a", "b", "c"])) == [
        ("a",),
        ("b",),
        ("c",),
        ("a", "b"),
        ("a", "c"),
        ("b", "c"),
    ]


def test_labelled_population_and_fit_recover_the_signs(applicants) -> None:  # type: ignore[no-untyped-def]
    pop = labelled_population(applicants, 4000, seed=1)
    assert pop.distinct == 60
    assert len(pop.data) == 4000
    assert set(np.unique(pop.applicant)) == set(range(60))  # every applicant at least once
    assert np.array_equal(pop.tone, applicants.tone[pop.applicant])
    assert np.allclose(pop.p_bad, TrueModel().p_bad(pop.data.characteristics, pop.tone))
    assert np.all(np.diff(pop.data.scored_at) >= 0)
    outcome = fit_and_validate(pop.data, version="population-test")
    chars = {c["name"]: c for c in outcome.report["characteristics"]}
    for name in ("connections", "age"):
        assert chars[name]["in_model"], name
        assert chars[name]["coefficient"] < 0
        assert chars[name]["monotone"]
    assert chars["images"]["note"].startswith("no spread")


def test_tone_is_the_persons_and_the_measured_share_follows_it(applicants) -> None:  # type: ignore[no-untyped-def]
    assert applicants.tone.tolist() == [latent_tone(4, i) for i in range(60)]
    shared = 0
    for i in range(60):
        knobs = draw_applicant(4, i)
        for platform in set(knobs) - {"linkedin"}:  # every export with texts carries the person's one tone
            assert knobs[platform]["negative_share"] == latent_tone(4, i)
            shared += 1
    assert shared > 60
    measured = applicants.characteristics["negative_posts"]
    has = ~np.isnan(measured)
    # the pipeline's pooled, shrunk share measures the trait: noisy, but clearly related
    assert np.corrcoef(applicants.tone[has], measured[has])[0, 1] > 0.5


def test_the_truth_sees_the_trait_not_its_measurement(applicants) -> None:  # type: ignore[no-untyped-def]
    truth = TrueModel()
    chars, tone = applicants.characteristics, applicants.tone
    base = truth.logit(chars, tone)
    remeasured = dict(chars, negative_posts=np.where(np.isnan(chars["negative_posts"]), 0.9, np.nan))
    assert np.array_equal(truth.logit(remeasured, tone), base)  # withholding the posts changes nothing true
    assert np.allclose(truth.logit(chars, tone + 0.1) - base, 0.1 * truth.negative_posts)
    at_centre = truth.logit(chars, np.full(tone.shape, truth.tone_centre))
    assert np.allclose(base - at_centre, truth.negative_posts * (tone - truth.tone_centre))


def test_age_bands() -> None:
    bands = age_band(np.array([18.0, 24.0, 25.0, 64.0, np.nan, 17.0]))
    assert bands.tolist() == ["18-24", "18-24", "25-34", "55-64", "", ""]
