"""FastProfanity gives better-profanity's own answers, on a generated corpus and on the library's quirks."""

from __future__ import annotations

import random

import pytest
from better_profanity import Profanity

from credscore.analysis.fast_profanity import FastProfanity
from credscore.analysis.profanity import censor

LEET = {"a": "@4*", "i": "1l*", "o": "0@*", "u": "v*", "e": "3*", "s": "$5", "t": "7", "l": "1"}
PLAIN = ["the", "a", "my", "love", "great", "day", "work", "happy", "ΟΔΟΣ", "Σ", "naïve", "café", "é", "x", "I",
         "1", "b", "god", "virgin", "kill"]  # fmt: skip
SEPARATORS = [" ", "  ", ".", "-", "_", ", ", "!", "\n", "...", " - ", "#", "@", "*", "'", '"', "$", "😍"]

# Edge cases of the library's walk: multi-word and dotted entries, a one-character last word, words that
# end where a combination ended, "****" itself, other scripts and case-folding (final sigma).
EDGE_CASES = [
    "", "a", "ab", " a", "x ", "*", "****", "**** you", "fuck", "f", " fuck", "fuck.", "jerk off",
    "jerk  off!", "jerk off x", "2 girls 1 cup", "s.h.i.t.", "hello s.h.i.t", "sh!+ happens", "f_u_c_k it",
    "doggy style", "Doggy-Style club", "ΟΔΟΣ fuck ΣΣ", "a fuck b", "a b c d e f g fuck", "f u c k",
    "Scunthorpe", "assassin class", "God is great", "shit", "shit!", "$h1t", "@$$", "b1tch", "phuck off",
    "मुझे यह बहुत पसंद है", "fuck\n\nyou", "x-rated", "piss-off me", "cockpit", "...fuck...",
]  # fmt: skip


def generated_corpus(count: int, seed: int, words: list[str]) -> list[str]:
    rng = random.Random(seed)

    def variant(word: str) -> str:
        return "".join(rng.choice(LEET[c]) if c in LEET and rng.random() < 0.3 else c for c in word)

    def token() -> str:
        draw = rng.random()
        word = (
            rng.choice(words)
            if draw < 0.2
            else variant(rng.choice(words))
            if draw < 0.3
            else "****"
            if draw < 0.33
            else rng.choice(PLAIN)
        )
        shape = rng.random()
        return word.upper() if shape < 0.1 else word.capitalize() if shape < 0.2 else word

    texts = []
    for _ in range(count):
        parts = [rng.choice(["", " ", "..."])]
        for _ in range(rng.randint(0, 14)):
            parts += [token(), rng.choice(SEPARATORS)]
        if rng.random() < 0.5:
            parts.pop()
        texts.append("".join(parts))
    return texts


@pytest.fixture(scope="module", params=["stock list", "allow-listed censor"])
def library(request: pytest.FixtureRequest) -> Profanity:
    return Profanity() if request.param == "stock list" else censor()


def test_same_verdicts_and_censored_text_as_the_library(library: Profanity) -> None:
    words = sorted(str(w) for w in library.CENSOR_WORDSET)
    corpus = EDGE_CASES + generated_corpus(200, seed=7, words=words)
    fast = FastProfanity(library)
    censored = [library.censor(t) for t in corpus]  # the library's contains_profanity is censor(t) != t
    assert [fast.censored(t) for t in corpus] == censored
    verdicts = [fast.contains_profanity(t) for t in corpus]
    assert verdicts == [c != t for c, t in zip(censored, corpus, strict=True)]
    # The corpus exercises both answers.
    assert 0.2 < sum(verdicts) / len(verdicts) < 0.9


def test_allow_list_is_honoured() -> None:
    fast = FastProfanity(censor())
    assert not fast.contains_profanity("God is great, Virgin Atlantic and Kill Bill")
    assert fast.contains_profanity("God is great, shit happens")
    assert FastProfanity(Profanity()).contains_profanity("God is great")


def test_multi_character_substitutions_are_refused() -> None:
    library = Profanity()
    library.CHARS_MAPPING = {**library.CHARS_MAPPING, "k": ("k", "ck")}
    with pytest.raises(ValueError, match="single-character"):
        FastProfanity(library)
