"""The normalized applicant profile: what every parser produces and every analysis reads.

One profile per application, merged from all sources. Versioned (`schema_version`) and documented as JSON Schema in
`schemas/profile.schema.json` (generated from these models; a test keeps the two in step).

Only what scoring needs is kept: no messages, no contact lists, no IP logs. Every item carries `src`, an index into
`Profile.files`, so each number in a score can be traced back to the export member it came from.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PROFILE_SCHEMA_VERSION: Literal["1.0"] = "1.0"


class Platform(StrEnum):
    FACEBOOK = "facebook"
    LINKEDIN = "linkedin"
    X = "x"
    INSTAGRAM = "instagram"


class SourceStatus(StrEnum):
    PARSED = "parsed"  # the export was read (possibly with some files skipped, see `warnings`)
    REJECTED = "rejected"  # the upload could not be used; `reason` says why
    ABSENT = "absent"  # declared but never arrived, or not declared
    UNAVAILABLE = "unavailable"  # fetched by handle but the platform refused (suspended, protected, unknown)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class SourceFile(_Model):
    """One export member (or API call) that contributed items."""

    platform: Platform
    name: str = Field(description="member path inside the archive, or 'api:<endpoint>' for fetched data")


class SourceReport(_Model):
    platform: Platform
    status: SourceStatus
    reason_code: str | None = Field(
        default=None,
        description="machine-readable reason when not parsed; 'cap_reached' on a parsed source that hit a cap",
    )
    reason: str | None = Field(
        default=None, description="human-readable reason when not parsed, or which caps a parsed source hit"
    )
    layout: str | None = Field(
        default=None, description="detected export layout/generation, e.g. 'facebook-B'"
    )
    archive_sha256: list[str] = Field(
        default_factory=list, description="hash of each uploaded archive (audit)"
    )
    warnings: list[str] = Field(
        default_factory=list, description="files skipped, with why (no personal text)"
    )


class BirthDate(_Model):
    year: int
    month: int | None = None
    day: int | None = None
    src: int


class Education(_Model):
    school: str | None = None
    degree: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    graduated: bool | None = None
    src: int


class Position(_Model):
    company: str | None = None
    title: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    src: int


TextKind = Literal["post", "comment", "tweet", "reply", "retweet", "caption"]


class TextItem(_Model):
    """Something the applicant wrote themself."""

    platform: Platform
    kind: TextKind
    text: str
    timestamp: int | None = Field(default=None, description="Unix seconds UTC; None when unknown")
    likes: int | None = Field(default=None, description="likes/favourites received, when the export has them")
    src: int


class MediaRef(_Model):
    """A photo the applicant posted, addressed inside its archive so it can be read later by ranged reads."""

    platform: Platform
    archive: str = Field(description="object key of the uploaded archive holding the photo")
    member: str = Field(description="member path inside the archive")
    timestamp: int | None = None
    src: int
    offset: int | None = Field(
        default=None,
        description="where the member starts in its archive (bytes): photos are batched and read in this order, "
        "so neighbours come in one ranged read",
    )


class Account(_Model):
    """Per-platform counts. None means the export did not say, which is different from zero."""

    platform: Platform
    created_at: int | None = Field(default=None, description="account registration, Unix seconds UTC")
    friends: int | None = None
    followers: int | None = None
    following: int | None = None
    connections: int | None = None
    invitations_received: int | None = None
    reactions_given: int | None = None
    posts_total: int | None = Field(
        default=None, description="lifetime post count when the platform reports it"
    )
    likes_received_total: int | None = None
    src: int


NameKind = Literal["group", "page", "following"]


class NamedEntity(_Model):
    """Name of a group joined, page liked or account followed (input to the profanity analysis)."""

    platform: Platform
    kind: NameKind
    name: str
    src: int


class Profile(_Model):
    schema_version: Literal["1.0"] = PROFILE_SCHEMA_VERSION
    application_id: str
    sources: list[SourceReport] = Field(default_factory=list)
    files: list[SourceFile] = Field(default_factory=list)
    birth_dates: list[BirthDate] = Field(default_factory=list)
    education: list[Education] = Field(default_factory=list)
    positions: list[Position] = Field(default_factory=list)
    accounts: list[Account] = Field(default_factory=list)
    skills: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list)
    texts: list[TextItem] = Field(default_factory=list)
    names: list[NamedEntity] = Field(default_factory=list)
    media: list[MediaRef] = Field(default_factory=list)

    def source(self, platform: Platform) -> SourceReport | None:
        return next((s for s in self.sources if s.platform == platform), None)

    def parsed_platforms(self) -> list[Platform]:
        return [s.platform for s in self.sources if s.status == SourceStatus.PARSED]

    def add_file(self, platform: Platform, name: str) -> int:
        """Register a contributing file once and return its index for `src`."""
        for i, f in enumerate(self.files):
            if f.platform == platform and f.name == name:
                return i
        self.files.append(SourceFile(platform=platform, name=name))
        return len(self.files) - 1


def profile_json_schema() -> dict[str, object]:
    """The documented schema (src/credscore/schemas/profile.schema.json is this, written by `make schemas`)."""
    schema = Profile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://credscore.example/schemas/profile-{PROFILE_SCHEMA_VERSION}.json"
    return schema
