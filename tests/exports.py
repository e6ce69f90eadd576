"""Exports and checks several test suites share: the small two-platform applicant and "no raw data left"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from credscore.application import upload_prefix, work_prefix
from credscore.synth import make_export

SMALL_LINKEDIN: dict[str, Any] = {"connections": 420, "skills": 12}
SMALL_FACEBOOK: dict[str, Any] = {
    "posts": 40,
    "comments": 30,
    "friends": 300,
    "groups": 8,
    "pages": 10,
    "photos": 3,
    "birth_year": 1991,
}


def small_applicant(folder: Path, layout: str = "B") -> dict[str, Path]:
    """A LinkedIn and a Facebook export (fixed seeds) of a small, ordinary applicant."""
    paths = {"linkedin": folder / "linkedin.zip", "facebook": folder / "facebook.zip"}
    make_export("linkedin", paths["linkedin"], seed=1, **SMALL_LINKEDIN)
    make_export("facebook", paths["facebook"], seed=2, layout=layout, **SMALL_FACEBOOK)
    return paths


def assert_no_raw_data_left(stack: Any, application_id: str) -> None:
    """Neither the uploaded exports nor the work files (profile, photo batches) of the application remain."""
    s3 = stack.client("s3")
    for prefix in (upload_prefix(application_id), work_prefix(application_id)):
        assert s3.list_objects_v2(Bucket=stack.deployed.bucket, Prefix=prefix).get("KeyCount", 0) == 0, prefix
