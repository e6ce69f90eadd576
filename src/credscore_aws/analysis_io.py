"""Inputs shared by the analysis branches: the request shape and loading the profile they analyse."""

from __future__ import annotations

from pydantic import BaseModel

from credscore.profile import Profile
from credscore_aws.runtime import bucket_name
from credscore_aws.storage import get_text


class AnalysisRequest(BaseModel):
    application_id: str
    profile: str  # key of the profile written by ingest


def load_profile(request: AnalysisRequest) -> Profile:
    return Profile.model_validate_json(get_text(bucket_name(), request.profile))
