"""Bounded views of a profile document for the analyses and the score, read as a stream.

Ingest caps what it writes, but each function defends itself too (a profile written by an earlier version, a
cap raised by configuration): it reads only the sections it needs, one item at a time (`json_stream`), and
keeps at most a fixed number of items per group, so its memory does not grow with the profile. What a cap
leaves out is counted and reported (`Cap`, reason `cap_reached`); where only a count is needed (activity,
likes, the earliest date) the capped items still count.

The caps leave room under each function's MemorySize (text 1 GB, profanity and score 512 MB) with the
interpreter and libraries loaded, and keep the work inside the function's timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from credscore.analysis.sentiment import POST_KINDS
from credscore.evidence import Cap, TextAnalysis
from credscore.json_stream import iter_members
from credscore.profile import (
    Account,
    BirthDate,
    Education,
    MediaRef,
    NamedEntity,
    Platform,
    Position,
    Profile,
    SourceFile,
    SourceReport,
    TextItem,
)

Read = Callable[[int], bytes]

# Texts per (platform, kind) analysed for sentiment: a sample large enough for stable shares, and VADER's
# time (~0.1 ms a short text) stays well inside the text function's timeout.
TEXTS_PER_GROUP = 20_000
TEXT_CHARS_PER_GROUP = 2_000_000
# Names per kind (group, page, following) checked for profanity.
NAMES_PER_KIND = 20_000
NAME_CHARS_PER_KIND = 1_000_000
# Sections that hold a handful of items in any real export (accounts, birth dates, education, positions).
SMALL_SECTION_ITEMS = 1_000
SKILLS_KEPT = 5_000
WARNINGS_PER_SOURCE = 50
FILES_KEPT = 500_000

_LIST_FIELDS = frozenset(
    {
        "sources",
        "files",
        "birth_dates",
        "education",
        "positions",
        "accounts",
        "skills",
        "texts",
        "names",
        "media",
    }
)


@dataclass
class _Group:
    kept: int = 0
    chars: int = 0
    capped: int = 0

    def admit(self, size: int, max_items: int, max_chars: int) -> bool:
        """First come, first kept: once the group is full, every later item is capped."""
        if not self.capped and self.kept < max_items and self.chars + size <= max_chars:
            self.kept += 1
            self.chars += size
            return True
        self.capped += 1
        return False


@dataclass
class _Overflow:
    """What the capped texts of one platform still contribute."""

    texts: int = 0
    posts_with_likes: int = 0
    likes: int = 0


@dataclass
class TextInput:
    """The profile as the text analysis sees it, and what its caps left out."""

    profile: Profile
    caps: list[Cap] = field(default_factory=list)
    overflow: dict[Platform, _Overflow] = field(default_factory=dict)

    def complete(self, analysis: TextAnalysis) -> TextAnalysis:
        """The analysis of the kept texts, with the capped texts' activity and likes added and the caps
        reported. (Their dates are already in the profile: see `load_for_text`.)"""
        for platform_text in analysis.platforms:
            extra = self.overflow.get(platform_text.platform)
            if extra is not None:
                platform_text.activities += extra.texts
                platform_text.own_posts_with_likes += extra.posts_with_likes
                platform_text.likes_on_own_posts += extra.likes
        analysis.caps = [*analysis.caps, *self.caps]
        return analysis


def load_for_text(read: Read) -> TextInput:
    """Accounts, texts (at most `TEXTS_PER_GROUP` per platform and kind) and the earliest photo date per
    platform. The earliest date of the capped texts is folded into that photo date, so the activity span the
    analysis computes is the whole profile's."""
    application_id = ""
    accounts: list[Account] = []
    texts: list[TextItem] = []
    groups: dict[tuple[Platform, str], _Group] = {}
    overflow: dict[Platform, _Overflow] = {}
    earliest: dict[Platform, int] = {}

    def note_date(platform: Platform, timestamp: int | None) -> None:
        if timestamp is not None and (platform not in earliest or timestamp < earliest[platform]):
            earliest[platform] = timestamp

    for key, value in iter_members(read, _LIST_FIELDS):
        if key == "application_id":
            application_id = str(value)
        elif key == "accounts":
            if len(accounts) < SMALL_SECTION_ITEMS:
                accounts.append(Account.model_validate(value))
        elif key == "texts":
            # The group comes from the raw item: only kept items pay for a model (1.4 M would take seconds).
            group = groups.setdefault((Platform(value["platform"]), str(value["kind"])), _Group())
            text = value.get("text")
            if group.admit(len(text) if isinstance(text, str) else 0, TEXTS_PER_GROUP, TEXT_CHARS_PER_GROUP):
                texts.append(TextItem.model_validate(value))
                continue
            platform = Platform(value["platform"])
            extra = overflow.setdefault(platform, _Overflow())
            extra.texts += 1
            likes, timestamp = value.get("likes"), value.get("timestamp")
            if value["kind"] in POST_KINDS and isinstance(likes, int):
                extra.posts_with_likes += 1
                extra.likes += likes
            note_date(platform, timestamp if isinstance(timestamp, int) else None)
        elif key == "media":
            timestamp = value.get("timestamp")
            note_date(Platform(value["platform"]), timestamp if isinstance(timestamp, int) else None)
    media = [
        MediaRef(platform=platform, archive="", member="", timestamp=timestamp, src=0)
        for platform, timestamp in earliest.items()
    ]
    caps = [
        Cap(items="texts", platform=platform, kind=kind, analysed=group.kept, capped=group.capped)
        for (platform, kind), group in groups.items()
        if group.capped
    ]
    profile = Profile.model_construct(
        application_id=application_id, accounts=accounts, texts=texts, media=media
    )
    return TextInput(profile=profile, caps=caps, overflow=overflow)


def load_names(read: Read) -> tuple[Profile, list[Cap]]:
    """The group, page and followed-account names, at most `NAMES_PER_KIND` of each kind."""
    application_id = ""
    names: list[NamedEntity] = []
    groups: dict[str, _Group] = {}
    for key, value in iter_members(read, _LIST_FIELDS):
        if key == "application_id":
            application_id = str(value)
        elif key == "names":
            name = value.get("name")
            group = groups.setdefault(str(value["kind"]), _Group())
            if group.admit(len(name) if isinstance(name, str) else 0, NAMES_PER_KIND, NAME_CHARS_PER_KIND):
                names.append(NamedEntity.model_validate(value))
    caps = [
        Cap(items="names", kind=kind, analysed=group.kept, capped=group.capped)
        for kind, group in groups.items()
        if group.capped
    ]
    return Profile.model_construct(application_id=application_id, names=names), caps


_UNREAD_FILE = SourceFile(platform=Platform.FACEBOOK, name="(not referenced by a scored fact)")


def load_for_score(read: Read) -> tuple[Profile, list[str]]:
    """Everything the score's features read: sources, the facts (birth dates, education, positions,
    accounts, skills) and the names of the files those facts come from. Texts, names and photos are not
    read (the analyses summarised them). Returns the profile and notes of what a cap left out."""
    fields: dict[str, Any] = {"application_id": ""}
    small: dict[str, list[Any]] = {"birth_dates": [], "education": [], "positions": [], "accounts": []}
    models: dict[str, Any] = {
        "birth_dates": BirthDate,
        "education": Education,
        "positions": Position,
        "accounts": Account,
    }
    sources: list[SourceReport] = []
    skills: list[str] = []
    files: list[str] = []  # "platform name" (no objects: a profile can name hundreds of thousands of files)
    dropped: dict[str, int] = {}
    for key, value in iter_members(read, _LIST_FIELDS):
        if key in small:
            if len(small[key]) < SMALL_SECTION_ITEMS:
                small[key].append(models[key].model_validate(value))
            else:
                dropped[key] = dropped.get(key, 0) + 1
        elif key == "skills":
            if len(skills) < SKILLS_KEPT and isinstance(value, str) and len(value) <= 200:
                skills.append(value)
            else:
                dropped[key] = dropped.get(key, 0) + 1
        elif key == "files":
            if len(files) < FILES_KEPT:
                files.append(f"{value['platform']} {value['name']}")
            else:
                dropped[key] = dropped.get(key, 0) + 1
        elif key == "sources":
            if isinstance(value.get("warnings"), list) and len(value["warnings"]) > WARNINGS_PER_SOURCE:
                value["warnings"] = value["warnings"][:WARNINGS_PER_SOURCE]
            sources.append(SourceReport.model_validate(value))
        elif key in ("application_id", "schema_version"):
            fields[key] = value
    referenced = {item.src for items in small.values() for item in items}
    source_files = [_UNREAD_FILE] * len(files)  # one shared placeholder: a pointer per file
    for src in referenced:
        if 0 <= src < len(files):
            platform, name = files[src].split(" ", 1)
            source_files[src] = SourceFile(platform=Platform(platform), name=name)
    profile = Profile.model_construct(
        application_id=fields["application_id"],
        sources=sources,
        files=source_files,
        skills=skills,
        birth_dates=small["birth_dates"],
        education=small["education"],
        positions=small["positions"],
        accounts=small["accounts"],
    )
    notes = [f"{count} {section} beyond the cap were not read" for section, count in sorted(dropped.items())]
    return profile, notes
