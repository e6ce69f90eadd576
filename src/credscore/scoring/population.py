"""A synthetic reference population at the level the scorer sees (profile facts and analysis counts per source),
for two jobs: deriving a hand-set scorecard's neutral Missing points and baselines, and measuring what an
applicant gains by withholding sources.

Each applicant has one to four sources; a person's tone, network size and habits are shared across them, so
withholding a source removes real evidence the way an applicant would. The real feature code
(`extract_features`) and scorer run on every subset. Distributions are assumptions written down here (median
friends ≈ 250, the real exports we measured held 8 to 1,435), not measurements of a market.

    python -m credscore_cli.population [--n 800] [--seed 7]   # neutral points and withholding gains
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from statistics import fmean, median

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
from credscore.profile import Account, BirthDate, Platform, Profile, SourceReport, SourceStatus
from credscore.scoring.config import FeatureId, ScoringConfig, load_default_config
from credscore.scoring.features import FeatureVector, extract_features
from credscore.scoring.scorer import score

TODAY = dt.date(2025, 6, 15)
OK = AnalysisStatus.OK
_SHARE_OF_SOURCE = {
    Platform.FACEBOOK: 0.8,
    Platform.INSTAGRAM: 0.55,
    Platform.LINKEDIN: 0.5,
    Platform.X: 0.35,
}


@dataclass(frozen=True)
class Source:
    """What one export contributes: profile facts and analysis counts."""

    platform: Platform
    network: int
    invitations: int | None
    birth_year: int | None
    skills: int
    text: PlatformText
    images_analysed: int
    images_flagged: int
    groups: NameCounts
    pages: NameCounts
    following: NameCounts


@dataclass(frozen=True)
class Applicant:
    sources: tuple[Source, ...] = field(default_factory=tuple)


def _lognormal(rng: random.Random, med: float, sigma: float, low: int, high: int) -> int:
    return int(min(max(round(med * math.exp(rng.gauss(0.0, sigma))), low), high))


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _sentiment(rng: random.Random, n: int, p_pos: float, p_neg: float) -> SentimentCounts:
    pos = _binomial(rng, n, p_pos)
    neg = _binomial(rng, n - pos, p_neg / max(1e-9, 1.0 - p_pos))
    return SentimentCounts(analysed=n, positive=pos, negative=neg, neutral=n - pos - neg)


def _names(rng: random.Random, n: int, p: float) -> NameCounts:
    return NameCounts(total=n, flagged=_binomial(rng, n, p))


def _source(rng: random.Random, platform: Platform, person: dict[str, float]) -> Source:
    network_median = {
        Platform.FACEBOOK: 250,
        Platform.LINKEDIN: 300,
        Platform.X: 120,
        Platform.INSTAGRAM: 250,
    }
    posts_median = {Platform.FACEBOOK: 40, Platform.LINKEDIN: 3, Platform.X: 60, Platform.INSTAGRAM: 25}
    photos_median = {Platform.FACEBOOK: 15, Platform.LINKEDIN: 0, Platform.X: 5, Platform.INSTAGRAM: 40}
    network = _lognormal(rng, network_median[platform] * person["reach"], 0.8, 0, 20_000)
    posts = _lognormal(rng, posts_median[platform] * person["activity"], 1.2, 0, 3_000)
    comments = _lognormal(rng, 15 * person["activity"], 1.2, 0, 2_000) if platform != Platform.LINKEDIN else 0
    liked_posts = posts if platform in (Platform.X, Platform.INSTAGRAM, Platform.FACEBOOK) else 0
    likes = sum(_lognormal(rng, person["likes"], 1.0, 0, 10_000) for _ in range(min(liked_posts, 60)))
    likes = round(likes * liked_posts / min(liked_posts, 60)) if liked_posts else 0
    photos = _lognormal(rng, photos_median[platform], 1.0, 0, 2_000) if photos_median[platform] else 0
    invitations: int | None = None
    if platform in (Platform.FACEBOOK, Platform.LINKEDIN):
        invitations = _lognormal(rng, 12 * person["reach"], 1.0, 0, 5_000)
    birth_year = None
    if platform == Platform.FACEBOOK or (platform == Platform.INSTAGRAM and rng.random() < 0.5):
        birth_year = int(person["birth_year"])
    pages_or_following = _lognormal(rng, 20, 1.0, 0, 2_000)
    return Source(
        platform=platform,
        network=network,
        invitations=invitations,
        birth_year=birth_year,
        skills=_lognormal(rng, 10, 0.8, 0, 60) if platform == Platform.LINKEDIN else 0,
        text=PlatformText(
            platform=platform,
            posts=_sentiment(rng, posts, person["positive"], person["negative"]),
            comments=_sentiment(rng, comments, person["positive"], person["negative"]),
            own_posts_with_likes=liked_posts,
            likes_on_own_posts=likes,
            activities=posts + comments,
            active_days=float(rng.randint(200, 4000)),
        ),
        images_analysed=photos,
        images_flagged=_binomial(rng, photos, person["flagged"]),
        groups=_names(rng, rng.randint(0, 12), person["profane"])
        if platform == Platform.FACEBOOK
        else NameCounts(),
        pages=_names(rng, pages_or_following, person["profane"])
        if platform == Platform.FACEBOOK
        else NameCounts(),
        following=(
            _names(rng, pages_or_following, person["profane"])
            if platform in (Platform.X, Platform.INSTAGRAM)
            else NameCounts()
        ),
    )


def applicants(n: int, seed: int = 7) -> list[Applicant]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        person = {
            "reach": math.exp(rng.gauss(0.0, 0.6)),
            "activity": math.exp(rng.gauss(0.0, 0.6)),
            "likes": 3.0 * math.exp(rng.gauss(0.0, 1.0)),
            "positive": rng.betavariate(4, 5),
            "negative": rng.betavariate(2, 8),
            "flagged": rng.betavariate(1, 60),
            "profane": rng.betavariate(1, 80),
            "birth_year": TODAY.year - rng.randint(19, 62),
        }
        platforms = [p for p, share in _SHARE_OF_SOURCE.items() if rng.random() < share]
        if not platforms:
            platforms = [rng.choice(list(_SHARE_OF_SOURCE))]
        out.append(Applicant(sources=tuple(_source(rng, p, person) for p in platforms)))
    return out


def features_of(sources: Iterable[Source], today: dt.date = TODAY) -> FeatureVector:
    """The real feature code on the profile and evidence these sources would give."""
    return extract_features(*inputs_of(sources), today)


def inputs_of(sources: Iterable[Source]) -> tuple[Profile, Evidence]:
    """The profile and analysis evidence these sources would give."""
    chosen = list(sources)
    profile = Profile(
        application_id="synthetic",
        sources=[SourceReport(platform=s.platform, status=SourceStatus.PARSED) for s in chosen],
    )
    accounts: list[Account] = []
    births: list[BirthDate] = []
    skills: list[str] = []
    for s in chosen:
        src = profile.add_file(s.platform, "synthetic")
        counts = {Platform.FACEBOOK: "friends", Platform.LINKEDIN: "connections"}.get(s.platform, "followers")
        accounts.append(
            Account(platform=s.platform, src=src, invitations_received=s.invitations, **{counts: s.network})
        )
        if s.birth_year is not None:
            births.append(BirthDate(year=s.birth_year, month=3, day=14, src=src))
        skills.extend(f"skill {i}" for i in range(s.skills))
    profile = profile.model_copy(update={"accounts": accounts, "birth_dates": births, "skills": skills})
    photos = sum(s.images_analysed for s in chosen)

    def total(counts: list[NameCounts]) -> NameCounts:
        return NameCounts(total=sum(c.total for c in counts), flagged=sum(c.flagged for c in counts))

    evidence = Evidence(
        text=TextAnalysis(status=OK, platforms=[s.text for s in chosen]),
        profanity=ProfanityAnalysis(
            status=OK,
            groups=total([s.groups for s in chosen]),
            pages=total([s.pages for s in chosen]),
            following=total([s.following for s in chosen]),
        ),
        images=ImageAnalysis(
            status=OK if photos else AnalysisStatus.NO_EVIDENCE,
            analysed=photos,
            flagged=sum(s.images_flagged for s in chosen),
        ),
    )
    return profile, evidence


def reference_points(
    people: list[Applicant], config: ScoringConfig
) -> dict[FeatureId, tuple[float, float, float]]:
    """Per enabled characteristic: (mean, median, share with evidence) of the points earned on evidence, all
    sources given."""
    earned: dict[FeatureId, list[float]] = {f: [] for f in config.enabled_features()}
    for person in people:
        for row in score(features_of(person.sources), config).breakdown:
            if row.enabled and row.has_evidence and row.points is not None:
                earned[row.feature].append(row.points)
    return {
        f: (fmean(p), median(p), len(p) / len(people)) if p else (math.nan, math.nan, 0.0)
        for f, p in earned.items()
    }


def withholding_gains(people: list[Applicant], config: ScoringConfig) -> Iterator[float]:
    """For every applicant with two or more sources and every proper, non-empty subset of them: the published
    score with that subset minus the score with all sources (positive = withholding paid)."""
    for person in people:
        if len(person.sources) < 2:
            continue
        full = score(features_of(person.sources), config).normalised_score
        if full is None:
            continue
        for size in range(1, len(person.sources)):
            for subset in combinations(person.sources, size):
                partial = score(features_of(subset), config).normalised_score
                if partial is not None:
                    yield partial - full


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def reference_report(n: int = 800, seed: int = 7, config: ScoringConfig | None = None) -> str:
    """The reference population's table (per characteristic: mean, median and share with evidence beside the
    configured missing and reference points) and the gain from withholding sources, as printed text."""
    config = config or load_default_config()
    people = applicants(n, seed)
    lines = [
        f"{'characteristic':24} {'mean':>7} {'median':>7} {'evidence':>8}  missing_points  reference_points"
    ]
    for feature, (mean, med, share) in reference_points(people, config).items():
        char = config.scorecard.characteristics[feature]
        lines.append(
            f"{feature.value:24} {mean:7.1f} {med:7.1f} {share:8.0%}  "
            f"{char.missing_points:14g}  {char.baseline():16g}"
        )
    gains = list(withholding_gains(people, config))
    lines.append(
        f"withholding gain over {len(gains)} subsets: median {quantile(gains, 0.5):+.1f}, "
        f"90th percentile {quantile(gains, 0.9):+.1f}, max {max(gains):+.1f} points"
    )
    return "\n".join(lines)
