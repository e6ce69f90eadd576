"""Profanity in the names of groups joined, pages liked and accounts followed (better-profanity's word list).

better-profanity's list (≈900 entries) mixes real profanity and slurs with everyday words ("god", "virgin",
"kill", "drunk", "organ", "stroke", "fat") and identity or health terms ("gay", "queer", "sex", "vagina",
"hiv"). A flag here lowers someone's credit score, so a false positive is worse than a miss: those words are
allow-listed, and a few innocent phrases around words that stay flagged ("Moby Dick", "Cock and Bull", "Rape
Crisis") are masked first. Slurs, sexual terms and hard drugs stay flagged.

Matching goes through `FastProfanity` (fast_profanity.py): better-profanity's own answers, checked against
the library in the tests, ~50× faster, so `contains_profanity` can also be used on posts and comments.

Names (`is_profane_name`) get more than the library's list, from data files in data/names/ (each with its source
and a review note): innocent phrases masked first (places such as "Coon Rapids", brands such as "Knob Creek",
honours such as "cum laude", idioms such as "weed out"); context rules (a support, recovery or clinic name
does not flag for the drug, sex or abuse word it is about; a sports or poultry name does not flag for "cock");
then romanized Hindi/Hinglish and English compounds the library lacks ("Shitposting", "chutiya"), and Hindi
in Devanagari. Names in other scripts are not analysed (counted as such, never as clean). Precision and recall
on the labelled set tests/analysis/data/names-labelled.tsv are in bench/analysis and tested on a held-out part.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
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

_SPACES = re.compile(r"\s+")

# Context rules: a name about support, recovery or care is not flagged for the drug, sex or abuse word it is
# about ("Heroin Addiction Recovery", "Anal Fissure Treatment Clinic"); slurs and swearing still flag.
SUPPORT_CONTEXT: frozenset[str] = frozenset(
    {
        "recovery", "recovering", "addiction", "addictions", "addict", "addicts", "anonymous", "rehab",
        "rehabilitation", "support", "survivor", "survivors", "awareness", "prevention", "clinic", "clinics",
        "hospital", "treatment", "therapy", "counselling", "counseling", "sober", "sobriety", "helpline",
        "overdose", "harm", "detox", "de-addiction", "cancer", "research", "help", "stories",
    }
)  # fmt: skip
SUPPORT_MASKED: frozenset[str] = frozenset(
    {
        "heroin", "cocaine", "meth", "crack", "weed", "marijuana", "cannabis", "ecstasy", "opioid", "opioids",
        "lsd", "porn", "sex", "sexual", "anal", "anus", "rape", "abuse", "suicide", "drug", "drugs",
    }
)  # fmt: skip
# A sports team, a pub or poultry: "cock" is the bird ("Essex Cocks cricket", "Fighting Cocks Rugby Club").
BIRD_CONTEXT: frozenset[str] = frozenset(
    {"cricket", "rugby", "football", "fc", "hockey", "baseball", "poultry", "rooster", "roosters", "farm",
     "bantam", "hens", "pub", "inn", "tavern"}
)  # fmt: skip
BIRD_MASKED: frozenset[str] = frozenset({"cock", "cocks"})

_LATIN_WORDS = re.compile(r"[^\W\d_]+")
_DEVANAGARI_WORDS = re.compile(r"[\u0900-\u0963\u0966-\u097F]+")  # without the dandas


@dataclass(frozen=True)
class WordList:
    """Whole words and word prefixes ("fuck*") read from a data file."""

    words: frozenset[str]
    prefixes: tuple[str, ...]

    def matches(self, word: str) -> bool:
        return word in self.words or word.startswith(self.prefixes)


def _data_lines(name: str) -> list[str]:
    text = resources.files("credscore.data").joinpath("names", name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _word_list(name: str) -> WordList:
    entries = [unicodedata.normalize("NFC", e).lower() for e in _data_lines(name)]
    return WordList(
        words=frozenset(e for e in entries if not e.endswith("*")),
        prefixes=tuple(e[:-1] for e in entries if e.endswith("*")),
    )


@cache
def latin_list() -> WordList:
    """Romanized Hindi/Hinglish and English compounds (data/names/profane-latin.txt)."""
    return _word_list("profane-latin.txt")


@cache
def devanagari_list() -> WordList:
    """Hindi in Devanagari (data/names/profane-devanagari.txt)."""
    return _word_list("profane-devanagari.txt")


@cache
def _allowed_phrases_re() -> re.Pattern[str]:
    """The phrases above and those of data/names/allowed-phrases.txt, as one whole-word pattern."""
    phrases = [*ALLOWED_PHRASES, *_data_lines("allowed-phrases.txt")]
    # Longest first, so "magna cum laude" is masked whole rather than as "cum laude".
    alternatives = sorted({r"\W+".join(map(re.escape, p.split())) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<![\w$@*])(?:" + "|".join(alternatives) + r")(?![\w$@*])", re.IGNORECASE)


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
    return matcher().contains_profanity(_allowed_phrases_re().sub(" ", unicodedata.normalize("NFC", text)))


# Scripts of a name: Latin and Devanagari are read; a name with letters of any other script is not analysed
# unless what can be read already flags it.
LATIN = "Latin"
DEVANAGARI = "Devanagari"


def other_script(name: str) -> str | None:
    """The first script other than Latin or Devanagari among a name's letters (e.g. "TAMIL"), or None."""
    if name.isascii():
        return None
    for char in name:
        if char.isalpha() and char >= "\u0250" and not ("\u0900" <= char <= "\u097f"):
            if "\u1e00" <= char <= "\u1eff":  # Latin Extended Additional (Vietnamese)
                continue
            return unicodedata.name(char, "UNKNOWN").split(" ")[0]
    return None


@cache
def _phrase_first_words() -> frozenset[str]:
    """First words of the allowed phrases: a name with none of them needs no (slower) phrase search."""
    phrases = [*ALLOWED_PHRASES, *_data_lines("allowed-phrases.txt")]
    return frozenset(_LATIN_WORDS.findall(p.lower())[0] for p in phrases)


def _masked(name: str) -> tuple[str, set[str]]:
    """The name (lowercase, NFC) with allowed phrases removed and the context rules applied, and its words."""
    text = (name if name.isascii() else unicodedata.normalize("NFC", name)).lower()
    words = set(_LATIN_WORDS.findall(text))
    if words & _phrase_first_words():
        text = _allowed_phrases_re().sub(" ", text)
        words = set(_LATIN_WORDS.findall(text))
    masked = (SUPPORT_MASKED if words & SUPPORT_CONTEXT else frozenset()) | (
        BIRD_MASKED if words & BIRD_CONTEXT else frozenset()
    )
    if masked & words:
        text = " ".join(" " if w.strip(".,:;!?'\"()-") in masked else w for w in text.split())
        words -= masked
    return text, words


def is_profane_name(name: str) -> bool:
    """Whether a group/page name is profane: better-profanity's list (allow-listed words and phrases removed),
    the context rules, and the Hinglish, English-compound and Devanagari lists."""
    text, words = _masked(name)
    latin = latin_list()
    if words & latin.words or any(w.startswith(latin.prefixes) for w in words):
        return True
    if matcher().contains_profanity(text):
        return True
    if text.isascii():
        return False
    devanagari = devanagari_list()
    return any(devanagari.matches(w) for w in _DEVANAGARI_WORDS.findall(text))


def name_verdict(name: str) -> bool | None:
    """True (profane), False (clean) or None (not analysed: letters of a script without word lists)."""
    if is_profane_name(name):
        return True
    return None if other_script(name) else False


def name_key(name: str) -> str:
    """Case- and spacing-insensitive identity of a name, for de-duplication across platforms."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()


def count_names(names: Iterable[str]) -> NameCounts:
    unique: dict[str, str] = {}
    for name in names:
        key = name_key(name)
        if key:
            unique.setdefault(key, name)
    flagged = 0
    not_analysed: Counter[str] = Counter()
    for name in unique.values():
        verdict = name_verdict(name)
        if verdict is None:
            not_analysed[other_script(name) or "UNKNOWN"] += 1
        flagged += verdict is True
    return NameCounts(
        total=len(unique),
        flagged=flagged,
        not_analysed=not_analysed.total(),
        not_analysed_scripts=dict(sorted(not_analysed.items())),
    )


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
        models=model_ids(),
    )


@cache
def model_ids() -> list[str]:
    """better-profanity's version and a digest of the name lists, for the audit trail."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256()
    for name in ("profane-latin.txt", "profane-devanagari.txt", "allowed-phrases.txt"):
        digest.update(resources.files("credscore.data").joinpath("names", name).read_bytes())
    return [
        f"better-profanity {version('better-profanity')}",
        f"credscore-name-lists@sha256:{digest.hexdigest()[:12]}",
    ]
