"""The photo cap on the local stack (issue 13.5): with MaxPhotosPerApplication set small through the template's
parameter, an applicant with more photos gets a deterministic sample analysed, the source says so (cap_reached),
and every state's payload stays small (pointers and counts, never data)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credscore.synth import make_export
from credscore_local.client import upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CAP, FOUND, BATCH = 10, 60, 2


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from credscore_local.stack import LocalStack

    overrides = {"MaxPhotosPerApplication": CAP, "ImageBatchSize": BATCH}
    with LocalStack(parameter_overrides=overrides, log_dir=tmp_path_factory.mktemp("lambda-logs")) as running:
        yield running


def _state_outputs(stack: Any, execution_arn: str) -> dict[str, list[str]]:
    """Every state's output in the execution's history, by state name (a Map iteration's once per iteration)."""
    sfn = stack.client("stepfunctions")
    events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    outputs: dict[str, list[str]] = {}
    for event in events:
        details = event.get("stateExitedEventDetails")
        if details:
            outputs.setdefault(details["name"], []).append(details.get("output") or "")
    return outputs


def test_photos_over_the_cap_are_sampled_reported_and_payloads_stay_small(
    stack: Any, partner: Any, tmp_path: Path
) -> None:
    export = tmp_path / "facebook.zip"
    make_export("facebook", export, seed=9, layout="B", posts=80, photos=FOUND, birth_year=1990)
    created = partner.create_application({"facebook": 1})
    upload(created["uploads"][0], export)
    state = partner.wait(created["application_id"], timeout=600)
    assert state["status"] == "scored", state
    (source,) = state["sources"]
    assert source["status"] == "parsed"
    assert source["reason_code"] == "cap_reached"
    assert f"cap reached: {CAP} of {FOUND} photos analysed" in source["reason"]

    # The environment the template gives the function carries the parameter.
    assert stack.deployed.functions["IngestFunction"].environment["MAX_PHOTOS_PER_APPLICATION"] == str(CAP)
    execution = stack.scoring_execution(created["application_id"])
    assert execution is not None
    outputs = _state_outputs(stack, execution["executionArn"])
    ingest = json.loads(outputs["Ingest"][0])["ingest"]
    assert set(ingest) == {"profile", "image_batches", "image_concurrency"}  # the counts are on the record
    assert len(ingest["image_batches"]) == CAP // BATCH
    assert all(key.startswith("work/") for key in ingest["image_batches"])  # pointers to S3, not photos
    assert stack.pool("AnalyzeImagesFunction").invocations == CAP // BATCH
    batches = json.loads(outputs["AnalyzeImageBatches"][0])
    assert [b["status"] for b in batches] == ["stored"] * (CAP // BATCH)  # results in S3, purged once scored
    coverage = partner.result(created["application_id"])["result"]["analysis_coverage"]["images"]
    assert coverage["analysed"] + coverage["not_analysed"] == CAP
    # Every state's input/output: far below Step Functions' 256 KiB, whatever the export held.
    assert max(len(o) for outs in outputs.values() for o in outs) < 32 * 1024
    assert len(json.dumps(json.loads(execution["input"]))) < 32 * 1024
