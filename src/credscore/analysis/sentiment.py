"""VADER sentiment over the applicant's own texts, likes on own posts and interaction frequency, per platform.

VADER is an English lexicon: it scores any other language as neutral. Each text's language is identified first
(`language.identify`: script, romanized-Hindi markers, English function words, py3langid); only English texts
and texts made only of emoji or emoticons VADER knows are scored. Every other text is counted as
`not_analysed`, by language (reason "language"), and an empty text or one made only of links and @mentions
as "unreadable": they lower coverage instead of being passed off as neutral. Romanized Hindi (Hinglish) is
recognised and not analysed: no offline Hinglish sentiment model ships in a package, and VADER's reading of
it is no better than always answering "neutral" (docs/analysis.md has the evaluation).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from credscore.analysis.language import ENGLISH, NO_LANGUAGE, identify
from credscore.analysis.vader import analyzer
from credscore.evidence import AnalysisStatus, PlatformText, SentimentCounts, TextAnalysis
from credscore.profile import Account, Platform, Profile, TextItem

POSITIVE_AT = 0.05  # VADER authors' recommended cut-offs on the compound score
NEGATIVE_AT = -0.05
SECONDS_PER_DAY = 86_400

# Retweets are someone else's words: they count as activity, not as the applicant's own sentiment or likes.
POST_KINDS = frozenset({"post", "tweet", "caption"})
COMMENT_KINDS = frozenset({"comment", "reply"})

_LINKS_AND_MENTIONS = re.compile(r"(?:https?://|www\.)\S+|@\w+")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")


def readable_text(text: str) -> str | None:
    """The text VADER should score (links and @mentions removed), or None when VADER cannot read it."""
    # Substring tests first: most texts have no link or mention, and the regex scan costs ~5% of VADER's time.
    has_links = "@" in text or "://" in text or "www." in text
    cleaned = (_LINKS_AND_MENTIONS.sub(" ", text) if has_links else text).strip()
    if not cleaned:
        return None
    if _LATIN_LETTER.search(cleaned):
        return cleaned
    vader = analyzer()
    # No Latin letters, but emoji and ASCII emoticons (":)", "<3") are in VADER's lexicons and are scored.
    if any(ch in vader.emojis for ch in cleaned) or any(tok in vader.lexicon for tok in cleaned.split()):
        return cleaned
    return None


# Why a text was not analysed: stable codes, shown in the result's coverage.
REASON_LANGUAGE = "language"  # a language VADER cannot read; the language is counted separately
REASON_UNREADABLE = "unreadable"  # empty, only links/@mentions, or symbols VADER does not know


def classify(text: str) -> tuple[str, str | None]:
    """(language code, polarity) of a text; polarity None when the text is not analysed."""
    language = identify(text)
    if language != ENGLISH and language != NO_LANGUAGE:
        return language, None
    readable = readable_text(text)
    if readable is None:
        return language, None
    compound = analyzer().polarity_scores(readable)["compound"]
    if compound >= POSITIVE_AT:
        return language, "positive"
    if compound <= NEGATIVE_AT:
        return language, "negative"
    return language, "neutral"


def polarity(text: str) -> str | None:
    """'positive', 'negative' or 'neutral' for an English (or emoji) text; None when it is not analysed."""
    return classify(text)[1]


def count_sentiment(texts: Iterable[str]) -> SentimentCounts:
    """Polarity counts; each distinct text is scored once (birthday wishes and "Congrats!" repeat a lot)."""
    by_label: Counter[str | None] = Counter()
    languages: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for text, times in Counter(texts).items():
        language, label = classify(text)
        by_label[label] += times
        languages[language] += times
        if label is None:
            analysable = language in (ENGLISH, NO_LANGUAGE)
            reasons[REASON_UNREADABLE if analysable else REASON_LANGUAGE] += times
    # Plain counters, one model at the end: assigning to a pydantic model field costs microseconds.
    return SentimentCounts(
        analysed=by_label.total() - by_label[None],
        not_analysed=by_label[None],
        positive=by_label["positive"],
        negative=by_label["negative"],
        neutral=by_label["neutral"],
        languages=dict(sorted(languages.items())),
        not_analysed_reasons=dict(sorted(reasons.items())),
    )


@dataclass
class _PlatformItems:
    texts: list[TextItem] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    media_timestamps: list[int] = field(default_factory=list)


def _active_days(items: _PlatformItems, now: int) -> float | None:
    """Days since the account was created; failing that, since the earliest dated item; None if unknown."""
    created = [a.created_at for a in items.accounts if a.created_at is not None]
    if created:
        start = min(created)
    else:
        dated = [t.timestamp for t in items.texts if t.timestamp is not None] + items.media_timestamps
        if not dated:
            return None
        start = min(dated)
    return max(0.0, (now - start) / SECONDS_PER_DAY)


def _platform_text(platform: Platform, items: _PlatformItems, now: int) -> PlatformText:
    posts = [t for t in items.texts if t.kind in POST_KINDS]
    comments = [t for t in items.texts if t.kind in COMMENT_KINDS]
    liked = [t.likes for t in posts if t.likes is not None]
    reactions = sum(a.reactions_given for a in items.accounts if a.reactions_given is not None)
    return PlatformText(
        platform=platform,
        posts=count_sentiment(t.text for t in posts),
        comments=count_sentiment(t.text for t in comments),
        own_posts_with_likes=len(liked),
        likes_on_own_posts=sum(liked),
        # Every text item (retweets included) is an interaction, whether or not VADER can read it.
        activities=len(items.texts) + reactions,
        active_days=_active_days(items, now),
    )


def analyze_text(profile: Profile, now: int) -> TextAnalysis:
    """Sentiment counts, likes and activity per platform with texts or an account; `now` in Unix seconds."""
    by_platform: dict[Platform, _PlatformItems] = {}
    for text in profile.texts:
        by_platform.setdefault(text.platform, _PlatformItems()).texts.append(text)
    for account in profile.accounts:
        by_platform.setdefault(account.platform, _PlatformItems()).accounts.append(account)
    for media in profile.media:
        if media.platform in by_platform and media.timestamp is not None:
            by_platform[media.platform].media_timestamps.append(media.timestamp)

    platforms = [_platform_text(p, by_platform[p], now) for p in Platform if p in by_platform]
    has_evidence = any(p.activities > 0 for p in platforms)
    return TextAnalysis(
        status=AnalysisStatus.OK if has_evidence else AnalysisStatus.NO_EVIDENCE,
        platforms=platforms,
        models=model_ids(),
    )


@cache
def model_ids() -> list[str]:
    """Packages that decide the result, with versions, for the audit trail and the coverage."""
    from importlib.metadata import version

    from credscore.analysis.language import model_id

    return [f"vaderSentiment {version('vaderSentiment')}", model_id()]
