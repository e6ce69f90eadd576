"""Reading the members of a large JSON object one array element at a time (stdlib only).

A profile of 1.4 million tiny posts is a 100 MB document that takes more than 2 GB as Python objects; the
analyses need a few fields of it. `iter_members` reads the document in chunks and hands over each top-level
member, and each element of the top-level arrays named, as soon as it is complete, so memory is one chunk plus
the largest element, whatever the document's size. Elements are decoded by the json module's C scanner.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Container, Iterator
from typing import Any

CHUNK_BYTES = 1 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SPACE_CHARS = " \t\n\r"
# The C scanner: (value, end) for the value at an index, as raw_decode without its wrapper.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


class _Buffer:
    """Decoded text read so far, from the first character not yet consumed."""

    def __init__(self, read: Callable[[int], bytes], chunk_bytes: int) -> None:
        self._read = read
        self._chunk = chunk_bytes
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.pos = 0
        self.eof = False

    def more(self) -> bool:
        """Read at least one more chunk (more when the pending part is big, so re-scanning a huge element
        stays linear); False at the end of the document."""
        if self.eof:
            return False
        pending = len(self.text) - self.pos
        want = max(self._chunk, pending)
        parts = []
        got = 0
        while got < want:
            data = self._read(want - got)
            if not data:
                self.eof = True
                break
            parts.append(data)
            got += len(data)
        self.text = self.text[self.pos :] + self._utf8.decode(b"".join(parts), final=self.eof)
        self.pos = 0
        return True

    def skip_whitespace(self) -> str:
        """The next significant character ("" at the end of the document)."""
        while True:
            text, pos = self.text, self.pos
            if pos < len(text) and text[pos] not in _SPACE_CHARS:  # compact JSON: the usual case
                return text[pos]
            self.pos = pos = _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]
            if pos < len(text):
                return text[pos]
            if not self.more():
                return ""

    def expect(self, char: str) -> None:
        found = self.skip_whitespace()
        if found != char:
            raise ValueError(f"expected {char!r} at offset {self.pos}, found {found[:1]!r}")
        self.pos += 1

    def expect_end(self) -> None:
        if self.skip_whitespace():
            raise ValueError(f"unexpected data after the document at offset {self.pos}")

    def value(self) -> Any:
        """The next complete JSON value."""
        self.skip_whitespace()
        while True:
            try:
                value, end = _SCAN(self.text, self.pos)
            except (json.JSONDecodeError, StopIteration) as exc:
                if self.more():
                    continue
                if isinstance(exc, StopIteration):
                    raise json.JSONDecodeError("Expecting value", self.text, self.pos) from None
                raise
            # A number at the very end of the buffer may continue in the next chunk.
            if end == len(self.text) and not self.eof and self.more():
                continue
            self.pos = end
            return value


def iter_members(
    read: Callable[[int], bytes], arrays: Container[str] = (), chunk_bytes: int = CHUNK_BYTES
) -> Iterator[tuple[str, Any]]:
    """(key, value) for each member of the JSON object read through `read(n)`; for a key in `arrays` whose
    value is an array, (key, element) for each element instead (the array itself is never held)."""
    buffer = _Buffer(read, chunk_bytes)
    buffer.expect("{")
    if buffer.skip_whitespace() == "}":
        buffer.pos += 1
        buffer.expect_end()
        return
    while True:
        key = buffer.value()
        if not isinstance(key, str):
            raise ValueError("object keys must be strings")
        buffer.expect(":")
        if key in arrays and buffer.skip_whitespace() == "[":
            buffer.pos += 1
            if buffer.skip_whitespace() == "]":
                buffer.pos += 1
            else:
                while True:
                    yield key, buffer.value()
                    separator = buffer.skip_whitespace()
                    buffer.pos += 1
                    if separator == "]":
                        break
                    if separator != ",":
                        raise ValueError(f"expected ',' or ']' in array {key!r}")
        else:
            yield key, buffer.value()
        separator = buffer.skip_whitespace()
        buffer.pos += 1
        if separator == "}":
            buffer.expect_end()
            return
        if separator != ",":
            raise ValueError("expected ',' or '}' between members")


def iter_array(read: Callable[[int], bytes], chunk_bytes: int = CHUNK_BYTES) -> Iterator[Any]:
    """Each element of the JSON array read through `read(n)`, as soon as it is complete."""
    buffer = _Buffer(read, chunk_bytes)
    buffer.expect("[")
    if buffer.skip_whitespace() == "]":
        buffer.pos += 1
        buffer.expect_end()
        return
    while True:
        yield buffer.value()
        separator = buffer.skip_whitespace()
        buffer.pos += 1
        if separator == "]":
            buffer.expect_end()
            return
        if separator != ",":
            raise ValueError("expected ',' or ']' between elements")
