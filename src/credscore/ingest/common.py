"""What every parser shares: the parse context (profile, archive, warnings) and tolerant value readers."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from credscore.ingest.archive import MemberError, SafeArchive, is_photo
from credscore.profile import MediaRef, Platform, Profile

# Oldest and newest plausible Unix timestamps for social-network data (EXIF nonsense and 0 mean unknown).
_EARLIEST = 946_684_800  # 2000-01-01
_LATEST = 4_102_444_800  # 2100-01-01


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


def repair_json_text(text: str) -> str:
    """Repair Meta's mojibake in the JSON source, before it is decoded: every run of escaped (or literal)
    code points U+0080–U+00FF that spells valid UTF-8 becomes the characters it encodes. For Meta's files this
    is what `repair_tree` does to the decoded document, without a second copy of the document in memory; a run
    that is not valid UTF-8 (a real 'é' in other text) is left alone."""
    if not text.isascii():
        text = _LITERAL_RUN.sub(_repair_literal, text)
    # str.find rather than a regex scan: the runs are few and far between in tens of MiB.
    at = text.find("\\u00")
    if at < 0:
        return text
    pieces: list[str] = []
    copied = 0
    while at >= 0:
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


def as_timestamp(value: Any) -> int | None:
    """Unix seconds from an int/float/numeric string; None for 0, negatives, milliseconds-gone-wrong, junk."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"\d{1,13}(\.\d+)?", value):
            return None
        value = float(value)
    if not isinstance(value, int | float) or value != value:  # NaN
        return None
    seconds = int(value)
    if seconds > _LATEST * 100:  # milliseconds
        seconds //= 1000
    return seconds if _EARLIEST <= seconds <= _LATEST else None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
        return int(value)
    return None


def as_text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def iso_timestamp(value: Any) -> int | None:
    """ISO 8601 ('2014-05-01T12:00:00.000Z') to Unix seconds."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return as_timestamp(parsed.timestamp())


def items_of(document: Any, *keys: str) -> list[Any]:
    """A bare-list root, or the list under one of `keys` (or under the single wrapper key when keys miss)."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in keys:
            value = document.get(key)
            if isinstance(value, list):
                return value
        if len(document) == 1:
            (only,) = document.values()
            if isinstance(only, list):
                return only
    return []


def count_of(document: Any, *keys: str) -> int | None:
    """How many items `items_of` finds, or None when the document holds no such list (malformed, not zero)."""
    if isinstance(document, list):
        return len(document)
    if not isinstance(document, dict):
        return None
    keyed = any(isinstance(document.get(k), list) for k in keys)
    wrapped = len(document) == 1 and isinstance(next(iter(document.values())), list)
    return len(items_of(document, *keys)) if keyed or wrapped else None


def dicts(values: Any) -> list[dict[str, Any]]:
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


@dataclass
class ParseContext:
    """One archive being parsed into one profile."""

    profile: Profile
    platform: Platform
    archive: SafeArchive
    archive_key: str
    warnings: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    parsed_members: int = 0
    layout: str | None = None
    media_seen: set[str] = field(default_factory=set)  # members of this archive already referenced
    documents: dict[str, Any] = field(default_factory=dict)  # small files several steps read (X manifest)

    def src(self, member: str) -> int:
        return self.profile.add_file(self.platform, self.archive.relative(member))

    def warn(self, message: str) -> None:
        self.warnings[message] += 1

    def read_bytes(self, member: str) -> bytes | None:
        try:
            data = self.archive.read(member)
        except MemberError as exc:
            self.failures.append((exc.code, str(exc)))
            self.warn(f"{_kind(member)} skipped: {exc}")
            return None
        return data

    def read_text(self, member: str) -> str | None:
        data = self.read_bytes(member)
        if data is None:
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.failures.append(("invalid_utf8", "a file is not valid UTF-8 text"))
            self.warn(f"{_kind(member)} skipped: not valid UTF-8 text")
            return None

    def read_json(self, member: str, *, mojibake: bool = False, javascript: bool = False) -> Any | None:
        """Decoded JSON (None with a recorded failure when unreadable). `javascript` strips an X
        'window.YTD.x.part0 = ' prefix; the code is never evaluated."""
        text = self.read_text(member)
        if text is None:
            return None
        if javascript:
            start = min((i for i in (text.find("["), text.find("{")) if i >= 0), default=-1)
            if start < 0:
                self.failures.append(("invalid_json", "a data file holds no JSON"))
                self.warn(f"{_kind(member)} skipped: no JSON in the file")
                return None
            text = text[start:]
        try:
            return json.loads(repair_json_text(text) if mojibake else text)
        except (ValueError, RecursionError):
            self.failures.append(("invalid_json", "a data file is not valid JSON"))
            self.warn(f"{_kind(member)} skipped: not valid JSON")
            return None

    def count_items(
        self, members: list[str], *keys: str, javascript: bool = False
    ) -> tuple[int | None, int | None]:
        """Items over all parts of one count (friends, likes...), and the first counted part's `src`. A part
        without a recognisable list is skipped with a warning: a malformed file is not a count of zero."""
        total: int | None = None
        first_src: int | None = None
        for member in members:
            document = self.read_json(member, javascript=javascript)
            if document is None:
                continue
            count = count_of(document, *keys)
            if count is None:
                self.failures.append(("unrecognised_file", "a data file does not have the expected shape"))
                self.warn(f"{_kind(member)} skipped: unexpected shape")
                continue
            src = self.done(member)
            first_src = src if first_src is None else first_src
            total = (total or 0) + count
        return total, first_src

    def add_photo(self, member: str, timestamp: int | None, src: int) -> None:
        """Reference a photo of this archive once, however many posts name it."""
        if member in self.media_seen:
            return
        self.media_seen.add(member)
        self.profile.media.append(
            MediaRef(
                platform=self.platform, archive=self.archive_key, member=member, timestamp=timestamp, src=src
            )
        )

    def add_own_photos(self, folder: re.Pattern[str], folder_name: str, *, counts_as_data: bool) -> None:
        """Photos in the applicant's own posts' media folder that no post of this archive named. In a multi-part
        download the post naming them may sit in another part, parsed before or after this one, so every part
        contributes its own photos whatever the order. A part with no posts file counts as data when it holds
        such photos (`counts_as_data`)."""
        photos = [
            n for n in self.archive.names if folder.search(n) and is_photo(n) and n not in self.media_seen
        ]
        if not photos:
            return
        if counts_as_data:
            self.parsed_members += 1
        src = self.src(folder_name)
        for member in sorted(photos):
            self.add_photo(member, None, src)

    def done(self, member: str) -> int:
        """Mark a member as read and return its provenance index."""
        self.parsed_members += 1
        return self.src(member)


def _kind(member: str) -> str:
    """The file's base name without any folder (folders may carry the user's name)."""
    return member.rsplit("/", 1)[-1][:80]
