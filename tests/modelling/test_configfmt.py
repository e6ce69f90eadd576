from __future__ import annotations

import copy
import json

import pytest

from credscore.modelling.configfmt import InvalidFittedConfig, config_document, config_text, validate_config
from tests.scoring.fitted import FITTED

# The hand-written fitted scorecard the scoring tests use: one example of the shared format, checked here.
GOOD = copy.deepcopy(FITTED["scorecard"])


def _text(section: dict) -> str:
    return config_text(config_document(section, "v1"))


def test_the_shared_example_is_valid() -> None:
    assert validate_config(_text(GOOD))["scorecard"]["kind"] == "fitted"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["characteristics"]["connections"]["bins"][2].update(upper=900.0), "last bin's upper"),
        (lambda s: s["characteristics"]["connections"]["bins"][1].update(upper=10.0), "increase strictly"),
        (lambda s: s["characteristics"]["connections"]["bins"][2].update(points=1.0), "not ascending"),
        (
            lambda s: s["characteristics"].update(friends=s["characteristics"]["connections"]),
            "not a characteristic",
        ),
        (lambda s: s["characteristics"]["connections"].update(direction="up"), "direction"),
        (lambda s: s["scaling"].update(pdo=0), "positive"),
        (lambda s: s.update(kind="magic"), "kind"),
        (lambda s: s["development"].update(score_shares=[0.5, 0.5]), "len(score_bands) + 1"),
        (
            lambda s: s["development"]["characteristics"]["connections"].update(bin_shares=[1.0]),
            "one share per bin",
        ),
        (lambda s: s["characteristics"]["connections"].update(missing_points=float("nan")), "missing_points"),
    ],
)
def test_each_departure_from_the_format_is_named(change, message) -> None:  # type: ignore[no-untyped-def]
    section = copy.deepcopy(GOOD)
    change(section)
    with pytest.raises(InvalidFittedConfig) as caught:
        validate_config(_text(section))
    assert any(message in p for p in caught.value.problems), caught.value.problems


def test_the_base_configuration_is_kept() -> None:
    document = json.loads(_text(GOOD))
    assert document["version"] == "v1"
    assert "eligibility" in document
    assert "scorecard" in document
