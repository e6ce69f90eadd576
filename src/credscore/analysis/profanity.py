"""Profanity in the names of groups joined, pages liked and accounts followed (better-profanity's word list).

better-profanity's list (≈900 entries) mixes real profanity and slurs with everyday words ("god", "virgin",
"kill", "drunk", "organ", "stroke", "fat") and identity or health terms ("gay", "queer", "sex", "vagina",
"hiv"). A flag here lowers someone's credit score, so a false positive is worse than a miss: those words are
allow-listed, and a few innocent phrases around words that stay flagged ("Moby Dick", "Cock and Bull", "Rape
Crisis") are masked first. Slurs, sexual terms and hard drugs stay flagged.

Matching goes through `FastProfanity` (fast_profanity.py): better-profanity's own answers, checked against
the library in the tests, ~50× faster, so `contains_profanity` can also be used on posts and comments.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from credscore.analysis.fast_profanity import FastProfanity
from credscore.evidence import AnalysisStatus, NameCounts, ProfanityAnalysis
from credscore.profile import NameKind, Profile

if TYPE_CHECKING:
    from better_profanity import Profanity

# Entries of better-profanity's list that are innocent in group/page names. Grouped by why.
ALLOWED_WORDS: frozenset[str] = frozenset(
    {
        # religion
        "god",
        # identity: never a negative signal
        "gay", "gays", "lesbians", "queer", "queers", "transsexual",
        # health, anatomy, sex education and awareness groups
        "sex", "sexual", "vagina", "penis", "breasts", "uterus", "womb", "ovary", "menstruation",
        "menstruate", "menses", "tampon", "hiv", "herpes", "pms", "testicle", "rectal", "rectum", "organ",
        "oral", "stroke", "enlargement",
        # ordinary words, brands, titles, trades
        "virgin", "kill", "drunk", "murder", "sniper", "hell", "stupid", "dummy", "ugly", "fat", "dopey",
        "omg", "lmao", "lmfao", "xx", "pot", "hemp", "rum", "vodka", "hookah", "strip", "pawn", "seaman",
        "seamen", "sandbar", "maxi", "revue", "screw", "erect", "thrust", "penetrate", "penetration",
        "facial", "junkie", "junky", "potty", "tramp", "woody", "willy", "pasty", "nappy", "homey", "punky",
        "vixen", "steamy", "cowgirl", "cowgirls", "cow girl", "cow girls", "foobar",
        # personal names and surnames
        "len", "asanchez", "arian", "paddy", "wang", "gai", "massa", "guido", "hebe", "nimrod",
    }
)  # fmt: skip

# Innocent phrases containing a word that stays flagged elsewhere; matched whole-word, case-insensitively.
ALLOWED_PHRASES: tuple[str, ...] = (
    "kill bill", "moby dick", "philip k dick", "dick van dyke", "cock and bull", "rape crisis",
    "rape survivor", "rape survivors", "homo sapiens", "dyke road", "devil's dyke", "damn yankees",
    "kinky boots", "rio negro", "lust for life", "suck it up", "weed control", "weed management",
    "weed killer", "free the nipple", "great tit", "blue tit", "coal tit",
)  # fmt: skip

_ALLOWED_PHRASES_RE = re.compile(
    r"(?<![\w$@*])(?:"
    + "|".join(r"\W+".join(map(re.escape, phrase.split())) for phrase in ALLOWED_PHRASES)
    + r")(?![\w$@*])",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


@cache
def censor() -> Profanity:
    """One censor per process (building its leetspeak variants of ~900 words takes a few ms)."""
    from better_profanity import Profanity

    profanity = Profanity()
    profanity.load_censor_words(whitelist_words=sorted(ALLOWED_WORDS))
    return profanity


@cache
def matcher() -> FastProfanity:
    """The censor's word list in a trie: same verdicts as `censor().contains_profanity`, much faster."""
    return FastProfanity(censor())


def contains_profanity(text: str) -> bool:
    """better-profanity's verdict (allow-list applied) on a name or a long text, after masking allow-listed
    phrases (allow-listed words are not in the censor's list at all)."""
    return matcher().contains_profanity(_ALLOWED_PHRASES_RE.sub(" ", unicodedata.normalize("NFC", text)))


def is_profane_name(name: str) -> bool:
    return contains_profanity(name)


def name_key(name: str) -> str:
    """Case- and spacing-insensitive identity of a name, for de-duplication across platforms."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()


def count_names(names: Iterable[str]) -> NameCounts:
    unique: dict[str, str] = {}
    for name in names:
        key = name_key(name)
        if key:
            unique.setdefault(key, name)
    return NameCounts(total=len(unique), flagged=sum(is_profane_name(n) for n in unique.values()))


def analyze_names(profile: Profile) -> ProfanityAnalysis:
    """Counts of distinct group, page and followed-account names, and how many of each are profane."""

    def of(kind: NameKind) -> NameCounts:
        return count_names(n.name for n in profile.names if n.kind == kind)

    groups, pages, following = of("group"), of("page"), of("following")
    total = groups.total + pages.total + following.total
    return ProfanityAnalysis(
        status=AnalysisStatus.OK if total else AnalysisStatus.NO_EVIDENCE,
        groups=groups,
        pages=pages,
        following=following,
    )
