"""Meta's mojibake: its exports escape each UTF-8 byte of a text as one code point (U+0080–U+00FF). Repairing a
decoded document (`repair_tree`) or, cheaper, the JSON text before it is decoded (`repair_json_text`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


def repair_mojibake(text: str) -> str:
    """Meta exports escape each UTF-8 byte as a code point; undo that, leaving other text alone."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def repair_tree(value: Any) -> Any:
    """`repair_mojibake` over every string of a decoded JSON document, keys included (localised Instagram keys
    such as 'Doğum tarihi' are escaped like the values)."""
    if isinstance(value, str):
        return repair_mojibake(value)
    if isinstance(value, list):
        return [repair_tree(v) for v in value]
    if isinstance(value, dict):
        return {repair_mojibake(k): repair_tree(v) for k, v in value.items()}
    return value


_ESCAPED_RUN = re.compile(r"(?:\\u00[89a-fA-F][0-9a-fA-F])+")  # JSON-escaped code points U+0080–U+00FF
_ESCAPE_LEN = len("\\u00c3")
_LITERAL_RUN = re.compile(r"[\u0080-\u00ff]+")


def _utf8_spelled_by(chars: str) -> str | None:
    """The text that code points U+0080–U+00FF spell as UTF-8 bytes, or None when they are not UTF-8."""
    try:
        return chars.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return None


def _repair_literal(found: re.Match[str]) -> str:
    return _utf8_spelled_by(found.group()) or found.group()


def _repair_escaped_run(run: str) -> str:
    chars = "".join(chr(int(run[i + 2 : i + _ESCAPE_LEN], 16)) for i in range(0, len(run), _ESCAPE_LEN))
    repaired = _utf8_spelled_by(chars)
    # Repaired characters are all >= U+0080: no quote, backslash or control character needs escaping.
    return run if repaired is None else repaired


def repair_json_text(text: str, check: Callable[[], None] | None = None) -> str:
    """Repair Meta's mojibake in the JSON source, before it is decoded: every run of escaped (or literal)
    code points U+0080–U+00FF that spells valid UTF-8 becomes the characters it encodes. For Meta's files this
    is what `repair_tree` does to the decoded document, without a second copy of the document in memory; a run
    that is not valid UTF-8 (a real 'é' in other text) is left alone. `check` is called every few thousand runs
    (the source's deadline: 64 MiB of 'éa' take 32 s); whatever it raises goes through."""
    runs = 0

    def tick() -> None:
        nonlocal runs
        runs += 1
        if check is not None and runs & 0xFFF == 0:
            check()

    def repair_literal(found: re.Match[str]) -> str:
        tick()
        return _repair_literal(found)

    if not text.isascii():
        text = _LITERAL_RUN.sub(repair_literal, text)
    # str.find rather than a regex scan: the runs are few and far between in tens of MiB.
    at = text.find("\\u00")
    if at < 0:
        return text
    pieces: list[str] = []
    copied = 0
    while at >= 0:
        tick()
        found = _ESCAPED_RUN.match(text, at)
        if found is None:
            at = text.find("\\u00", at + 1)
            continue
        run_start = at
        backslashes = 0
        while run_start - backslashes > 0 and text[run_start - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2:  # '\\u00c3' is an escaped backslash then text: the run starts one escape later
            run_start += _ESCAPE_LEN
        if run_start < found.end():
            pieces += (text[copied:run_start], _repair_escaped_run(text[run_start : found.end()]))
            copied = found.end()
        at = text.find("\\u00", found.end())
    pieces.append(text[copied:])
    return "".join(pieces)
