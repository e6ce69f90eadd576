"""Language of a short social-media text, offline: which texts VADER (an English lexicon) may score.

A cascade, cheapest first, because most texts are English and the identification must cost far less than
VADER itself (bench/analysis: ≥ 0.8 × a bare VADER loop):
1. Script. Letters outside the Latin script (Devanagari, Tamil, Arabic...) making up more than
   `MAX_OTHER_SCRIPT_SHARE` of the letters make the text non-English, even with an English word in it
   ("आज का दिन OK था" is Hindi, never scored on "OK"). Its language comes from py3langid (a naive Bayes
   model shipped inside the wheel, 140 languages) or, failing that, from the script.
2. Romanized Hindi (Hinglish). py3langid has no such class, so a curated marker list decides
   (data/language/hinglish-*.txt): frequent Hindi function words, pronouns and verbs in their Latin
   spellings. Words that are also English count half.
3. English by its common words (data/language/english-common.txt and VADER's lexicon): half of the distinct
   words or more and no Hindi marker is English without a model call.
4. Otherwise py3langid, restricted to Latin-script languages; a low-confidence answer on a text with known
   English words is English, else the language is unknown ("und").
Texts without letters are "zxx" (emoji, emoticons, numbers). Accuracy on the labelled set in
tests/analysis/data/language-labelled.tsv is measured by bench/analysis and tested in tests/analysis.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

ENGLISH = "en"
HINGLISH = "hi-Latn"  # BCP 47: Hindi written in Latin script
NO_LANGUAGE = "zxx"  # no linguistic content: emoji, emoticons, numbers
UNKNOWN = "und"

MAX_OTHER_SCRIPT_SHARE = 0.2
_ENGLISH_SHARE = 0.5  # share of common English words among the distinct words: English without the model
_MODEL_CONFIDENCE = 0.6
_SIBLING_CONFIDENCE = 0.9

# Plain-language names for the coverage in results; codes not listed are shown as they are.
LANGUAGE_NAMES: dict[str, str] = {
    ENGLISH: "English", HINGLISH: "romanized Hindi (Hinglish)", "hi": "Hindi", "ta": "Tamil", "te": "Telugu",
    "bn": "Bengali", "mr": "Marathi", "gu": "Gujarati", "pa": "Punjabi", "kn": "Kannada", "ml": "Malayalam",
    "or": "Odia", "ur": "Urdu", "ne": "Nepali", "ar": "Arabic", "fa": "Persian", "es": "Spanish",
    "fr": "French", "de": "German", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "id": "Indonesian",
    "ms": "Malay", "tl": "Tagalog", "sw": "Swahili", "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian",
    "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "th": "Thai", "si": "Sinhala", "pl": "Polish",
    "ro": "Romanian", "sv": "Swedish", "vi": "Vietnamese", "el": "Greek", "he": "Hebrew",
    NO_LANGUAGE: "emoji or symbols only", UNKNOWN: "unidentified language",
}  # fmt: skip

# Latin-script languages py3langid may answer for a Latin text that is neither English nor Hinglish.
_LATIN_LANGUAGES = (
    "en", "es", "fr", "de", "it", "pt", "nl", "id", "ms", "tl", "sw", "tr", "pl", "ro", "sv", "da", "no",
    "fi", "cs", "hu", "vi", "ca", "hr", "sk", "sl", "lt", "lv", "et", "af", "eu", "gl",
)  # fmt: skip

# Script of a letter, by Unicode block, for scripts py3langid may not settle (fallback language per script).
_SCRIPT_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "el"), (0x0400, 0x04FF, "ru"), (0x0590, 0x05FF, "he"), (0x0600, 0x06FF, "ar"),
    (0x0900, 0x097F, "hi"), (0x0980, 0x09FF, "bn"), (0x0A00, 0x0A7F, "pa"), (0x0A80, 0x0AFF, "gu"),
    (0x0B00, 0x0B7F, "or"), (0x0B80, 0x0BFF, "ta"), (0x0C00, 0x0C7F, "te"), (0x0C80, 0x0CFF, "kn"),
    (0x0D00, 0x0D7F, "ml"), (0x0D80, 0x0DFF, "si"), (0x0E00, 0x0E7F, "th"), (0x3040, 0x30FF, "ja"),
    (0xAC00, 0xD7AF, "ko"), (0x4E00, 0x9FFF, "zh"),
)  # fmt: skip

# Other languages written in the same script as the script's main language (see `_SCRIPT_BLOCKS`).
_SAME_SCRIPT: dict[str, frozenset[str]] = {
    "hi": frozenset({"mr", "ne"}), "ar": frozenset({"ur", "fa", "ps"}), "ru": frozenset({"uk", "bg", "sr", "kk"}),
    "bn": frozenset({"as"}), "zh": frozenset({"ja"}),
}  # fmt: skip

_LINKS_AND_MENTIONS = re.compile(r"(?:https?://|www\.)\S+|[@#]\w+")
_ASCII_LETTER = re.compile(r"[a-z]")
_LETTER = re.compile(r"[^\W\d_]")
# Letters of scripts other than Latin (Basic Latin to Latin Extended-B, IPA, Latin Extended Additional).
_OTHER_SCRIPT_LETTER = re.compile(r"[^\W\d_\u0000-\u02af\u1e00-\u1eff]")
# Punctuation becomes spaces before splitting into words ("great!!" is "great"). The apostrophe stays: "can't"
# and "don't" are listed words.
_SEPARATORS = tuple('.,!?;:()"*-_/…“”‘’[]')


def _words(name: str) -> frozenset[str]:
    text = resources.files("credscore.data").joinpath("language", name).read_text("utf-8")
    return frozenset(
        word.lower() for line in text.splitlines() if not line.startswith("#") for word in line.split()
    )


@cache
def hinglish_markers() -> tuple[frozenset[str], frozenset[str]]:
    """(strong markers, weak markers) of romanized Hindi."""
    return _words("hinglish-markers.txt"), _words("hinglish-weak.txt")


@cache
def english_function_words() -> frozenset[str]:
    """English function words (data/language/english-function.txt): they weigh against romanized Hindi."""
    return _words("english-function.txt")


@cache
def english_common() -> frozenset[str]:
    """Frequent English words (data/language/english-common.txt), the function words, and the words of VADER's
    own lexicon (short posts such as "Cute pic" have no function word but are words VADER scores)."""
    from credscore.analysis.vader import analyzer

    vader_words = frozenset(word for word in analyzer().lexicon if word.isalpha())
    return _words("english-common.txt") | english_function_words() | vader_words


# py3langid ships its model as an xz-compressed npz: decompressing its 68 MB costs ~0.8 s of CPU in every cold
# execution environment. The language layer's build stores it decompressed beside the original
# (layers/language/Makefile calls `decompress_model`); the identifier
# loads that copy when it is there, and py3langid's own loader otherwise (a development install).
PLAIN_MODEL = "data/model.npz"


@cache
def identifier() -> LanguageIdentifier:
    """py3langid's shipped model, loaded once per process, probabilities normalised."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    plain = MODEL_DIR / PLAIN_MODEL
    if plain.is_file():
        return load_plain_model(plain)
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def load_plain_model(path: Path) -> LanguageIdentifier:
    """The identifier from an uncompressed copy of py3langid's model: the same arrays its loader builds
    (`py3langid.modelio.load_model`: numpy for the naive-Bayes tables, stdlib arrays for the tokenizer's
    automaton, lists for the labels and outputs); tests/analysis/test_language_model.py holds the two equal."""
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    def stdlib_array(values: Any) -> array[int]:
        packed = np.ascontiguousarray(values)
        out = array({2: "H", 4: "I", 8: "L"}[packed.dtype.itemsize])
        out.frombytes(memoryview(packed).cast("B"))
        return out

    with np.load(path, allow_pickle=False) as data:
        return LanguageIdentifier(
            np.asarray(data["ptc"]),
            np.asarray(data["pc"]),
            data["classes"].tolist(),
            stdlib_array(data["nextmove"]),
            data["out_feat"].tolist(),
            norm_probs=True,
            tk_row=stdlib_array(data["nextmove_row"]),
        )


def decompress_model(package: Path) -> Path:
    """Write the model of the py3langid package in `package` decompressed beside it (the layer build)."""
    import lzma
    import shutil

    from py3langid.langid import MODEL_FILE

    plain = package / PLAIN_MODEL
    with lzma.open(package / MODEL_FILE) as source, open(plain, "wb") as sink:
        shutil.copyfileobj(source, sink, length=1 << 20)
    return plain


@cache
def _latin_identifier() -> LanguageIdentifier:
    """The same model restricted to Latin-script languages; it shares the loaded arrays (no second load)."""
    from py3langid.langid import LanguageIdentifier

    full = identifier()
    restricted = LanguageIdentifier(
        full.nb_ptc, full.nb_pc, full.nb_classes, full.tk_nextmove, full.tk_output,
        norm_probs=True, tk_row=full.tk_row,
    )  # fmt: skip
    restricted.set_languages([code for code in _LATIN_LANGUAGES if code in restricted.labels])
    return restricted


def model_id() -> str:
    from importlib.metadata import version

    return f"py3langid {version('py3langid')}"


def _script_language(letters: list[str]) -> str:
    counts: dict[str, int] = {}
    for char in letters:
        point = ord(char)
        for low, high, code in _SCRIPT_BLOCKS:
            if low <= point <= high:
                counts[code] = counts.get(code, 0) + 1
                break
    return max(counts, key=lambda c: counts[c]) if counts else UNKNOWN


def identify(text: str) -> str:
    """Language code of a text: "en", "hi-Latn", an ISO 639-1 code, "zxx" (no letters) or "und"."""
    if "@" in text or "://" in text or "www." in text or "#" in text:
        text = _LINKS_AND_MENTIONS.sub(" ", text)
    if text.isascii():
        lowered = text.lower()
        return _latin_language(lowered) if _ASCII_LETTER.search(lowered) else NO_LANGUAGE
    other = _OTHER_SCRIPT_LETTER.findall(text)  # usually empty: Latin text with emoji or accents
    if other:
        if len(other) > MAX_OTHER_SCRIPT_SHARE * len(_LETTER.findall(text)):
            return _other_script_language(text, other)
    elif not _LETTER.search(text):
        return NO_LANGUAGE
    return _latin_language(unicodedata.normalize("NFC", text).lower())


def _other_script_language(text: str, other: list[str]) -> str:
    by_script = _script_language(other)
    if by_script == UNKNOWN:
        return str(identifier().classify(text)[0])
    siblings = _SAME_SCRIPT.get(by_script)
    if not siblings:
        return by_script  # a script written by one main language here (Tamil, Telugu, Thai...)
    # Languages sharing a script (Hindi, Marathi, Nepali in Devanagari): the model decides only when sure,
    # since short texts mislead it; otherwise the script's main language.
    code, confidence = identifier().classify(text)
    return str(code) if code in siblings and confidence >= _SIBLING_CONFIDENCE else by_script


def _latin_language(lowered: str) -> str:
    # Distinct words and C-level set intersections: this runs before VADER on every text.
    for mark in _SEPARATORS:  # str.replace per mark is several times faster than str.translate here
        if mark in lowered:
            lowered = lowered.replace(mark, " ")
    tokens = set(lowered.split())
    if not tokens:
        return NO_LANGUAGE
    strong, weak = hinglish_markers()
    strong_hits = len(tokens & strong)
    hindi = strong_hits + 0.5 * len(tokens & weak)
    if strong_hits and hindi >= 1.5 and hindi >= len(tokens & english_function_words()):
        return HINGLISH
    common = len(tokens & english_common())
    if not strong_hits and common >= _ENGLISH_SHARE * len(tokens):
        return ENGLISH
    code, confidence = _latin_identifier().classify(lowered)
    if code == ENGLISH:
        return ENGLISH
    if strong_hits and hindi >= 1.0:
        return HINGLISH
    if confidence >= _MODEL_CONFIDENCE:
        return str(code)
    if common or _known_to_vader(tokens):
        return ENGLISH
    return UNKNOWN


def _known_to_vader(tokens: set[str]) -> bool:
    from credscore.analysis.vader import analyzer

    lexicon = analyzer().lexicon
    return any(t in lexicon for t in tokens)


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
