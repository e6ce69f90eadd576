"""What the score function receives besides the profile, for tests: the analyses a test gives, and no evidence
from the others."""

from __future__ import annotations

from credscore.evidence import AnalysisStatus, Evidence, ImageAnalysis, ProfanityAnalysis, TextAnalysis


def evidence(
    text: TextAnalysis | None = None,
    profanity: ProfanityAnalysis | None = None,
    images: ImageAnalysis | None = None,
) -> Evidence:
    none = AnalysisStatus.NO_EVIDENCE
    return Evidence(
        text=TextAnalysis(status=none) if text is None else text,
        profanity=ProfanityAnalysis(status=none) if profanity is None else profanity,
        images=ImageAnalysis(status=none) if images is None else images,
    )
