"""The normalized profile's JSON Schema in the repository is the one the models define, and real profiles
produced by the parsers validate against it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile, profile_json_schema

SCHEMA = Path(__file__).resolve().parents[2] / "src" / "credscore" / "schemas" / "profile.schema.json"
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_committed_schema_is_current() -> None:
    assert json.loads(SCHEMA.read_text()) == profile_json_schema(), "run `make schemas`"


def test_parsed_samples_validate_against_the_schema() -> None:
    profile = Profile(application_id="sample")
    for platform in Platform:
        with (SAMPLES / f"{platform.value}.zip").open("rb") as fh:
            ingest_archive(profile, platform, fh, f"{platform.value}.zip")
    document = json.loads(profile.model_dump_json())
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    assert document["texts"]
    assert document["names"]
    bad = {**document, "texts": [{**document["texts"][0], "likes": "many"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json.loads(SCHEMA.read_text()))
