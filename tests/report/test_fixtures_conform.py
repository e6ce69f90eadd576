"""The hand-made results the report, CLI and browser tests render are results the scorer's model accepts, so
those tests exercise what the service really stores (real feature names, priorities and fields)."""

from __future__ import annotations

import pytest

from tests.report.samples import check_stored_result, sample_result
from tests.web.fake_api import scripted_result


def test_report_and_cli_sample_is_a_real_stored_result() -> None:
    check_stored_result(sample_result())


def test_browser_script_result_is_a_real_stored_result() -> None:
    check_stored_result(scripted_result(config_version=2))


def test_the_check_catches_invented_fields() -> None:
    invented = sample_result()
    invented["breakdown"][1]["feature"] = "sentiment"
    with pytest.raises(ValueError, match="sentiment"):
        check_stored_result(invented)
    invented = sample_result()
    invented["mood"] = "good"
    with pytest.raises(ValueError, match="mood"):
        check_stored_result(invented)
