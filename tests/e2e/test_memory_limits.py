"""Every function that reads the profile stays under its MemorySize whatever the profile's size, on the local
stack that enforces MemorySize as Lambda does; and a function that passes its MemorySize fails the way Lambda
reports it, which the state machine's Catch turns into a recorded analysis failure.

The huge profile is the one of issue 13 (1.4 million tiny posts, which took each of these functions past
2 GB), plus hundreds of thousands of names, files and photos.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest

from credscore_local.client import upload
from tests.analysis.conftest import encode, noise
from tests.analysis.test_image_bombs import crafted_png
from tests.stack_items import set_status

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LINKEDIN = Path(__file__).resolve().parents[2] / "samples" / "linkedin.zip"
TEXTS, NAMES, FILES, MEDIA = 1_400_000, 300_000, 200_000, 100_000


def _huge_profile(application_id: str) -> bytes:
    """A profile as ingest writes it (compact JSON), built as text: 180 MB, 2 million items."""
    parts = [
        f'{{"schema_version":"1.0","application_id":"{application_id}",'
        '"sources":[{"platform":"facebook","status":"parsed","warnings":[]}],"files":[',
        ",".join(f'{{"platform":"facebook","name":"posts/your_posts_{i}.json"}}' for i in range(FILES)),
        '],"birth_dates":[{"year":1990,"month":1,"day":2,"src":0}],"education":[],"positions":[],'
        '"accounts":[{"platform":"facebook","friends":300,"created_at":1400000000,"src":1}],"skills":[],"texts":[',
        ",".join(
            f'{{"platform":"facebook","kind":"post","text":"nice day {i % 5000}","timestamp":{1500000000 + i},'
            f'"likes":1,"src":2}}'
            for i in range(TEXTS)
        ),
        '],"names":[',
        ",".join(
            f'{{"platform":"facebook","kind":"group","name":"group {i}","src":3}}' for i in range(NAMES)
        ),
        '],"media":[',
        ",".join(
            f'{{"platform":"facebook","archive":"uploads/{application_id}/facebook/part-1.zip",'
            f'"member":"photos/{i}.jpg","timestamp":{1450000000 + i},"src":4}}'
            for i in range(MEDIA)
        ),
        "]}",
    ]
    return "".join(parts).encode()


@pytest.fixture(scope="module")
def huge(stack: Any, partner: Any) -> dict[str, str]:
    created = partner.create_application({"facebook": 1})
    application_id = created["application_id"]
    key = f"work/{application_id}/profile.json"
    stack.client("s3").put_object(Bucket=stack.deployed.bucket, Key=key, Body=_huge_profile(application_id))
    return {"application_id": application_id, "profile": key}


def _invoke_within_memory(stack: Any, function: str, event: dict[str, Any]) -> dict[str, Any]:
    pool = stack.pool(function)
    result: dict[str, Any] = stack.invoke(function, event)  # raises on Runtime.OutOfMemory
    stats = pool.stats[-1]
    assert stats.outcome == "ok"
    assert stats.max_memory_used_mb is not None
    assert stats.max_memory_used_mb < pool.spec.memory_mb, stats
    if result.get("status") == "stored":  # an analysis: its result is in S3, where Score reads it
        stored = stack.client("s3").get_object(Bucket=stack.deployed.bucket, Key=result["key"])
        return dict(json.loads(stored["Body"].read()))
    return result


def test_text_analysis_of_a_huge_profile_stays_under_its_memory(stack: Any, huge: dict[str, str]) -> None:
    result = _invoke_within_memory(stack, "AnalyzeTextFunction", huge)
    (facebook,) = result["platforms"]
    (cap,) = result["caps"]
    assert cap["reason"] == "cap_reached"
    assert (cap["items"], cap["platform"], cap["kind"]) == ("texts", "facebook", "post")
    assert cap["analysed"] + cap["capped"] == TEXTS
    assert facebook["posts"]["analysed"] + facebook["posts"]["not_analysed"] == cap["analysed"]
    assert facebook["activities"] == TEXTS  # capped posts still count as activity
    assert facebook["likes_on_own_posts"] == TEXTS


def test_profanity_of_a_huge_profile_stays_under_its_memory(stack: Any, huge: dict[str, str]) -> None:
    result = _invoke_within_memory(stack, "AnalyzeProfanityFunction", huge)
    (cap,) = result["caps"]
    assert (cap["items"], cap["kind"], cap["reason"]) == ("names", "group", "cap_reached")
    assert cap["analysed"] + cap["capped"] == NAMES
    assert result["groups"]["total"] == cap["analysed"]


def test_scoring_a_huge_profile_stays_under_its_memory(
    stack: Any, partner: Any, huge: dict[str, str]
) -> None:
    names_cap = {"items": "names", "platform": None, "kind": "group", "analysed": 20000, "capped": 280000}
    analyses: list[Any] = [
        {"kind": "text", "status": "no_evidence"},
        {"kind": "profanity", "status": "ok", "caps": [{**names_cap, "reason": "cap_reached"}]},
        [],
    ]
    # Score writes only while the pipeline has the application (processing), as after ReceiveUpload's claim.
    set_status(stack, huge["application_id"], "processing")
    result = _invoke_within_memory(stack, "ScoreFunction", {**huge, "analyses": analyses})
    assert result["status"] == "scored"
    stored = partner.result(huge["application_id"])["result"]
    assert stored["analysis_caps"] == [analyses[1]["caps"][0]]  # the analyses' caps reach the partner


def test_a_function_past_its_memory_size_is_killed_and_the_state_machine_records_it(
    stack: Any, partner: Any
) -> None:
    # Smaller than the interpreter with its libraries: every call passes the limit, as an undersized
    # function would in AWS.
    previous = stack.faults.reconfigure("AnalyzeProfanityFunction", memory_mb=48)
    try:
        created = partner.create_application({"linkedin": 1})
        upload(created["uploads"][0], LINKEDIN)
        state = partner.wait(created["application_id"])
    finally:
        stack.faults.restore("AnalyzeProfanityFunction", previous)
    assert state["status"] == "scored", state
    assert stack.pool("AnalyzeProfanityFunction").stats[-1].outcome == "out_of_memory"
    failures = partner.result(created["application_id"])["result"]["analysis_failures"]
    assert [(f["analysis"], f["error"]) for f in failures] == [("profanity", "Runtime.OutOfMemory")]
    assert "Runtime exited with error: signal: killed" in json.dumps(failures)


def test_a_batch_of_hostile_photos_and_a_huge_manifest_stays_under_the_image_memory(
    stack: Any, partner: Any
) -> None:
    # Two sources declared, one uploaded: the pipeline waits for the other, so it neither runs nor purges
    # the archive while the image function is called directly.
    created = partner.create_application({"facebook": 1, "linkedin": 1})
    application_id = created["application_id"]
    archive = f"uploads/{application_id}/facebook/part-1.zip"
    photos = {
        "photos/grey16.png": crafted_png(7000, 7000, 16, 0, 1),  # issue 13's 95 KB bomb
        "photos/rgba16.png": crafted_png(7000, 7000, 16, 6, 4),
        "photos/palette.png": crafted_png(7000, 7000, 8, 3, 1),
        "photos/truncated.png": crafted_png(7000, 7000, 16, 0, 1, truncate=True),
        "photos/too_large.png": crafted_png(7100, 7100, 8, 6, 4),
        "photos/good.jpg": encode(noise(400, 300, seed=9), "JPEG"),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in photos.items():
            zf.writestr(member, data)
    s3 = stack.client("s3")
    s3.put_object(Bucket=stack.deployed.bucket, Key=archive, Body=buffer.getvalue())
    refs = [{"platform": "facebook", "archive": archive, "member": m, "src": 0} for m in photos]
    # A manifest far past any batch ingest writes (an earlier version's): missing photos, then beyond the cap.
    listed = 60_000
    refs += [
        {"platform": "facebook", "archive": archive, "member": f"photos/gone_{i}.jpg", "src": 0}
        for i in range(listed - len(refs))
    ]
    batch = f"work/{application_id}/images/batch-0000.json"
    s3.put_object(Bucket=stack.deployed.bucket, Key=batch, Body=json.dumps(refs).encode())

    result = _invoke_within_memory(
        stack, "AnalyzeImagesFunction", {"application_id": application_id, "batch": batch}
    )
    assert result["analysed"] == 4  # the two 16-bit bombs and the palette bomb, reduced, and the photo
    (cap,) = result["caps"]
    assert (cap["items"], cap["reason"]) == ("photos", "cap_reached")
    assert cap["analysed"] == result["analysed"] + result["not_analysed"]
    assert cap["analysed"] + cap["capped"] == listed
    assert result["not_analysed_reasons"] == {
        "corrupt": 1,
        "missing": cap["analysed"] - len(photos),
        "too_large": 1,
    }


def test_photos_at_the_size_cap_read_ahead_stay_under_the_image_memory(stack: Any, partner: Any) -> None:
    """The image function fetches several photos at once (PHOTO_READ_AHEAD), each up to MAX_PHOTO_BYTES, with a
    block cache per reading thread: a batch of nothing but cap-sized photos is its worst case for memory."""
    from credscore_aws.logic.images import MAX_PHOTO_BYTES, PHOTO_READ_AHEAD

    created = partner.create_application({"facebook": 1, "linkedin": 1})  # waits for LinkedIn: nothing purges
    application_id = created["application_id"]
    archive = f"uploads/{application_id}/facebook/part-1.zip"
    size = MAX_PHOTO_BYTES - 4096
    count = 2 * PHOTO_READ_AHEAD
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for i in range(count):
            zf.writestr(f"photos/{i}.jpg", b"\xff\xd8\xff\xe0" + random.Random(i).randbytes(size))
    s3 = stack.client("s3")
    s3.put_object(Bucket=stack.deployed.bucket, Key=archive, Body=buffer.getvalue())
    refs = [
        {"platform": "facebook", "archive": archive, "member": f"photos/{i}.jpg", "src": 0}
        for i in range(count)
    ]
    batch = f"work/{application_id}/images/batch-0000.json"
    s3.put_object(Bucket=stack.deployed.bucket, Key=batch, Body=json.dumps(refs).encode())

    result = _invoke_within_memory(
        stack, "AnalyzeImagesFunction", {"application_id": application_id, "batch": batch}
    )
    assert result["not_analysed_reasons"] == {"unsupported": count}, (
        "every photo read whole (none too large, none missing), none an image"
    )
