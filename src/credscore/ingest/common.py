"""What every parser shares: the parse context (profile, archive, warnings) and tolerant value readers."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from credscore.ingest.archive import DEFAULT_LIMITS, ArchiveLimits, MemberError, SafeArchive, is_photo
from credscore.ingest.jsondecode import CappedList, decode_bounded
from credscore.ingest.mojibake import repair_json_text
from credscore.profile import (
    BirthDate,
    Education,
    MediaRef,
    NamedEntity,
    NameKind,
    Platform,
    Position,
    Profile,
    SourceFile,
    TextItem,
    TextKind,
)

# Oldest and newest plausible Unix timestamps for social-network data (EXIF nonsense and 0 mean unknown).
_EARLIEST = 946_684_800  # 2000-01-01
_LATEST = 4_102_444_800  # 2100-01-01


def as_timestamp(value: Any) -> int | None:
    """Unix seconds from an int/float/numeric string; None for 0, negatives, milliseconds-gone-wrong, junk
    (1e400 and -Infinity, which JSON decodes to infinities, and NaN included: never raises)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"\d{1,13}(\.\d+)?", value):
            return None
        value = float(value)
    if not isinstance(value, int | float) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, int) and not 0 <= value <= _LATEST * 1000:  # an int of any size is valid JSON
        return None
    seconds = int(value)
    if seconds > _LATEST * 100:  # milliseconds
        seconds //= 1000
    return seconds if _EARLIEST <= seconds <= _LATEST else None


class InvalidValue(ValueError):
    """A value is present but cannot be what its field means (the item holding it is skipped and counted)."""


def item_timestamp(value: Any) -> int | None:
    """An item's own time: None when the export does not say (absent, null, 0, empty), the Unix seconds when
    plausible, and InvalidValue for anything else (1e400, NaN, -Infinity, negatives, huge ints, junk strings)."""
    if value is None or value == "" or (value == 0 and not isinstance(value, bool)):
        return None
    seconds = as_timestamp(value)
    if seconds is None:
        raise InvalidValue("invalid timestamp")
    return seconds


_MAX_INT = 10**18  # no count or date of an export comes near; beyond, sums and divisions overflow a float


def as_int(value: Any) -> int | None:
    """An integer of at most 18 digits, as JSON gave it or as text; None otherwise (never raises)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < _MAX_INT else None
    if isinstance(value, float) and value.is_integer():
        return int(value) if abs(value) < _MAX_INT else None
    # ASCII: Unicode's \s also matches separators (\x1c-\x1f) that int() refuses to strip.
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value, re.ASCII):
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


def _length(items: list[Any]) -> int:
    """A list's length, or how many elements the file held when decoding cut it (`CappedList.total`)."""
    return items.total if isinstance(items, CappedList) else len(items)


def count_of(document: Any, *keys: str) -> int | None:
    """How many items `items_of` finds, or None when the document holds no such list (malformed, not zero)."""
    if isinstance(document, list):
        return _length(document)
    if not isinstance(document, dict):
        return None
    keyed = any(isinstance(document.get(k), list) for k in keys)
    wrapped = len(document) == 1 and isinstance(next(iter(document.values())), list)
    return _length(items_of(document, *keys)) if keyed or wrapped else None


def dicts(values: Any) -> list[dict[str, Any]]:
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


class SourceTimeout(Exception):
    """The source's share of the function's time is spent: the whole source fails alone (`source_timeout`)."""


# Labels of the capped kinds in the "cap reached" warnings.
_TEXT_LABELS: dict[str, str] = {
    "post": "posts",
    "comment": "comments",
    "caption": "captions",
    "tweet": "tweets",
    "reply": "tweets",
    "retweet": "tweets",
}


_NAME_LABELS: dict[str, str] = {"page": "pages", "group": "groups", "following": "accounts followed"}


def _cap_key_of_text(kind: TextKind) -> str:
    return _TEXT_LABELS[kind]


@dataclass
class ParseContext:
    """One archive being parsed into one profile: reads, warnings, per-source item caps, the time budget."""

    profile: Profile
    platform: Platform
    archive: SafeArchive
    archive_key: str
    limits: ArchiveLimits = DEFAULT_LIMITS
    deadline: Callable[[], bool] | None = None  # True once the source's time is spent
    warnings: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    parsed_members: int = 0
    layout: str | None = None
    media_seen: set[str] = field(default_factory=set)  # members of this archive already referenced
    documents: dict[str, Any] = field(default_factory=dict)  # small files several steps read (X manifest)
    kept: Counter[str] = field(
        default_factory=Counter
    )  # items of this source in the profile, per capped kind
    offered: Counter[str] = field(default_factory=Counter)  # items this source's files held, per capped kind
    skipped: Counter[str] = field(default_factory=Counter)  # items skipped for a bad value, per reason
    chars_kept: int = 0  # characters of the texts, names and rows this source keeps (all parts)
    checks: int = 0
    _files: dict[tuple[Platform, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Earlier parts of the same export count towards the caps (one source, several zips); the file index
        makes recording a data file O(1) instead of a scan of every file recorded so far."""
        profile, platform = self.profile, self.platform
        self._files = {(f.platform, f.name): i for i, f in enumerate(profile.files)}
        mine = {i for i, f in enumerate(profile.files) if f.platform == platform}
        self.kept.update(_cap_key_of_text(t.kind) for t in profile.texts if t.platform == platform)
        self.kept.update(_NAME_LABELS[n.kind] for n in profile.names if n.platform == platform)
        self.kept["photos"] += sum(1 for m in profile.media if m.platform == platform)
        for key, items in (
            ("skills", profile.skills if platform == Platform.LINKEDIN else []),
            ("schools", [e for e in profile.education if e.src in mine]),
            ("positions", [p for p in profile.positions if p.src in mine]),
            ("birth dates", [b for b in profile.birth_dates if b.src in mine]),
        ):
            self.kept[key] += len(items)
        self.offered.update(self.kept)
        self.chars_kept = sum(len(t.text) for t in profile.texts if t.platform == platform)
        self.chars_kept += sum(len(n.name) for n in profile.names if n.platform == platform)
        self.chars_kept += sum(map(len, profile.skills)) if platform == Platform.LINKEDIN else 0
        rows: list[Education | Position] = [*profile.education, *profile.positions]
        for row in rows:
            if row.src in mine:
                self.chars_kept += sum(len(v) for v in row.model_dump().values() if isinstance(v, str))

    # ------------------------------------------------------------------------------------------ bookkeeping
    def src(self, member: str) -> int:
        key = (self.platform, self.archive.relative(member))
        index = self._files.get(key)
        if index is None:  # not Profile.add_file: it scans every file recorded so far
            self.profile.files.append(SourceFile(platform=key[0], name=key[1]))
            index = self._files[key] = len(self.profile.files) - 1
        return index

    def warn(self, message: str) -> None:
        self.warnings[message] += 1

    def check_time(self) -> None:
        """Raise SourceTimeout when the source's time is spent (checked every few items, cheap)."""
        self.checks += 1
        if self.deadline is not None and self.deadline():
            raise SourceTimeout

    def _admit(self, key: str, cap: int) -> bool:
        """Count one item of a capped kind; True while the source keeps fewer than `cap` of that kind."""
        if self.offered[key] & 0xFF == 0:
            self.check_time()
        self.offered[key] += 1
        if self.kept[key] >= cap:
            return False
        self.kept[key] += 1
        return True

    def _spend(self, key: str, chars: int) -> bool:
        """Charge an admitted item's characters to the source's budget; over it, the item is not kept after all
        (its kind shows "cap reached", the reason is counted)."""
        if self.chars_kept + chars > self.limits.max_chars_per_source:
            self.kept[key] -= 1
            self.skipped[
                f"item(s) not kept: the source's {self.limits.max_chars_per_source:,} characters are used"
            ] += 1
            return False
        self.chars_kept += chars
        return True

    def _field(self, value: str) -> str:
        if len(value) > self.limits.max_field_chars:
            self.skipped["name(s) or field(s) cut to their first characters: too long"] += 1
            return value[: self.limits.max_field_chars]
        return value

    def skip_item(self, what: str, why: str) -> None:
        """An item with a bad value is skipped alone; the count goes on the report."""
        self.skipped[f"{what} skipped: {why}"] += 1

    def cap_warnings(self) -> list[str]:
        """'cap reached: first N of M <kind> kept' for every kind over its cap, and the skipped-item counts."""
        notes = [
            f"cap reached: first {self.kept[key]} of {self.offered[key]} {key} kept"
            for key in sorted(self.offered)
            if self.offered[key] > self.kept[key]
        ]
        return notes + [f"{count} {why}" for why, count in sorted(self.skipped.items())]

    # ----------------------------------------------------------------------------------------- adding items
    def add_text(
        self, kind: TextKind, text: str, timestamp: int | None, src: int, likes: int | None = None
    ) -> None:
        key = _cap_key_of_text(kind)
        if not self._admit(key, self.limits.max_texts_per_kind):
            return
        if len(text) > self.limits.max_text_chars:
            text = text[: self.limits.max_text_chars]
            self.skipped["text(s) cut to their first characters: too long"] += 1
        if not self._spend(key, len(text)):
            return
        self.profile.texts.append(
            TextItem(platform=self.platform, kind=kind, text=text, timestamp=timestamp, likes=likes, src=src)
        )

    def add_name(self, kind: NameKind, name: str, src: int) -> None:
        key = _NAME_LABELS[kind]
        if not self._admit(key, self.limits.max_names_per_kind):
            return
        name = self._field(name)
        if self._spend(key, len(name)):
            self.profile.names.append(NamedEntity(platform=self.platform, kind=kind, name=name, src=src))

    def add_row(self, item: Education | Position | BirthDate) -> None:
        key = {Education: "schools", Position: "positions", BirthDate: "birth dates"}[type(item)]
        if not self._admit(key, self.limits.max_rows_per_kind):
            return
        texts = {k: self._field(v) for k, v in item.model_dump().items() if isinstance(v, str)}
        if texts:
            item = item.model_copy(update=texts)
        if not self._spend(key, sum(map(len, texts.values()))):
            return
        if isinstance(item, Education):
            self.profile.education.append(item)
        elif isinstance(item, Position):
            self.profile.positions.append(item)
        else:
            self.profile.birth_dates.append(item)

    def add_skill(self, skill: str) -> None:
        if not self._admit("skills", self.limits.max_rows_per_kind):
            return
        skill = self._field(skill)
        if self._spend("skills", len(skill)):
            self.profile.skills.append(skill)

    # ---------------------------------------------------------------------------------------------- reading
    def read_bytes(self, member: str) -> bytes | None:
        self.check_time()
        try:
            data = self.archive.read(member)
        except MemberError as exc:
            self.failures.append((exc.code, str(exc)))
            self.warn(f"{_kind(member)} skipped: {exc}")
            return None
        return data

    def read_text(self, member: str, *, utf16: bool = False) -> str | None:
        """The member as UTF-8 text (a BOM is fine). With `utf16`, text that starts with a UTF-16 BOM (FF FE or
        FE FF, never the start of UTF-8) is read as UTF-16: a spreadsheet's "Unicode text" re-save of a CSV. The
        text is bounded like any other: at most one character per two of the member's bytes, themselves capped."""
        data = self.read_bytes(member)
        if data is None:
            return None
        codec, encoding = (
            ("utf-16", "UTF-16")
            if utf16 and data[:2] in (b"\xff\xfe", b"\xfe\xff")
            else ("utf-8-sig", "UTF-8")
        )
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            self.failures.append(("invalid_utf8", f"a file is not valid {encoding} text"))
            self.warn(f"{_kind(member)} skipped: not valid {encoding} text")
            return None

    def read_json(self, member: str, *, mojibake: bool = False, javascript: bool = False) -> Any | None:
        """Decoded JSON (None with a recorded failure when unreadable). `javascript` strips an X
        'window.YTD.x.part0 = ' prefix; the code is never evaluated. A file too big to decode whole within the
        heap budget comes back with its long lists cut (warned, counts kept: see `jsondecode`)."""
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
            decoded = decode_bounded(
                repair_json_text(text, self.check_time) if mojibake else text,
                self.limits.json_decode_budget,
                max(self.limits.max_texts_per_kind, self.limits.max_names_per_kind),
                self.check_time,
            )
        except (ValueError, RecursionError):
            self.failures.append(("invalid_json", "a data file is not valid JSON"))
            self.warn(f"{_kind(member)} skipped: not valid JSON")
            return None
        if decoded.cut_lists:
            self.warn(
                f"{_kind(member)}: too large to decode whole; its lists were cut to their first items"
                f" (longest held {decoded.largest_cut})"
            )
        return decoded.value

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
        if not self._admit("photos", self.limits.max_photos_per_source):
            return
        self.profile.media.append(
            MediaRef(
                platform=self.platform,
                archive=self.archive_key,
                member=member,
                timestamp=timestamp,
                src=src,
                offset=self.archive.offset(member),
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
