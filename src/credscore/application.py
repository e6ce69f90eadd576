"""An application's lifecycle and the layout of its objects in the bucket (pure: no AWS)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

from credscore.profile import Platform

MAX_PARTS_PER_SOURCE = 10


class Status(StrEnum):
    COLLECTING = "collecting"  # waiting for the declared uploads
    PROCESSING = "processing"  # claimed by exactly one state machine execution
    SCORED = "scored"
    FAILED = "failed"
    ERASED = "erased"


def new_application_id() -> str:
    return uuid.uuid4().hex


APPLICATION_ID_PATTERN = r"^[0-9a-f]{32}$"  # the API documents and checks ids with this
_APP_ID = re.compile(r"^[0-9a-f]{32}$")
_UPLOAD_KEY = re.compile(
    r"^uploads/(?P<app>[0-9a-f]{32})/(?P<platform>facebook|linkedin|instagram|x)/part-(?P<part>\d{1,2})\.zip$"
)


def is_application_id(value: str) -> bool:
    return bool(_APP_ID.match(value))


def upload_prefix(application_id: str) -> str:
    return f"uploads/{application_id}/"


def work_prefix(application_id: str) -> str:
    return f"work/{application_id}/"


def upload_key(application_id: str, platform: Platform, part: int) -> str:
    return f"{upload_prefix(application_id)}{platform.value}/part-{part}.zip"


def part_name(platform: Platform, part: int) -> str:
    """How a received upload is recorded on the application, e.g. 'facebook/1'."""
    return f"{platform.value}/{part}"


@dataclass(frozen=True)
class UploadRef:
    application_id: str
    platform: Platform
    part: int

    @property
    def name(self) -> str:
        return part_name(self.platform, self.part)


def parse_upload_key(key: str) -> UploadRef | None:
    """The application, platform and part an object key belongs to, or None for keys we did not hand out."""
    match = _UPLOAD_KEY.match(key)
    if match is None:
        return None
    part = int(match["part"])
    if not 1 <= part <= MAX_PARTS_PER_SOURCE:
        return None
    return UploadRef(match["app"], Platform(match["platform"]), part)


def expected_parts(declared: dict[str, int]) -> set[str]:
    """Every upload an application waits for, from its declared sources {platform: number of parts}."""
    return {part_name(Platform(p), i) for p, n in declared.items() for i in range(1, n + 1)}
