"""Withholding sources does not pay, measured on synthetic exports through the real ingest, text and name analyses,
feature code and scorer (no photos: the image model is not needed; images are missing for every subset alike)."""

from __future__ import annotations

import datetime as dt
import io
import math
import random
from itertools import combinations

import pytest

from credscore.analysis.profanity import analyze_names
from credscore.analysis.sentiment import analyze_text
from credscore.evidence import AnalysisStatus, Evidence, ImageAnalysis
from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile
from credscore.scoring.config import load_default_config
from credscore.scoring.features import extract_features
from credscore.scoring.population import quantile
from credscore.scoring.scorer import score
from credscore.synth import make_export

pytestmark = pytest.mark.slow

TODAY = dt.date(2025, 6, 15)
NOW = int(dt.datetime(2025, 6, 15, tzinfo=dt.UTC).timestamp())


def _exports(rng: random.Random, seed: int) -> dict[Platform, bytes]:
    def size(median: float) -> int:
        return max(1, round(median * math.exp(rng.gauss(0, 0.8))))

    knobs = {
        Platform.FACEBOOK: {
            "friends": size(250),
            "friend_requests": size(12),
            "posts": size(30),
            "comments": size(15),
            "groups": rng.randint(0, 8),
            "pages": size(10),
            "birth_year": 2025 - rng.randint(19, 60),
        },
        Platform.LINKEDIN: {"connections": size(300), "skills": rng.randint(0, 30), "invitations": size(15)},
        Platform.X: {"tweets": size(40), "followers": size(120), "following": size(80)},
        Platform.INSTAGRAM: {"followers": size(200), "following": size(150), "posts": size(20)},
    }
    chosen = rng.sample(list(knobs), rng.randint(2, 3))
    out = {}
    for i, platform in enumerate(chosen):
        buffer = io.BytesIO()
        make_export(platform.value, buffer, seed=seed * 10 + i, photos=0, **knobs[platform])
        out[platform] = buffer.getvalue()
    return out


def _published(exports: dict[Platform, bytes]) -> float | None:
    profile = Profile(application_id="withholding")
    for platform, data in exports.items():
        report = ingest_archive(profile, platform, io.BytesIO(data), f"{platform.value}.zip")
        profile.sources.append(report)
    evidence = Evidence(
        text=analyze_text(profile, NOW),
        profanity=analyze_names(profile),
        images=ImageAnalysis(status=AnalysisStatus.NO_EVIDENCE),
    )
    return score(extract_features(profile, evidence, TODAY), load_default_config()).normalised_score


def test_withholding_sources_does_not_pay_through_the_real_pipeline() -> None:
    rng = random.Random(5)
    gains = []
    for seed in range(12):
        exports = _exports(rng, seed)
        full = _published(exports)
        assert full is not None
        for size in range(1, len(exports)):
            for kept in combinations(exports, size):
                partial = _published({p: exports[p] for p in kept})
                if partial is not None:
                    gains.append(partial - full)
    assert len(gains) >= 24
    assert quantile(gains, 0.5) <= 0
    assert quantile(gains, 0.9) <= 10
