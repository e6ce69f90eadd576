"""From a normalized profile and the analysis results to one value per feature, or None for "no evidence".

Every value says where it came from (`evidence`: export members or analyses, never personal content) so a
score can be traced back. None is not zero: a feature without evidence is left out of the score (it lowers
coverage only).
"""

from __future__ import annotations

import datetime as dt
import math
from calendar import monthrange
from collections import Counter
from statistics import fmean

from pydantic import BaseModel, ConfigDict, Field

from credscore.coverage import image_evidence, names_evidence, text_evidence
from credscore.evidence import AnalysisStatus, Evidence, PlatformText
from credscore.profile import Account, BirthDate, Platform, Profile
from credscore.scoring.config import FeatureId

_OLDEST_PLAUSIBLE_AGE = 100  # older birth dates are placeholders (Instagram defaults to 1919-01-01)


class FeatureValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float | None = Field(description="None means no evidence, which is different from 0")
    evidence: list[str] = Field(default_factory=list, description="sources of the value (files or analyses)")
    notes: list[str] = Field(default_factory=list, description="caveats, e.g. sources that disagree")


class FeatureVector(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    values: dict[FeatureId, FeatureValue]

    def get(self, feature: FeatureId) -> FeatureValue:
        return self.values.get(feature) or FeatureValue(value=None)

    def without(self, feature: FeatureId) -> FeatureVector:
        """The same vector with one feature's evidence removed (what-if and tests)."""
        return FeatureVector(values={**self.values, feature: FeatureValue(value=None)})


def _missing(*notes: str) -> FeatureValue:
    return FeatureValue(value=None, notes=list(notes))


def _file(profile: Profile, src: int) -> str:
    if 0 <= src < len(profile.files):
        f = profile.files[src]
        return f"{f.platform.value}:{f.name}"
    return "unknown file"


# ------------------------------------------------------------------------------------------------------ age
def _precision(bd: BirthDate) -> int:
    return 1 + (bd.month is not None) + (bd.month is not None and bd.day is not None)


def _latest_possible_birthday(bd: BirthDate) -> dt.date | None:
    """Partial dates are read as late as possible: an age is never overstated (under-18s stay ineligible)."""
    try:
        if bd.month is None:
            return dt.date(bd.year, 12, 31)
        last_day = monthrange(bd.year, bd.month)[1]
        if bd.day is None or not 1 <= bd.day <= last_day:
            return dt.date(bd.year, bd.month, last_day)
        return dt.date(bd.year, bd.month, bd.day)
    except ValueError:  # year 0 or out of range, month 13…
        return None


def completed_years(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def age_feature(profile: Profile, today: dt.date) -> FeatureValue:
    candidates = []
    implausible = 0
    for bd in profile.birth_dates:
        born = _latest_possible_birthday(bd)
        if born is None or born > today or completed_years(born, today) > _OLDEST_PLAUSIBLE_AGE:
            implausible += 1
            continue
        candidates.append((bd, born))
    notes = [f"{implausible} implausible birth date(s) ignored"] if implausible else []
    if not candidates:
        return _missing(*notes)
    best_precision = max(_precision(bd) for bd, _ in candidates)
    precise = [(bd, born) for bd, born in candidates if _precision(bd) == best_precision]
    counts = Counter(born for _, born in precise)
    chosen, chosen_born = min(precise, key=lambda c: (-counts[c[1]], c[0].src))
    if any(
        bd.year != chosen.year or (_precision(bd) == best_precision and born != chosen_born)
        for bd, born in candidates
    ):
        notes.append("sources disagree on the birth date; the most precise, most common one was used")
    if best_precision < 3:
        notes.append("birth date incomplete; age counted from the latest possible birthday")
    return FeatureValue(
        value=float(completed_years(chosen_born, today)), evidence=[_file(profile, chosen.src)], notes=notes
    )


# -------------------------------------------------------------------------------------------- profile facts
def education_feature(profile: Profile, today: dt.date) -> FeatureValue:
    """Completed education entries: graduated, or ended in the past when graduation is not stated."""
    if not profile.education:
        return _missing()
    completed = [
        e
        for e in profile.education
        if e.graduated or (e.graduated is None and e.end_year is not None and e.end_year <= today.year)
    ]
    return FeatureValue(
        value=float(len(completed)), evidence=sorted({_file(profile, e.src) for e in profile.education})
    )


def skills_feature(profile: Profile) -> FeatureValue:
    """Distinct skills. None listed counts as 0 only when a LinkedIn export (it lists them) was read."""
    distinct = {s.strip().casefold() for s in profile.skills if s.strip()}
    if not distinct and Platform.LINKEDIN not in profile.parsed_platforms():
        return _missing()
    return FeatureValue(value=float(len(distinct)), evidence=["linkedin:skills"])


_COUNT_FIELD = {
    Platform.LINKEDIN: "connections",
    Platform.FACEBOOK: "friends",
    Platform.X: "followers",
    Platform.INSTAGRAM: "followers",
}


def _connection_count(account: Account) -> int | None:
    preferred = getattr(account, _COUNT_FIELD[account.platform])
    if preferred is not None:
        return int(preferred)
    return next((c for c in (account.connections, account.friends, account.followers) if c is not None), None)


def connections_feature(profile: Profile) -> FeatureValue:
    """The largest network on any platform that reports a count (a platform that does not say is left out, not
    taken as 0). The largest, not the mean: withholding a smaller network must not raise the value, and the same
    people on two platforms are not counted twice."""
    counted = [(a, c) for a in profile.accounts if (c := _connection_count(a)) is not None]
    if not counted:
        return _missing()
    return FeatureValue(
        value=float(max(max(c, 0) for _, c in counted)), evidence=[_file(profile, a.src) for a, _ in counted]
    )


def invitations_feature(profile: Profile) -> FeatureValue:
    """Invitations and friend requests received, summed over the platforms that report them. A count, not a
    ratio per connection: with the ratio, more friends lowered the score (the connections curve could not rise
    as fast as the ratio fell)."""
    reported = [a for a in profile.accounts if a.invitations_received is not None]
    if not reported:
        return _missing()
    return FeatureValue(
        value=float(sum(max(a.invitations_received or 0, 0) for a in reported)),
        evidence=[_file(profile, a.src) for a in reported],
    )


# ------------------------------------------------------------------------------------------------ analyses
# Tone is pooled over every platform's analysed texts (weighted by counts, not a mean of per-platform shares,
# where one tweet weighed as much as 200 posts) and shrunk toward a prior share with the weight of
# CREDIBILITY_TEXTS texts: share = (k·prior + n·observed)/(k + n). A handful of texts moves the share a little,
# hundreds decide it; no finite count lands exactly on 0 or 1. The priors are typical VADER shares of social
# posts (docs/scoring.md).
CREDIBILITY_TEXTS = 10.0
PRIOR_POSITIVE = 0.40
PRIOR_NEGATIVE = 0.20


def credible_share(hits: int, analysed: int, prior: float, k: float = CREDIBILITY_TEXTS) -> float:
    """(k·prior + hits)/(k + analysed): the observed share hits/analysed, shrunk toward `prior`."""
    return (k * prior + hits) / (k + analysed)


def _few(analysed: int, what: str) -> list[str]:
    if analysed >= CREDIBILITY_TEXTS:
        return []
    return [f"only {analysed} {what} analysed: the share is pulled toward the typical share"]


def _unusable(status: AnalysisStatus, what: str) -> FeatureValue:
    reason = "failed" if status == AnalysisStatus.FAILED else "found nothing to analyse"
    return _missing(f"{what} analysis {reason}")


def text_features(evidence: Evidence | None) -> dict[FeatureId, FeatureValue]:
    ids = (
        FeatureId.POSITIVE_POSTS,
        FeatureId.NEGATIVE_POSTS,
        FeatureId.COMMENTS,
        FeatureId.LIKES,
        FeatureId.INTERACTION_FREQUENCY,
    )
    if evidence is None:
        return {f: _missing("no text analysis") for f in ids}
    text = evidence.text
    if text.status != AnalysisStatus.OK:
        return {f: _unusable(text.status, "text") for f in ids}

    with_posts = [p for p in text.platforms if p.posts.analysed > 0]
    with_comments = [p for p in text.platforms if p.comments.analysed > 0]
    with_likes = [p for p in text.platforms if p.own_posts_with_likes > 0]
    days = {
        p.platform: p.active_days for p in text.platforms if p.active_days is not None and p.active_days > 0
    }
    with_days = [p for p in text.platforms if p.platform in days]

    def of(
        platforms: list[PlatformText], label: str, value: float, notes: list[str] | None = None
    ) -> FeatureValue:
        return FeatureValue(
            value=value,
            evidence=[text_evidence(text, p.platform.value, label) for p in platforms],
            notes=notes or [],
        )

    out: dict[FeatureId, FeatureValue] = {f: _missing() for f in ids}
    if with_posts:
        analysed = sum(p.posts.analysed for p in with_posts)
        positive = sum(p.posts.positive for p in with_posts)
        negative = sum(p.posts.negative for p in with_posts)
        few = _few(analysed, "posts")
        out[FeatureId.POSITIVE_POSTS] = of(
            with_posts, "posts", credible_share(positive, analysed, PRIOR_POSITIVE), few
        )
        out[FeatureId.NEGATIVE_POSTS] = of(
            with_posts, "posts", credible_share(negative, analysed, PRIOR_NEGATIVE), few
        )
    if with_comments:
        analysed = sum(p.comments.analysed for p in with_comments)
        positive = sum(p.comments.positive for p in with_comments)
        negative = sum(p.comments.negative for p in with_comments)
        out[FeatureId.COMMENTS] = of(
            with_comments,
            "comments",
            credible_share(positive, analysed, PRIOR_POSITIVE)
            - credible_share(negative, analysed, PRIOR_NEGATIVE),
            _few(analysed, "comments"),
        )
    if with_likes:
        out[FeatureId.LIKES] = of(
            with_likes,
            "likes",
            sum(p.likes_on_own_posts for p in with_likes) / sum(p.own_posts_with_likes for p in with_likes),
        )
    if with_days:
        out[FeatureId.INTERACTION_FREQUENCY] = of(
            with_days, "activity", fmean(p.activities / days[p.platform] for p in with_days)
        )
    return out


def profanity_features(evidence: Evidence | None) -> dict[FeatureId, FeatureValue]:
    ids = (FeatureId.NEGATIVE_GROUPS, FeatureId.NEGATIVE_PAGES)
    if evidence is None:
        return {f: _missing("no name analysis") for f in ids}
    names = evidence.profanity
    if names.status != AnalysisStatus.OK:
        return {f: _unusable(names.status, "name") for f in ids}
    out = {f: _missing() for f in ids}
    # Shares over the names analysed: a name in a script without word lists is not counted as clean.
    if names.groups.analysed > 0:
        out[FeatureId.NEGATIVE_GROUPS] = FeatureValue(
            value=names.groups.flagged / names.groups.analysed, evidence=[names_evidence(names, "groups")]
        )
    # pages liked and accounts followed are one feature, as in the seed ("pages liked/followed")
    pages_analysed = names.pages.analysed + names.following.analysed
    if pages_analysed > 0:
        out[FeatureId.NEGATIVE_PAGES] = FeatureValue(
            value=(names.pages.flagged + names.following.flagged) / pages_analysed,
            evidence=[names_evidence(names, "pages")],
        )
    return out


def image_feature(evidence: Evidence | None) -> FeatureValue:
    if evidence is None:
        return _missing("no image analysis")
    images = evidence.images
    if images.status != AnalysisStatus.OK:
        return _unusable(images.status, "image")
    if images.analysed == 0:
        return _missing()
    notes = [f"{images.not_analysed} image(s) could not be analysed"] if images.not_analysed else []
    return FeatureValue(
        value=images.flagged / images.analysed, evidence=[image_evidence(images)], notes=notes
    )


def _clip_share(fv: FeatureValue, low: float = 0.0) -> FeatureValue:
    if fv.value is None or low <= fv.value <= 1.0:
        return fv
    return fv.model_copy(update={"value": min(max(fv.value, low), 1.0)})


def extract_features(profile: Profile, evidence: Evidence | None, today: dt.date) -> FeatureVector:
    values: dict[FeatureId, FeatureValue] = {
        FeatureId.AGE: age_feature(profile, today),
        FeatureId.EDUCATION: education_feature(profile, today),
        FeatureId.SKILLS: skills_feature(profile),
        FeatureId.CONNECTIONS: connections_feature(profile),
        FeatureId.INVITATIONS: invitations_feature(profile),
        FeatureId.IMAGES: _clip_share(image_feature(evidence)),
        **text_features(evidence),
        **profanity_features(evidence),
    }
    for share in (
        FeatureId.POSITIVE_POSTS,
        FeatureId.NEGATIVE_POSTS,
        FeatureId.NEGATIVE_GROUPS,
        FeatureId.NEGATIVE_PAGES,
    ):
        values[share] = _clip_share(values[share])
    values[FeatureId.COMMENTS] = _clip_share(values[FeatureId.COMMENTS], low=-1.0)
    for feature, fv in values.items():  # a defect upstream must not store NaN/inf (the scorer guards too)
        if fv.value is not None and not math.isfinite(fv.value):
            values[feature] = FeatureValue(
                value=None,
                evidence=fv.evidence,
                notes=[*fv.notes, "value not a finite number; treated as missing"],
            )
    return FeatureVector(values={f: values[f] for f in FeatureId})
