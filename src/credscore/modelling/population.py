"""Labelled synthetic populations for validating the fit: real pipeline features, outcomes from a known model.

Each applicant is drawn from a seed: which sources they have (Facebook, LinkedIn, X, Instagram) and the knobs of
each export (friends, posts, skills...). Their exports are written by `credscore.synth`, read by the real ingest
(`credscore.ingest.ingest_archive`), analysed by the real text (VADER) and name (better-profanity) analyses, and
turned into characteristics by the real feature code (`credscore.scoring.features.extract_features`). The exports
carry no photos, so the image model is never run and `images` is missing for everyone (the fit must cope with a
characteristic without evidence).

Outcomes are drawn from `TrueModel`, a logistic model over those characteristics: some informative, some not,
and one missing source informative on purpose (no LinkedIn export, seen as `skills` missing, raises the odds of
bad). Tone is a trait of the person, not of the posts drawn: each applicant has a negative share (`latent_tone`)
that every platform's texts are drawn from, and the true model's tone term is that trait. The `negative_posts`
characteristic measures it with sampling noise (few texts: much noise, pulled toward the prior), as it would a
real person's; so leaving out a platform changes the measurement, not the person or their odds.

The pipeline is the slow part (tens of ms per applicant), so a large population is M distinct applicants (cached
in a file) resampled to N rows, each row with its own outcome and date; the number of distinct applicants is
reported with every result.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from credscore.modelling.data import CHARACTERISTICS, TrainingData

FloatArray = NDArray[np.float64]
PLATFORM_ORDER = ("facebook", "linkedin", "x", "instagram")
PLATFORM_SHARE = {"facebook": 0.75, "linkedin": 0.55, "x": 0.35, "instagram": 0.5}
TODAY = dt.date(2025, 6, 1)  # ages and activity are computed as of this day, so features are reproducible
REGIONS = ("north", "south", "east", "west")


def _log_uniform(rng: random.Random, low: float, high: float) -> int:
    return round(math.exp(rng.uniform(math.log(low), math.log(high))))


def latent_tone(base_seed: int, index: int) -> float:
    """Applicant `index`'s negative share: the chance that a text they write is negative (Beta(3.5, 10.5): mean
    0.25, sd 0.11; 5th to 95th percentile about 0.08 to 0.45). Drawn apart from the other knobs, so adding it
    left every other draw as it was."""
    return random.Random(f"tone:{base_seed}:{index}").betavariate(3.5, 10.5)


def draw_applicant(base_seed: int, index: int) -> dict[str, dict[str, Any]]:
    """The sources of applicant `index` and each export's knobs (deterministic per seed and index)."""
    rng = random.Random(f"applicant:{base_seed}:{index}")
    tone = latent_tone(base_seed, index)
    chosen = [p for p in PLATFORM_ORDER if rng.random() < PLATFORM_SHARE[p]] or [rng.choice(PLATFORM_ORDER)]
    birth_year = rng.randint(1961, 2006)
    # sociability is shared by the platforms a person uses: networks of one person are alike in size
    social = rng.gauss(0.0, 0.8)

    def network(median: float) -> int:
        return max(1, min(4000, int(median * math.exp(social + rng.gauss(0, 0.4)))))

    def born() -> int | None:
        return birth_year if rng.random() < 0.85 else None

    knobs: dict[str, dict[str, Any]] = {}
    for platform in chosen:
        if platform == "facebook":
            knobs[platform] = {
                "posts": _log_uniform(rng, 2, 300),
                "comments": rng.randint(0, 40),
                "friends": network(250),
                "friend_requests": rng.randint(0, 40),
                "reactions": rng.randint(0, 80),
                "groups": rng.randint(0, 14),
                "pages": rng.randint(0, 16),
                "photos": 0,
                "birth_year": born(),
                "negative_share": tone,
            }
        elif platform == "linkedin":
            knobs[platform] = {
                "connections": network(300),
                "skills": rng.randint(0, 35),
                "invitations": rng.randint(0, 45),
                "birth_year": born(),
            }
        elif platform == "x":
            knobs[platform] = {
                "tweets": _log_uniform(rng, 2, 400),
                "followers": network(120),
                "following": rng.randint(0, 120),
                "likes": rng.randint(0, 150),
                "created_year": rng.randint(2008, 2023),
                "photos": 0,
                "negative_share": tone,
            }
        else:
            knobs[platform] = {
                "posts": _log_uniform(rng, 2, 200),
                "followers": network(300),
                "following": rng.randint(0, 50),
                "comments": rng.randint(0, 30),
                "liked": rng.randint(0, 120),
                "photos": 0,
                "birth_year": born(),
                "negative_share": tone,
            }
    return knobs


def pipeline_features(
    knobs: dict[str, dict[str, Any]], seed: int, keep: set[str] | None = None
) -> dict[str, float | None]:
    """Exports → real ingest → real text and name analyses → real feature code. With `keep`, only those sources
    are read; each export is the same one (same seed) as in the full application."""
    from credscore.analysis.profanity import analyze_names
    from credscore.analysis.sentiment import analyze_text
    from credscore.evidence import AnalysisStatus, Evidence, ImageAnalysis
    from credscore.ingest.ingest_archive import ingest_archive
    from credscore.profile import Platform, Profile
    from credscore.scoring.features import extract_features
    from credscore.synth import make_export

    profile = Profile(application_id=f"synthetic-{seed}")
    reports = []
    for i, (platform, platform_knobs) in enumerate(knobs.items()):
        if keep is not None and platform not in keep:
            continue
        buffer = io.BytesIO()
        make_export(platform, buffer, seed=seed * 8 + i, **platform_knobs)
        buffer.seek(0)
        reports.append(
            ingest_archive(profile, Platform(platform), buffer, f"uploads/{seed}/{platform}/1.zip")
        )
    profile.sources = reports
    now = int(dt.datetime.combine(TODAY, dt.time(), dt.UTC).timestamp())
    evidence = Evidence(
        text=analyze_text(profile, now),
        profanity=analyze_names(profile),
        images=ImageAnalysis(status=AnalysisStatus.NO_EVIDENCE),
    )
    vector = extract_features(profile, evidence, TODAY)
    return {f.value: v.value for f, v in vector.values.items()}


def _one(args: tuple[int, int]) -> tuple[int, dict[str, float | None], str]:
    base_seed, index = args
    knobs = draw_applicant(base_seed, index)
    return index, pipeline_features(knobs, base_seed * 10_000_000 + index), "+".join(knobs)


@dataclass
class Applicants:
    """M distinct applicants: one array per characteristic (NaN = missing), their sources and their latent tone
    (what the true model sees; the characteristics are what the pipeline measured)."""

    seed: int
    characteristics: dict[str, FloatArray]
    sources: NDArray[np.str_]
    tone: FloatArray

    def __len__(self) -> int:
        return int(self.sources.size)

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {f"c_{k}": v for k, v in self.characteristics.items()}
        np.savez_compressed(path, seed=np.array(self.seed), sources=self.sources, tone=self.tone, **arrays)

    @classmethod
    def load(cls, path: Path) -> Applicants:
        with np.load(path) as z:
            chars = {k[2:]: z[k] for k in z.files if k.startswith("c_")}
            return cls(int(z["seed"]), chars, z["sources"], z["tone"])


BLOCK = 2000  # applicants per cache file: an interrupted run keeps what it made
# Part of the cache files' names: a generator that draws differently must not reuse another's applicants
GENERATOR_VERSION = 2


def _generate(seed: int, indices: range, processes: int) -> Applicants:
    jobs = [(seed, i) for i in indices]
    if processes > 1:
        with get_context("spawn").Pool(processes) as pool:
            results = list(pool.imap_unordered(_one, jobs, chunksize=25))
    else:
        results = [_one(job) for job in jobs]
    results.sort(key=lambda r: r[0])
    chars = as_columns([r[1] for r in results])
    tone = np.array([latent_tone(seed, r[0]) for r in results], dtype=np.float64)
    return Applicants(seed, chars, np.array([r[2] for r in results], dtype=np.str_), tone)


def generate_applicants(m: int, seed: int = 1, processes: int = 1, cache: Path | None = None) -> Applicants:
    """Applicants 0..m-1 through the real pipeline; `processes` > 1 uses a process pool. With a `cache` folder,
    blocks of 2,000 are kept there and reused."""
    if cache is None:
        return _generate(seed, range(m), processes)
    cache.mkdir(parents=True, exist_ok=True)
    blocks = []
    for start in range(0, m, BLOCK):
        path = cache / f"applicants-v{GENERATOR_VERSION}-{seed}-{start // BLOCK:04d}.npz"
        if path.exists():
            block = Applicants.load(path)
        else:
            block = _generate(seed, range(start, start + BLOCK), processes)
            block.save(path)
        blocks.append(block)
    chars = {c: np.concatenate([b.characteristics[c] for b in blocks])[:m] for c in CHARACTERISTICS}
    tone = np.concatenate([b.tone for b in blocks])[:m]
    return Applicants(seed, chars, np.concatenate([b.sources for b in blocks])[:m], tone)


# ------------------------------------------------------------------------------------------------ true model
@dataclass(frozen=True)
class TrueModel:
    """logit P(bad) = intercept + Σ terms. Informative: connections (more is better, on a log scale), age (older
    is better), the person's tone (a larger negative share is worse; `negative_posts` is its measurement); and no
    LinkedIn export (`skills` missing) is worse by `missing_skills`. `uninformative` lists characteristics without
    effect and independent of the informative ones; the rest (positive_posts, comments, education, invitations)
    have no effect of their own but are proxies of informative ones by construction (comments and posts are
    written in the person's one tone). A missing connections or age contributes 0; every person has a tone,
    posts or not."""

    intercept: float = -3.15
    connections: float = -0.55  # per unit of ln(connections / 200), clipped to ±2.5
    age: float = -0.035  # per year from 40
    # Tone: per unit of the person's negative share (latent_tone) above its population mean. The characteristic
    # measures it pooled and shrunk toward a prior (credible_share in scoring/features.py), so the fit's slope on
    # the measurement is flatter than this. An earlier truth put this term on the measured share itself: the
    # sampling noise of which posts were drawn then decided the odds, and leaving out the platform whose posts
    # happened to be more negative lowered the true odds (withholding paid under the truth itself).
    negative_posts: float = 3.0
    tone_centre: float = 0.25  # latent_tone's mean
    # Invitations per connection has connections in its denominator: a proxy of connections, kept out of the
    # truth (an effect of its own would make both characteristics' marginal WoE shapes confounded).
    invitations: float = 0.0  # per unit of ln(requests per connection / 0.05), clipped to ±2.5
    missing_skills: float = 0.6
    informative: tuple[str, ...] = ("connections", "age", "negative_posts", "skills")
    uninformative: tuple[str, ...] = (
        "likes",
        "interaction_frequency",
        "negative_groups",
        "negative_pages",
    )

    def logit(self, c: dict[str, FloatArray], tone: FloatArray) -> FloatArray:
        """Per row: `c` the measured characteristics, `tone` the person's latent negative share."""

        def term(x: FloatArray, f: Any) -> FloatArray:
            out: FloatArray = np.where(np.isnan(x), 0.0, f(np.nan_to_num(x)))
            return out

        z = np.full(c["age"].shape, self.intercept)
        z += term(c["connections"], lambda v: self.connections * np.clip(np.log((v + 1) / 200), -2.5, 2.5))
        z += term(c["age"], lambda v: self.age * (v - 40))
        z += self.negative_posts * (tone - self.tone_centre)
        z += term(
            c["invitations"], lambda v: self.invitations * np.clip(np.log((v + 0.005) / 0.05), -2.5, 2.5)
        )
        z += self.missing_skills * np.isnan(c["skills"])
        return z

    def p_bad(self, c: dict[str, FloatArray], tone: FloatArray) -> FloatArray:
        out: FloatArray = 1.0 / (1.0 + np.exp(-self.logit(c, tone)))
        return out


def age_band(age: FloatArray) -> NDArray[np.str_]:
    edges = [25, 35, 45, 55]
    labels = np.array(["18-24", "25-34", "35-44", "45-54", "55-64"])
    out = labels[np.searchsorted(edges, np.nan_to_num(age, nan=0), side="right")]
    return np.where(np.isnan(age) | (age < 18), "", out).astype(np.str_)


@dataclass
class Population:
    data: TrainingData
    p_bad: FloatArray  # true probability of each row
    applicant: NDArray[np.int64]  # index into the distinct applicants
    tone: FloatArray  # each row's latent tone (what the truth sees)
    distinct: int
    truth: TrueModel = field(default_factory=TrueModel)


def labelled_population(
    applicants: Applicants,
    n: int,
    seed: int = 0,
    truth: TrueModel | None = None,
    start: dt.date = dt.date(2025, 1, 1),
) -> Population:
    """N rows: applicants resampled (all of them once first when N ≥ M), outcomes drawn from the true model, and
    `scored_at` spread evenly over a year (so the holdout can be out of time)."""
    truth = truth or TrueModel()
    rng = np.random.default_rng(seed)
    m = len(applicants)
    pick = np.arange(n) % m if n >= m else rng.choice(m, size=n, replace=False)
    if n > m:
        pick[m:] = rng.integers(0, m, size=n - m)
    rng.shuffle(pick)
    chars = {k: v[pick] for k, v in applicants.characteristics.items()}
    tone = applicants.tone[pick]
    p = truth.p_bad(chars, tone)
    outcome = (rng.random(n) < p).astype(np.int8)
    t0 = dt.datetime.combine(start, dt.time(), dt.UTC).timestamp()
    scored = np.sort(t0 + rng.random(n) * 365 * 86_400)
    data = TrainingData(
        application_id=[f"syn-{seed}-{i}" for i in range(n)],
        scored_at=scored,
        outcome=outcome,
        age_band=age_band(chars["age"]),
        characteristics=chars,
        attributes={"attr_region": np.array(REGIONS)[rng.integers(0, len(REGIONS), n)].astype(np.str_)},
    )
    return Population(data, p, pick.astype(np.int64), tone, m, truth)


# ------------------------------------------------------------------------------------------- withholding
def source_subsets(sources: Sequence[str]) -> Iterable[tuple[str, ...]]:
    """Every non-empty proper subset of an applicant's sources."""
    for size in range(1, len(sources)):
        yield from itertools.combinations(sources, size)


def _withheld(args: tuple[int, int]) -> list[dict[str, float | None]]:
    base_seed, index = args
    knobs = draw_applicant(base_seed, index)
    seed = base_seed * 10_000_000 + index
    out = []
    for subset in source_subsets(list(knobs)):
        out.append(pipeline_features(knobs, seed, keep=set(subset)))
    return out


def withholding_features(
    applicants: Applicants, indices: Sequence[int], processes: int = 1
) -> list[list[dict[str, float | None]]]:
    """For each applicant index: the features of every proper subset of their sources."""
    jobs = [(applicants.seed, int(i)) for i in indices]
    if processes > 1:
        with get_context("spawn").Pool(processes) as pool:
            return list(pool.imap(_withheld, jobs, chunksize=10))
    return [_withheld(job) for job in jobs]


def as_columns(rows: Sequence[dict[str, float | None]]) -> dict[str, FloatArray]:
    return {c: np.array([_nan_if_none(r[c]) for r in rows], dtype=np.float64) for c in CHARACTERISTICS}


def _nan_if_none(value: float | None) -> float:
    return math.nan if value is None else float(value)
