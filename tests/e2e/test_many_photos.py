"""An applicant with 500 photos: the image branch fans out through the Map state in batches and completes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from credscore.synth import make_export
from credscore_local.client import upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_five_hundred_photos_fan_out_in_batches_and_complete(
    stack: Any, partner: Any, tmp_path: Path
) -> None:
    export = tmp_path / "facebook.zip"
    make_export("facebook", export, seed=5, layout="B", posts=500, photos=500, birth_year=1990)
    created = partner.create_application({"facebook": 1})
    upload(created["uploads"][0], export)
    state = partner.wait(created["application_id"], timeout=600)
    assert state["status"] == "scored", state
    result = partner.result(created["application_id"])["result"]
    assert result["analysis_failures"] == []
    images = next(f for f in result["breakdown"] if f["feature"] == "images")
    assert images["has_evidence"]

    ingest_env = stack.deployed.functions["IngestFunction"].environment
    batch_size, concurrency = int(ingest_env["IMAGE_BATCH_SIZE"]), int(ingest_env["IMAGE_MAP_CONCURRENCY"])
    pool = stack.pool("AnalyzeImagesFunction")
    fewest = -(-500 // batch_size)
    # One invocation per batch, none with more photos than the batch size, in full waves of the Map.
    assert pool.invocations == -(-fewest // concurrency) * concurrency
    scoring = next(
        e
        for e in stack.wait_for_executions()
        if created["application_id"] in (e.get("output") or "") and '"scored"' in e["output"]
    )
    assert len(json.dumps(json.loads(scoring["input"]))) < 256 * 1024
