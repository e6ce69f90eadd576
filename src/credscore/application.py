"""An application's id, lifecycle and the layout of its objects in the bucket (pure: no AWS).

The one home of the id's form and of every key the pipeline reads or writes; template.yaml grants and expires
by the same prefixes (tests/unit/test_application.py holds the two together)."""

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


# An application id is a uuid4 in 32 lower-case hex digits: REGEX to embed in a larger pattern, PATTERN for a
# whole value (a JSON Schema / OpenAPI `pattern`).
APPLICATION_ID_REGEX = "[0-9a-f]{32}"
APPLICATION_ID_PATTERN = f"^{APPLICATION_ID_REGEX}$"

# The data bucket: partners' uploads, and what the pipeline writes while it works (the profile, the photo
# batches, shadow comparisons). Both are deleted by the pipeline and expire by lifecycle rule as a backstop.
UPLOADS_PREFIX = "uploads/"
WORK_PREFIX = "work/"
SHADOW_PREFIX = f"{WORK_PREFIX}shadow/"  # not an application's folder: "shadow" is no application id

_APP_ID = re.compile(APPLICATION_ID_PATTERN)
_PLATFORMS = "|".join(p.value for p in Platform)
_UPLOAD_KEY = re.compile(
    rf"^{UPLOADS_PREFIX}(?P<app>{APPLICATION_ID_REGEX})/(?P<platform>{_PLATFORMS})/part-(?P<part>\d{{1,2}})\.zip$"
)


def new_application_id() -> str:
    return uuid.uuid4().hex


def is_application_id(value: str) -> bool:
    return bool(_APP_ID.match(value))


def upload_prefix(application_id: str) -> str:
    return f"{UPLOADS_PREFIX}{application_id}/"


def work_prefix(application_id: str) -> str:
    return f"{WORK_PREFIX}{application_id}/"


def upload_key(application_id: str, platform: Platform, part: int) -> str:
    return f"{upload_prefix(application_id)}{platform.value}/part-{part}.zip"


def profile_key(application_id: str) -> str:
    """The profile the Ingest step builds and the analyses and Score read."""
    return f"{work_prefix(application_id)}profile.json"


def image_batch_key(application_id: str, index: int) -> str:
    """One batch of photo references for the image analysis' Map state."""
    return f"{work_prefix(application_id)}images/batch-{index:04d}.json"


def analysis_prefix(application_id: str) -> str:
    return f"{work_prefix(application_id)}analysis/"


def analysis_key(application_id: str, name: str) -> str:
    """An analysis branch's result ('text', 'profanity', 'images/batch-0003'), which Score reads: kept out of the
    state machine's history (90 days, beyond an erasure's reach) and purged with the work files."""
    return f"{analysis_prefix(application_id)}{name}.json"


def shadow_job_prefix(job_id: str) -> str:
    """Everything one shadow comparison writes (its rows and report)."""
    return f"{SHADOW_PREFIX}{job_id}/"


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
    ref = UploadRef(match["app"], Platform(match["platform"]), part)
    # Exactly a key we hand out: 'part-01', a non-ASCII digit or a final newline also read as part 1, and the
    # Ingest step, opening part-1.zip, failed the application on a 404.
    return ref if upload_key(ref.application_id, ref.platform, ref.part) == key else None


def expected_parts(declared: dict[str, int]) -> set[str]:
    """Every upload an application waits for, from its declared sources {platform: number of parts}."""
    return {part_name(Platform(p), i) for p, n in declared.items() for i in range(1, n + 1)}
