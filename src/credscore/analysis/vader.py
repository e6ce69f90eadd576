"""The VADER analyzer, loaded once per process.

Its own module because both `sentiment` (which scores with it) and `language` (which counts VADER's lexicon as
English words) need it, and neither may import the other both ways.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@cache
def analyzer() -> SentimentIntensityAnalyzer:
    """One analyzer per process: loading the lexicon takes ~50 ms, scoring a sentence ~0.1 ms."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()
