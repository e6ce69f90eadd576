"""better-profanity's `contains_profanity`, same answers, for long texts (posts, comments).

better-profanity walks the text character by character and, at the end of every word, tests the word and its
combinations with up to N following words (N = most separators inside a listed phrase, 5 for the stock list)
against its list by comparing with each of ~900 entries in turn, in Python: ~30 ms for a 40-word post.

`FastProfanity` keeps that walk, because its details decide some answers (which characters make words, which
following words are tried, a text whose first word starts at its last character counts as clean, pieces are
lowercased one by one, which matters for a Greek final sigma). It replaces
the list scan with a trie read that follows the leetspeak substitutions backwards, stops as soon as no
listed word starts that way, and memoises single words. tests/analysis/test_fast_profanity.py checks the
verdicts and the censored text against the library on its edge cases and a generated corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from better_profanity import Profanity

_END = ""  # trie key marking the end of a listed word (never a character of a word)
_MEMO_LIMIT = 200_000
REPLACEMENT = "****"  # what the library puts in place of a listed word

Trie = dict[str, "Trie"]
Nodes = tuple[Trie, ...]  # where a partial read of the trie stands (several: leetspeak is ambiguous)
Pair = tuple[str, int]  # (piece of text, index where better-profanity says it ends)


def _build_trie(words: Iterable[str]) -> Trie:
    root: Trie = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = {}
    return root


def _reverse_substitutions(char_map: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """For a text character, the word characters it can stand for (better-profanity's map read backwards).

    A word character with no entry in the map only stands for itself; a text character missing here also
    only stands for itself."""
    reverse: dict[str, set[str]] = {}
    for word_char, variants in char_map.items():
        for variant in variants:
            reverse.setdefault(variant, set()).add(word_char)
    for word_char in char_map:
        reverse.setdefault(word_char, set())
    for text_char, word_chars in reverse.items():
        if text_char not in char_map:
            word_chars.add(text_char)
    return {text_char: tuple(sorted(word_chars)) for text_char, word_chars in reverse.items()}


class FastProfanity:
    """Same verdicts as `profanity.contains_profanity(text)` for the word list `profanity` has loaded."""

    def __init__(self, profanity: Profanity) -> None:
        if any(len(v) != 1 for variants in profanity.CHARS_MAPPING.values() for v in variants):
            raise ValueError("only single-character substitutions are supported")
        if not profanity.CENSOR_WORDSET:
            profanity.load_censor_words()  # the library loads its default list lazily in that case
        self._trie = _build_trie(str(word) for word in profanity.CENSOR_WORDSET)
        self._reverse = _reverse_substitutions(profanity.CHARS_MAPPING)
        self._allowed: frozenset[str] = frozenset(profanity.ALLOWED_CHARACTERS)
        self._window = profanity.MAX_NUMBER_COMBINATIONS
        self._memo: dict[str, Nodes] = {}

    # -------------------------------------------------------------------------------- list membership

    def is_listed(self, lowered: str) -> bool:
        """Whether a (lowercased) string equals a listed word under the leetspeak substitutions."""
        return _ended(self._nodes(lowered))

    def _nodes(self, lowered: str) -> Nodes:
        """Trie nodes reached by reading `lowered` (empty: no listed word starts that way), memoised."""
        known = self._memo.get(lowered)
        if known is None:
            known = self._advance((self._trie,), lowered)
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[lowered] = known
        return known

    def _advance(self, nodes: Nodes, piece: str) -> Nodes:
        reverse = self._reverse
        for char in piece:
            if not nodes:
                break
            word_chars = reverse.get(char, (char,))
            nodes = tuple(child for node in nodes for c in word_chars if (child := node.get(c)) is not None)
        return nodes

    # ---------------------------------------------------------------------------------------- the walk

    def contains_profanity(self, text: str) -> bool:
        return self.censored(text) != text

    def censored(self, text: str) -> str:
        """The text as the library's `censor(text)` returns it (words replaced by "****")."""
        allowed = self._allowed
        start = self._next_word_start(text, 0)
        if start >= len(text) - 1:  # no word, or a single character at the very end
            return text
        body = text[start:]
        out = [text[:start]]
        word = ""
        skip_until = -1
        window: list[Pair] = []
        for index, char in enumerate(body):
            if index < skip_until:
                continue
            if char in allowed:
                word += char
                continue
            if word.strip() == "":
                out.append(char)  # separators between words are copied as they are
                word = ""
                continue
            window = self._slide(body, window, index)
            end = self._combination_end(word, window)
            if end >= 0:
                # The word, this separator and the following words up to `end` become "****".
                word, char, skip_until, window = REPLACEMENT, "", end, []
            if self.is_listed(word.lower()):
                word = REPLACEMENT
            out += (word, char)
            word = ""
        # The library drops a last word that starts where a combination ended at the text's last character.
        if word and skip_until < len(body) - 1:
            out.append(REPLACEMENT if self.is_listed(word.lower()) else word)
        return "".join(out)

    def _next_word_start(self, text: str, start: int) -> int:
        allowed = self._allowed
        for index in range(start, len(text)):
            if text[index] in allowed:
                return index
        return len(text)

    def _next_words(self, text: str, start: int, count: int) -> list[Pair]:
        """Up to `count` following words as (word, end) and (separators + word, end) pairs, as the library
        lists them: the end of a word running to the end of the text is its last character."""
        pairs: list[Pair] = []
        allowed = self._allowed
        for _ in range(count):
            first = self._next_word_start(text, start)
            if first >= len(text) - 1:
                pairs += [("", first), ("", first)]
                return pairs
            end = first
            while end < len(text) and text[end] in allowed:
                end += 1
            end = min(end, len(text) - 1)
            word = text[first:end] if text[end] not in allowed else text[first : end + 1]
            pairs += [(word, end), (text[start:first] + word, end)]
            start = end
        return pairs

    def _slide(self, text: str, window: list[Pair], index: int) -> list[Pair]:
        if not window:
            return self._next_words(text, index, self._window)
        window = window[2:]
        if window and window[-1][0] != "":
            window += self._next_words(text, window[-1][1], 1)
        return window

    def _combination_end(self, word: str, window: list[Pair]) -> int:
        """End index of the first listed combination of `word` with following words, or -1.

        Read incrementally along the trie: once neither the joined nor the separated string is the start of
        a listed word, no longer combination can be listed either."""
        joined = separated = self._nodes(word.lower())
        for position in range(0, len(window), 2):
            single, end = window[position]
            if single == "":
                continue
            joined = self._advance(joined, single.lower())
            separated = self._advance(separated, window[position + 1][0].lower())
            if _ended(joined) or _ended(separated):
                return end
            if not joined and not separated:
                return -1
        return -1


def _ended(nodes: Nodes) -> bool:
    return any(_END in node for node in nodes)
