"""The one typed result (credscore.result): it reads every result the score function stores, losslessly, and
reads older or damaged ones as far as they go."""

from __future__ import annotations

from typing import Any

import pytest

from credscore.result import ApplicationInfo, Result
from tests.report.samples import sample_application, sample_result
from tests.report.stored import stored_results
from tests.web.fake_api import scripted_result

CASES = {**stored_results(), "report_sample": sample_result(), "browser_sample": scripted_result(3)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_stored_result_reads_losslessly(name: str) -> None:
    document = CASES[name]
    result = Result.read(document)
    assert result.model_dump(mode="json", exclude_unset=True) == document
    assert [row.feature for row in result.breakdown] == [row["feature"] for row in document["breakdown"]]
    assert [reason.code for reason in result.reasons] == [r["code"] for r in document["reasons"]]


def test_typed_fields_carry_the_stored_values() -> None:
    document = CASES["fitted"]
    result = Result.read(document)
    assert result.model_kind == "fitted"
    assert result.calibrated is True
    assert result.normalised_score == document["normalised_score"]
    assert result.coverage is not None
    assert result.coverage.ratio == document["coverage"]["ratio"]
    assert result.config_parameter_version == 7
    assert result.scored_at == 1_780_000_100
    assert result.analysis_coverage is not None
    assert [item.analysis for item in result.analysis_coverage.items()] == ["texts", "names", "images"]
    assert [row.feature for row in result.shown_features()] == [
        row["feature"] for row in document["breakdown"] if row["enabled"]
    ]
    handset = Result.read(CASES["handset"])
    assert handset.model_kind == "handset"
    assert handset.calibrated is False
    assert Result.read(CASES["rescored"]).rescored_from == 6


def test_unknown_fields_are_kept() -> None:
    document = {**sample_result(), "added_later": {"x": 1}}
    assert Result.read(document).model_dump(mode="json", exclude_unset=True)["added_later"] == {"x": 1}


@pytest.mark.parametrize("document", [None, "nonsense", [], {}])
def test_something_that_is_no_result_reads_as_an_empty_one(document: Any) -> None:
    result = Result.read(document)
    assert result.breakdown == []
    assert result.reasons == []
    assert result.normalised_score is None
    assert result.coverage is None


def test_malformed_fields_read_as_not_available() -> None:
    document = sample_result()
    document["normalised_score"] = float("nan")
    document["total_points"] = "many"
    document["coverage"] = "nonsense"
    document["reasons"].append("not a mapping")
    document["breakdown"].append(
        {"feature": "weird", "weight": "ten", "points": float("inf"), "value": [1, 2]}
    )
    document["analysis_failures"] = {"not": "a list"}
    result = Result.read(document)
    assert result.normalised_score is None
    assert result.total_points is None
    assert result.coverage is None
    assert [r.code for r in result.reasons] == ["FEW_CONNECTIONS", "MIXED_SENTIMENT"]
    weird = result.breakdown[-1]
    assert (weird.feature, weird.weight, weird.points, weird.value) == ("weird", None, None, "[1, 2]")
    assert result.analysis_failures == []


def test_sources_read_from_a_list_or_the_older_platform_map() -> None:
    listed = Result.read({"sources": [{"platform": "x", "status": "parsed", "warnings": 2}, "junk"]})
    assert [(s.platform, s.status, s.warnings) for s in listed.sources] == [("x", "parsed", 2)]
    mapped = Result.read(
        {"sources": {"linkedin": "parsed", "facebook": {"status": "rejected", "reason": "r"}}}
    )
    assert [(s.platform, s.status, s.reason) for s in mapped.sources] == [
        ("linkedin", "parsed", None),
        ("facebook", "rejected", "r"),
    ]


def test_the_application_reads_the_same_way() -> None:
    application = ApplicationInfo.read(sample_application())
    assert application.reference == "loan-42"
    assert [s.platform for s in application.sources] == ["linkedin", "facebook"]
    assert application.sources[1].warnings == 1
    assert ApplicationInfo.read("nonsense").sources == []
