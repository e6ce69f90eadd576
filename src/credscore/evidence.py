"""What each analysis Lambda reports: the contract between the Parallel branches and scoring.

Every analysis says how much it could look at (`analysed`) and how much it could not (`not_analysed`), so that the
score can tell "no evidence" from "evidence of nothing bad". A branch that failed is recorded as `status="failed"`
with its error, never as zeros.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from credscore.profile import Platform


class AnalysisStatus(StrEnum):
    OK = "ok"
    NO_EVIDENCE = "no_evidence"  # nothing to analyse in this profile (e.g. no photos)
    FAILED = "failed"  # the branch failed after its retries; `error` says why


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Cap(_Model):
    """Items an analysis left out to stay within its function's memory and time, whatever the profile's size:
    the first `analysed` items of their group were analysed, the `capped` items after them were not (they
    still count where only a count is needed, e.g. activity). `cap_reached`: over a count fixed in advance;
    `time_limit`: the function's time ran out first (hostile photos can take seconds each)."""

    items: Literal["texts", "names", "photos"]
    platform: Platform | None = None
    kind: str | None = Field(default=None, description="text kind or name kind of the capped group")
    analysed: int
    capped: int
    reason: Literal["cap_reached", "time_limit"] = "cap_reached"


class SentimentCounts(_Model):
    """VADER polarity counts over one group of texts (compound ≥ 0.05 positive, ≤ -0.05 negative)."""

    analysed: int = 0
    not_analysed: int = Field(
        default=0, description="texts not scored: other languages than English, empty, only URLs"
    )
    positive: int = 0
    negative: int = 0
    neutral: int = 0
    languages: dict[str, int] = Field(
        default_factory=dict,
        description='every text by identified language ("en", "hi-Latn" romanized Hindi, "hi", "zxx" emoji '
        'only, "und" unidentified...), analysed or not',
    )
    not_analysed_reasons: dict[str, int] = Field(
        default_factory=dict, description='not analysed texts by reason: "language", "unreadable"'
    )


class PlatformText(_Model):
    platform: Platform
    posts: SentimentCounts = Field(default_factory=SentimentCounts, description="posts, tweets, captions")
    comments: SentimentCounts = Field(default_factory=SentimentCounts, description="comments and replies")
    own_posts_with_likes: int = Field(default=0, description="own posts whose like count is known")
    likes_on_own_posts: int = 0
    activities: int = Field(
        default=0, description="posts + comments + reactions given, for interaction frequency"
    )
    active_days: float | None = Field(
        default=None, description="days from account creation (or first item) to now"
    )


class TextAnalysis(_Model):
    kind: Literal["text"] = "text"
    status: AnalysisStatus
    error: str | None = None
    platforms: list[PlatformText] = Field(default_factory=list)
    caps: list[Cap] = Field(default_factory=list, description="texts left out by a cap, with the reason")
    models: list[str] = Field(default_factory=list, description="packages used, with versions, for the audit")


class NameCounts(_Model):
    total: int = Field(default=0, description="distinct names found")
    flagged: int = 0
    not_analysed: int = Field(
        default=0, description="names in a script without word lists (Latin and Devanagari are read)"
    )
    not_analysed_scripts: dict[str, int] = Field(
        default_factory=dict, description='not analysed names by script, e.g. {"TAMIL": 2}'
    )

    @property
    def analysed(self) -> int:
        return self.total - self.not_analysed


class ProfanityAnalysis(_Model):
    kind: Literal["profanity"] = "profanity"
    status: AnalysisStatus
    error: str | None = None
    groups: NameCounts = Field(default_factory=NameCounts)
    pages: NameCounts = Field(default_factory=NameCounts)
    following: NameCounts = Field(default_factory=NameCounts)
    caps: list[Cap] = Field(default_factory=list, description="names left out by a cap, with the reason")
    models: list[str] = Field(default_factory=list, description="word lists used, for the audit")


class ImageAnalysis(_Model):
    kind: Literal["images"] = "images"
    status: AnalysisStatus
    error: str | None = None
    analysed: int = 0
    not_analysed: int = Field(default=0, description="corrupt, unsupported or oversized images")
    not_analysed_reasons: dict[str, int] = Field(
        default_factory=dict, description="images not analysed, counted by reason (missing, too_large...)"
    )
    flagged: int = Field(
        default=0, description="images with at least one covered category over its threshold"
    )
    categories_covered: list[str] = Field(default_factory=list, description="model labels that can flag")
    content_categories: list[str] = Field(
        default_factory=list, description='content categories the models cover, e.g. ["nudity"]'
    )
    category_counts: dict[str, int] = Field(default_factory=dict)
    models: list[str] = Field(default_factory=list, description="model ids used, for the audit trail")
    caps: list[Cap] = Field(default_factory=list, description="photos left out by a cap, with the reason")


class Evidence(_Model):
    """Everything the score function receives besides the profile-derived facts."""

    text: TextAnalysis
    profanity: ProfanityAnalysis
    images: ImageAnalysis
