"""The hourly sweep: an application whose upload window has passed is scored with what arrived, or closed with
the reason when nothing did; younger ones are left alone; a second sweep finds nothing more to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from credscore_local.client import upload
from tests.stack_items import age_application

pytestmark = pytest.mark.e2e

LINKEDIN = Path(__file__).resolve().parents[2] / "samples" / "linkedin.zip"


def test_past_the_upload_window_what_arrived_is_scored_and_an_empty_one_is_closed(
    stack: Any, partner: Any
) -> None:
    window = int(stack.deployed.functions["CloseStaleFunction"].environment["UPLOAD_WINDOW_HOURS"])
    partial = partner.create_application({"linkedin": 1, "facebook": 1})
    linkedin_form = next(f for f in partial["uploads"] if f["platform"] == "linkedin")
    upload(linkedin_form, LINKEDIN)
    empty = partner.create_application({"linkedin": 1})
    young = partner.create_application({"linkedin": 1})
    assert partner.application(partial["application_id"])["status"] == "collecting"
    age_application(stack, partial["application_id"], window + 1)
    age_application(stack, empty["application_id"], window + 1)
    age_application(stack, young["application_id"], window - 1)

    assert stack.invoke("CloseStaleFunction", {}) == {"submitted": 1, "closed": 1}

    scored = partner.wait(partial["application_id"])
    assert scored["status"] == "scored", scored
    sources = {s["platform"]: s for s in scored["sources"]}
    assert sources["linkedin"]["status"] == "parsed"
    assert (sources["facebook"]["status"], sources["facebook"]["reason_code"]) == ("absent", "not_uploaded")
    closed = partner.application(empty["application_id"])
    assert closed["status"] == "failed"
    assert closed["error"]["code"] == "no_upload"
    assert partner.application(young["application_id"])["status"] == "collecting"

    assert stack.invoke("CloseStaleFunction", {}) == {"submitted": 0, "closed": 0}
