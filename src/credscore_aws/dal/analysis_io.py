"""Inputs shared by the analysis branches and the score: the request shape and reading the profile they use.

The profile is streamed from S3 and only the sections a function needs are kept, with caps
(`credscore.bounded_profile`), so no function's memory grows with the size of the profile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel

from credscore.bounded_profile import TextInput, load_for_score, load_for_text, load_names
from credscore.evidence import Cap
from credscore.profile import Profile
from credscore_aws.dal.storage import s3_client
from credscore_aws.settings import settings


class AnalysisRequest(BaseModel):
    application_id: str
    profile: str  # key of the profile written by ingest


@contextmanager
def object_reader(key: str) -> Iterator[Callable[[int], bytes]]:
    """`read(n)` over an S3 object's body, read as it is consumed (never the whole object at once)."""
    body: Any = s3_client().get_object(Bucket=settings().bucket_name, Key=key)["Body"]
    try:
        yield body.read
    finally:
        body.close()


def text_input(request: AnalysisRequest) -> TextInput:
    with object_reader(request.profile) as read:
        return load_for_text(read)


def names_input(request: AnalysisRequest) -> tuple[Profile, list[Cap]]:
    with object_reader(request.profile) as read:
        return load_names(read)


def score_input(request: AnalysisRequest) -> tuple[Profile, list[str]]:
    with object_reader(request.profile) as read:
        return load_for_score(read)
