"""JSON decoding with a bounded Python heap, whatever the file holds.

`json.loads` of a file of tiny objects costs about twenty times the file's size in Python objects (a 4 MiB file of
`{"data":[{"post":"a"}]}` is ~350,000 dicts, lists and dicts). Below an estimated budget a document is decoded
whole (the fast path, every real export); above it, it is decoded piece by piece: containers that fit in a small
window are decoded by the C decoder, bigger ones are walked here, and every list keeps its first elements only while
the retained estimate stays within the budget and its count within `max_items`. A cut list is a `CappedList` that
still knows how many elements the file held (`total`), so counts (friends, followers) stay exact.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_WINDOW = 4096  # characters handed to the C decoder at once: a container that ends inside is decoded whole
_MAX_DEPTH = 200  # containers walked inside each other (exports nest about ten deep); deeper is not an export
# Bytes of Python heap per character, per container and per string (measured on CPython 3.13 with tiny objects,
# rounded up: an empty dict is 64 bytes plus its slot, a short string about 50).
_PER_CHAR, _PER_CONTAINER, _PER_STRING = 8, 120, 56


class CappedList(list[Any]):
    """A list cut while decoding: its first elements, and `total`, how many the file held."""

    total: int = 0


def estimated_heap(text: str, start: int = 0, end: int | None = None) -> int:
    """An upper estimate of the Python heap `json.loads(text[start:end])` builds (counted, never decoded)."""
    end = len(text) if end is None else end
    containers = text.count("{", start, end) + text.count("[", start, end)
    strings = text.count('"', start, end) // 2
    return _PER_CHAR * (end - start) + _PER_CONTAINER * containers + _PER_STRING * strings


@dataclass
class Decoded:
    value: Any
    cut_lists: int = 0  # lists cut short
    largest_cut: int = 0  # elements in the longest list that was cut


def _lenient_int(digits: str) -> int | float:
    """int(), except that a number of more digits than int() takes (4,300) is an infinity: a bad value like 1e400,
    skipped with its item by the parsers, instead of a ValueError that loses the whole file."""
    try:
        return int(digits)
    except ValueError:
        return -math.inf if digits.startswith("-") else math.inf


_LENIENT = json.JSONDecoder(parse_int=_lenient_int)


def decode_bounded(
    text: str, budget: int, max_items: int, check: Callable[[], None] | None = None
) -> Decoded:
    """`json.loads(text)`, except that above `budget` (estimated heap) long lists are cut and a number of more
    digits than int() takes is an infinity. Raises ValueError (json.JSONDecodeError) on invalid JSON and
    RecursionError on absurd nesting, like json.loads. `check` is called every few thousand values walked (the
    source's deadline: a 64 MiB list of zeros takes the walk 49 s); whatever it raises goes through."""
    try:
        decoded = _decode(text, budget, max_items, _DECODER, check)
    except json.JSONDecodeError:
        raise
    except ValueError:  # only int()'s digit limit: read again with a Python parse_int, only for such files
        decoded = _decode(text, budget, max_items, _LENIENT, check)
    if _SURROGATE_ESCAPE.search(text):  # the only way a surrogate gets into text decoded from UTF-8
        decoded.value = without_lone_surrogates(decoded.value)
    return decoded


# `"\ud800"` without its pair decodes to a str that cannot be encoded as UTF-8: the profile holding it could not be
# written as JSON and the whole Ingest step failed.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(value: Any) -> Any:
    """`value` (decoded JSON) with each lone surrogate in its strings, keys included, replaced by U+FFFD; lists
    and dicts are changed in place (a CappedList stays one), without recursion."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    stack = [value]
    while stack:
        container = stack.pop()
        if isinstance(container, dict):
            items = list(container.items())
            container.clear()
            for key, item in items:
                if isinstance(item, str):
                    item = _LONE_SURROGATE.sub("\ufffd", item)
                elif isinstance(item, dict | list):
                    stack.append(item)
                container[_LONE_SURROGATE.sub("\ufffd", key)] = item
        elif isinstance(container, list):
            for i, item in enumerate(container):
                if isinstance(item, str):
                    container[i] = _LONE_SURROGATE.sub("\ufffd", item)
                elif isinstance(item, dict | list):
                    stack.append(item)
    return value


def _decode(
    text: str, budget: int, max_items: int, decoder: json.JSONDecoder, check: Callable[[], None] | None
) -> Decoded:
    if estimated_heap(text) <= budget:
        return Decoded(decoder.decode(text))
    walker = _Walker(text, budget, max_items, decoder, check)
    value, end = walker.value(_skip(text, 0), keep=True)
    if _skip(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return Decoded(value, walker.cut_lists, walker.largest_cut)


def _skip(text: str, at: int) -> int:
    found = _WHITESPACE.match(text, at)
    return found.end() if found else at


class _Walker:
    def __init__(
        self,
        text: str,
        budget: int,
        max_items: int,
        decoder: json.JSONDecoder,
        check: Callable[[], None] | None = None,
    ) -> None:
        self.check = check
        self.steps = 0
        self.text = text
        self.decoder = decoder
        self.remaining = budget
        self.max_items = max_items
        self.cut_lists = 0
        self.largest_cut = 0
        self.depth = 0

    def value(self, at: int, *, keep: bool) -> tuple[Any, int]:
        self.steps += 1
        if self.check is not None and self.steps & 0xFFF == 0:
            self.check()
        text = self.text
        if at >= len(text):
            raise json.JSONDecodeError("Expecting value", text, at)
        if text[at] not in "[{":
            value, end = self.decoder.raw_decode(text, at)  # a scalar: at most the file's own size
            return (value if keep else None), end
        closer = "]" if text[at] == "[" else "}"
        try:
            if text.find(closer, at, at + _WINDOW) < 0:  # cannot end inside the window: do not even try
                raise ValueError("longer than the window")
            value, length = self.decoder.raw_decode(text[at : at + _WINDOW])
        except ValueError:
            # Longer than the window (or invalid: then walking it raises at the right place).
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise RecursionError("JSON nested too deeply") from None
            try:
                return self._array(at, keep) if text[at] == "[" else self._object(at, keep)
            finally:
                self.depth -= 1
        if not keep:
            return None, at + length
        self.remaining -= estimated_heap(text, at, at + length)
        return value, at + length

    def _array(self, at: int, keep: bool) -> tuple[Any, int]:
        text = self.text
        items = CappedList()
        at = _skip(text, at + 1)
        total = 0
        if text.startswith("]", at):
            return (items if keep else None), at + 1
        while True:
            retain = keep and len(items) < self.max_items and self.remaining > 0
            item, at = self.value(at, keep=retain)
            total += 1
            if retain:
                items.append(item)
            at = _skip(text, at)
            if text.startswith(",", at):
                at = _skip(text, at + 1)
                continue
            if text.startswith("]", at):
                break
            raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
        items.total = total
        if keep and total > len(items):
            self.cut_lists += 1
            self.largest_cut = max(self.largest_cut, total)
        return (items if keep else None), at + 1

    def _object(self, at: int, keep: bool) -> tuple[Any, int]:
        text = self.text
        result: dict[str, Any] = {}
        at = _skip(text, at + 1)
        if text.startswith("}", at):
            return (result if keep else None), at + 1
        while True:
            if not text.startswith('"', at):
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, at)
            key, at = self.decoder.raw_decode(text, at)
            at = _skip(text, at)
            if not text.startswith(":", at):
                raise json.JSONDecodeError("Expecting ':' delimiter", text, at)
            item, at = self.value(_skip(text, at + 1), keep=keep)
            if keep:
                result[key] = item
            at = _skip(text, at)
            if text.startswith(",", at):
                at = _skip(text, at + 1)
                continue
            if text.startswith("}", at):
                break
            raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
        return (result if keep else None), at + 1
