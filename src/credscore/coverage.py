"""What the analyses could read, in numbers and plain words: the `analysis_coverage` of every score result.

Per analysis (texts, names, images): the items found, analysed and not analysed with the reason, the languages
or scripts seen, the models used, and the categories each analysis detects and those it does not. A feature's
evidence line quotes the same numbers ("nudity detection on 212 of 230 photos; violence not checked").

Reason codes are stable (clients may key on them): "language" (a language or script the analysis cannot read),
"unreadable" (empty, only links, missing, corrupt or unsupported file), "too_large", "cap_reached" (over a
per-application limit, so not read), "time_limit" (not reached before the function's time ran out).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from credscore.analysis.language import language_name
from credscore.evidence import AnalysisStatus, Cap, Evidence, ImageAnalysis, ProfanityAnalysis, TextAnalysis

REASON_LANGUAGE = "language"
REASON_UNREADABLE = "unreadable"
REASON_TOO_LARGE = "too_large"
REASON_CAP_REACHED = "cap_reached"
REASON_TIME_LIMIT = "time_limit"
REASONS = (REASON_LANGUAGE, REASON_UNREADABLE, REASON_TOO_LARGE, REASON_CAP_REACHED, REASON_TIME_LIMIT)
REASON_WORDS = {
    REASON_LANGUAGE: "language not read",
    REASON_UNREADABLE: "unreadable",
    REASON_TOO_LARGE: "too large",
    REASON_CAP_REACHED: "over the per-application limit",
    REASON_TIME_LIMIT: "not reached in the time allowed",
}
# Image moderation's own reasons mapped onto the stable codes above.
_IMAGE_REASONS = {
    "missing": REASON_UNREADABLE,
    "unsupported": REASON_UNREADABLE,
    "corrupt": REASON_UNREADABLE,
    "too_large": REASON_TOO_LARGE,
    "cap_reached": REASON_CAP_REACHED,
}

# Image content categories a deployment may want; what the loaded model cards cover is checked against it.
IMAGE_CATEGORIES = ("nudity", "violence", "weapons", "drugs", "hate_symbols")
CATEGORY_WORDS = {"hate_symbols": "hate symbols"}

TEXT_DETECTS = ["sentiment (positive, negative, neutral) of English texts and emoji"]
TEXT_DOES_NOT_DETECT = ["sentiment of other languages, romanized Hindi (Hinglish) included", "sarcasm"]
NAMES_DETECTS = [
    "profanity, slurs, sexual terms and hard drugs in English, romanized Hindi and Hindi (Devanagari)"
]
NAMES_DOES_NOT_DETECT = [
    "names in other scripts (Tamil, Bengali, Urdu...)",
    "hateful names without such words",
]


class AnalysisCoverageItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    analysis: Literal["texts", "names", "images"]
    status: AnalysisStatus
    found: int = Field(description="items found: posts and comments, distinct names, photos")
    analysed: int
    not_analysed: int
    not_analysed_reasons: dict[str, int] = Field(
        default_factory=dict, description="language | unreadable | too_large | cap_reached | time_limit"
    )
    languages: dict[str, int] = Field(
        default_factory=dict, description="texts by language code; not analysed names by script"
    )
    models: list[str] = Field(default_factory=list)
    detects: list[str] = Field(default_factory=list)
    does_not_detect: list[str] = Field(default_factory=list)
    summary: str = Field(description="the same in plain words")


class AnalysisCoverage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    texts: AnalysisCoverageItem
    names: AnalysisCoverageItem
    images: AnalysisCoverageItem

    def summary(self) -> list[str]:
        return [self.texts.summary, self.names.summary, self.images.summary]


def _count(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _unusable(what: str, status: AnalysisStatus) -> str:
    return f"{what}: the analysis failed." if status == AnalysisStatus.FAILED else f"{what}: none found."


# --------------------------------------------------------------------------------------------------- texts
def text_coverage(text: TextAnalysis) -> AnalysisCoverageItem:
    languages: dict[str, int] = {}
    reasons: dict[str, int] = {}
    analysed = not_analysed = 0
    for platform in text.platforms:
        for counts in (platform.posts, platform.comments):
            analysed += counts.analysed
            not_analysed += counts.not_analysed
            for code, n in counts.languages.items():
                languages[code] = languages.get(code, 0) + n
            for reason, n in counts.not_analysed_reasons.items():
                reasons[reason] = reasons.get(reason, 0) + n
    found = analysed + not_analysed
    if text.status != AnalysisStatus.OK or found == 0:
        summary = (
            _unusable("Texts", text.status) if text.status != AnalysisStatus.OK else "Texts: none found."
        )
    else:
        summary = f"Texts: {found} posts and comments found, {analysed} analysed for sentiment (English)"
        if not_analysed:
            summary += f"; {not_analysed} not analysed"
            detail = _text_not_analysed(languages, reasons)
            summary += f" ({detail})" if detail else ""
        summary += "."
    return AnalysisCoverageItem(
        analysis="texts",
        status=text.status,
        found=found,
        analysed=analysed,
        not_analysed=not_analysed,
        not_analysed_reasons=dict(sorted(reasons.items())),
        languages=dict(sorted(languages.items())),
        models=text.models,
        detects=TEXT_DETECTS,
        does_not_detect=TEXT_DOES_NOT_DETECT,
        summary=summary,
    )


def _text_not_analysed(languages: dict[str, int], reasons: dict[str, int]) -> str:
    other = {f"in {language_name(c)}": n for c, n in languages.items() if c not in ("en", "zxx")}
    parts = (
        [_count(other) + ": no sentiment model for these"] if other and reasons.get(REASON_LANGUAGE) else []
    )
    if reasons.get(REASON_UNREADABLE):
        parts.append(f"{reasons[REASON_UNREADABLE]} empty or only links")
    if reasons.get(REASON_CAP_REACHED):
        parts.append(f"{reasons[REASON_CAP_REACHED]} over the per-application limit")
    return "; ".join(parts)


def text_evidence(text: TextAnalysis, platform: str, label: str) -> str:
    """A text feature's evidence line: the platform and, when some texts were not read, how many were."""
    for p in text.platforms:
        if p.platform.value != platform:
            continue
        counts = p.comments if label == "comments" else p.posts
        if label in ("posts", "comments") and counts.not_analysed:
            found = counts.analysed + counts.not_analysed
            other = _count(
                {language_name(c): n for c, n in counts.languages.items() if c not in ("en", "zxx")}
            )
            return (
                f"text analysis: {platform} {label} (sentiment of {counts.analysed} of {found} "
                f"{label}; not analysed: {other or 'empty or only links'})"
            )
    return f"text analysis: {platform} {label}"


# --------------------------------------------------------------------------------------------------- names
def names_coverage(names: ProfanityAnalysis) -> AnalysisCoverageItem:
    parts = (names.groups, names.pages, names.following)
    found = sum(p.total for p in parts)
    not_analysed = sum(p.not_analysed for p in parts)
    scripts: dict[str, int] = {}
    for part in parts:
        for script, n in part.not_analysed_scripts.items():
            scripts[script] = scripts.get(script, 0) + n
    if names.status != AnalysisStatus.OK or found == 0:
        summary = (
            _unusable("Names", names.status) if names.status != AnalysisStatus.OK else "Names: none found."
        )
    else:
        summary = (
            f"Names: {found} distinct group, page and account names found, "
            f"{found - not_analysed} analysed for profanity"
        )
        if not_analysed:
            summary += f"; {not_analysed} not analysed ({_scripts(scripts)})"
        summary += "."
    return AnalysisCoverageItem(
        analysis="names",
        status=names.status,
        found=found,
        analysed=found - not_analysed,
        not_analysed=not_analysed,
        not_analysed_reasons={REASON_LANGUAGE: not_analysed} if not_analysed else {},
        languages=dict(sorted(scripts.items())),
        models=names.models,
        detects=NAMES_DETECTS,
        does_not_detect=NAMES_DOES_NOT_DETECT,
        summary=summary,
    )


def _scripts(scripts: dict[str, int]) -> str:
    return _count({f"in {script.title()} script": n for script, n in scripts.items()})


def names_evidence(names: ProfanityAnalysis, which: Literal["groups", "pages"]) -> str:
    parts = [names.groups] if which == "groups" else [names.pages, names.following]
    label = (
        "groups"
        if which == "groups"
        else "pages" + (" and accounts followed" if names.following.total else "")
    )
    found = sum(p.total for p in parts)
    not_analysed = sum(p.not_analysed for p in parts)
    if not not_analysed:
        return f"name analysis: {label}"
    return f"name analysis: {label} ({found - not_analysed} of {found} names analysed; the rest in other scripts)"


# -------------------------------------------------------------------------------------------------- images
def image_coverage(images: ImageAnalysis) -> AnalysisCoverageItem:
    reasons: dict[str, int] = {}
    for reason, n in images.not_analysed_reasons.items():
        code = _IMAGE_REASONS.get(reason, REASON_UNREADABLE)
        reasons[code] = reasons.get(code, 0) + n
    unexplained = images.not_analysed - sum(reasons.values())
    if unexplained > 0:  # results from before reasons were recorded
        reasons[REASON_UNREADABLE] = reasons.get(REASON_UNREADABLE, 0) + unexplained
    covered = [c for c in images.content_categories if c]
    missing = [c for c in IMAGE_CATEGORIES if c not in covered]
    found = images.analysed + images.not_analysed
    if images.status != AnalysisStatus.OK or found == 0:
        summary = (
            _unusable("Photos", images.status)
            if images.status != AnalysisStatus.OK
            else "Photos: none found."
        )
    else:
        summary = f"Photos: {found} found, {_detection(covered)} on {images.analysed}"
        if images.not_analysed:
            why = _count({REASON_WORDS[r]: n for r, n in reasons.items()})
            summary += f"; {images.not_analysed} not analysed ({why})"
        summary += "."
    if missing:
        summary += f" Not checked: {_words(missing)}."
    return AnalysisCoverageItem(
        analysis="images",
        status=images.status,
        found=found,
        analysed=images.analysed,
        not_analysed=images.not_analysed,
        not_analysed_reasons=dict(sorted(reasons.items())),
        models=images.models,
        detects=[
            *(CATEGORY_WORDS.get(c, c) for c in covered),
            *(f"label {label}" for label in images.categories_covered),
        ],
        does_not_detect=[CATEGORY_WORDS.get(c, c) for c in missing],
        summary=summary,
    )


def _words(categories: list[str]) -> str:
    return ", ".join(CATEGORY_WORDS.get(c, c) for c in categories)


def _detection(covered: list[str]) -> str:
    return f"{_words(covered)} detection" if covered else "moderation"


def image_evidence(images: ImageAnalysis) -> str:
    """The image feature's evidence: what was checked on how many photos, and what was not checked."""
    covered = list(images.content_categories)
    missing = [c for c in IMAGE_CATEGORIES if c not in covered]
    found = images.analysed + images.not_analysed
    line = f"image analysis: {_detection(covered)} on {images.analysed} of {found} photos"
    return line + (f"; {_words(missing)} not checked" if missing else "")


_CAP_WORDS = {REASON_CAP_REACHED: "cap reached", REASON_TIME_LIMIT: "the time allowed ran out"}


def with_caps(item: AnalysisCoverageItem, caps: list[Cap]) -> AnalysisCoverageItem:
    """Items an analysis function left out to stay within its memory (cap_reached) or its time (time_limit) were
    found but not analysed."""
    left_out = {reason: sum(c.capped for c in caps if c.reason == reason) for reason in _CAP_WORDS}
    capped = sum(left_out.values())
    if not capped:
        return item
    reasons = dict(item.not_analysed_reasons)
    for reason, count in left_out.items():
        if count:
            reasons[reason] = reasons.get(reason, 0) + count
    why = " ".join(
        f"{count} more left out: {_CAP_WORDS[reason]}." for reason, count in left_out.items() if count
    )
    return item.model_copy(
        update={
            "found": item.found + capped,
            "not_analysed": item.not_analysed + capped,
            "not_analysed_reasons": dict(sorted(reasons.items())),
            "summary": f"{item.summary} {why}",
        }
    )


def build_coverage(evidence: Evidence) -> AnalysisCoverage:
    return AnalysisCoverage(
        texts=with_caps(text_coverage(evidence.text), evidence.text.caps),
        names=with_caps(names_coverage(evidence.profanity), evidence.profanity.caps),
        images=with_caps(image_coverage(evidence.images), evidence.images.caps),
    )
