"""ConfigStore against moto's Parameter Store: validation before writing, last good version stays in force."""

from __future__ import annotations

import json
from typing import Any

import pytest

from credscore.scoring.config import InvalidConfig, default_config_text
from credscore_aws.dal.config_store import ConfigStore, ConfigUnavailable

PARAM = "/credscore/test/scoring-config"


def _doc(label: str, **changes: Any) -> str:
    doc = json.loads(default_config_text())
    doc["version"] = label
    doc.update(changes)
    return json.dumps(doc)


def _raw_put(ssm: Any, value: str) -> int:
    """A write that bypasses validation, as from the AWS console."""
    return int(ssm.put_parameter(Name=PARAM, Value=value, Type="String", Overwrite=True)["Version"])


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_load_reads_and_validates_the_newest_version(ssm: Any) -> None:
    _raw_put(ssm, _doc("first"))
    _raw_put(ssm, _doc("second", max_reasons=3))
    loaded = ConfigStore(ssm, PARAM).load()
    assert loaded.config.version == "second"
    assert loaded.config.max_reasons == 3
    assert loaded.parameter_version == 2
    assert not loaded.fallback_used
    assert loaded.error is None


def test_invalid_newest_version_falls_back_to_the_newest_valid_one(ssm: Any) -> None:
    _raw_put(ssm, _doc("good-1"))
    _raw_put(ssm, _doc("good-2"))
    _raw_put(ssm, "{not json")
    _raw_put(ssm, _doc("bad", max_reasons=-1))
    loaded = ConfigStore(ssm, PARAM).load()
    assert loaded.fallback_used
    assert loaded.parameter_version == 2
    assert loaded.config.version == "good-2"
    assert loaded.error is not None
    assert "parameter version 4 is invalid" in loaded.error
    assert "max_reasons" in loaded.error


def test_a_newest_version_json_loads_cannot_take_falls_back_too(ssm: Any) -> None:
    # A 4301-digit number (int() refuses it) written past validation raised ValueError in every score.
    _raw_put(ssm, _doc("good-1"))
    huge = '{"version": "bad", "max_reasons": ' + "4" * 4301 + "}"
    ssm.put_parameter(Name=PARAM, Value=huge, Type="String", Overwrite=True, Tier="Advanced")
    loaded = ConfigStore(ssm, PARAM).load()
    assert (loaded.config.version, loaded.parameter_version, loaded.fallback_used) == ("good-1", 1, True)
    assert (
        loaded.error
        == "parameter version 2 is invalid: (document): not valid JSON: a number has too many digits"
    )


def test_no_valid_version_at_all_is_an_error(ssm: Any) -> None:
    _raw_put(ssm, "[]")
    with pytest.raises(ConfigUnavailable, match="no valid version"):
        ConfigStore(ssm, PARAM).load()


def test_missing_parameter_is_an_error(ssm: Any) -> None:
    with pytest.raises(ConfigUnavailable, match="not found"):
        ConfigStore(ssm, PARAM).load()


def test_load_is_cached_for_the_ttl_then_refreshed(ssm: Any) -> None:
    _raw_put(ssm, _doc("one"))
    clock = FakeClock()
    store = ConfigStore(ssm, PARAM, ttl_seconds=30, clock=clock)
    assert store.load().config.version == "one"
    _raw_put(ssm, _doc("two"))
    clock.now += 29
    assert store.load().config.version == "one"
    clock.now += 2
    assert store.load().config.version == "two"


def test_a_failed_refresh_keeps_the_cached_configuration_for_a_grace_period_then_fails(
    ssm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A throttled refresh failed the Score step (three retries, then the application) although a valid
    # configuration was in hand.
    from credscore_aws.dal.config_store import STALE_GRACE_SECONDS

    _raw_put(ssm, _doc("one"))
    clock = FakeClock()
    store = ConfigStore(ssm, PARAM, ttl_seconds=30, clock=clock)
    assert store.load().config.version == "one"

    def throttled(**_kwargs: Any) -> Any:
        raise ssm.exceptions.ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "Get")

    monkeypatch.setattr(ssm, "get_parameter", throttled)
    clock.now += 30 + STALE_GRACE_SECONDS - 1
    assert store.load().config.version == "one"
    clock.now += 2
    with pytest.raises(Exception, match="Throttling"):
        store.load()
    fresh = ConfigStore(ssm, PARAM, ttl_seconds=30, clock=clock)
    with pytest.raises(Exception, match="Throttling"):
        fresh.load()  # nothing cached: nothing to keep


def test_set_validates_before_writing(ssm: Any) -> None:
    store = ConfigStore(ssm, PARAM)
    assert store.set(_doc("v1")) == 1
    with pytest.raises(InvalidConfig) as caught:
        store.set(_doc("v2", normalised_range={"min": 10, "max": 10}))
    assert caught.value.problems == ["normalised_range: min must be below max"]
    assert [v.version for v in store.history()] == [1]


def test_set_stores_every_field_and_refreshes_the_cache(ssm: Any) -> None:
    store = ConfigStore(ssm, PARAM, ttl_seconds=3600)
    store.set('{"version": "short"}')
    assert store.load().config.version == "short"
    store.set('{"version": "newer"}')
    assert store.load().config.version == "newer"
    stored = json.loads(store.text_of(2))
    connections = stored["scorecard"]["characteristics"]["connections"]
    assert connections["knots"][-1] == {"x": 2000.0, "points": 100.0}
    assert stored["scorecard"]["kind"] == "handset"
    assert stored == json.loads(default_config_text()) | {"version": "newer"}


def test_history_marks_invalid_versions(ssm: Any) -> None:
    _raw_put(ssm, _doc("a"))
    _raw_put(ssm, "{}")
    history = ConfigStore(ssm, PARAM).history()
    assert [(v.version, v.valid, v.label) for v in history] == [(1, True, "a"), (2, False, None)]
    assert history[1].problems == ["version: required but missing"]


def test_history_reads_past_one_page(ssm: Any) -> None:
    store = ConfigStore(ssm, PARAM)
    for i in range(55):  # get_parameter_history pages hold at most 50
        _raw_put(ssm, _doc(f"v{i}"))
    assert [v.version for v in store.history()] == list(range(1, 56))


def test_diff_shows_only_real_changes(ssm: Any) -> None:
    store = ConfigStore(ssm, PARAM)
    store.set(_doc("a"))
    store.set(_doc("a", max_reasons=2))
    diff = store.diff(1, 2)
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ['-  "max_reasons": 4,', '+  "max_reasons": 2,']
    assert store.diff(1, 1) == ""


def test_rollback_writes_the_old_content_as_a_new_version(ssm: Any) -> None:
    store = ConfigStore(ssm, PARAM)
    store.set(_doc("old"))
    store.set(_doc("new"))
    assert store.rollback(1) == 3
    loaded = store.load_fresh()
    assert (loaded.parameter_version, loaded.config.version) == (3, "old")
    assert len(store.history()) == 3


def test_rollback_to_an_invalid_version_is_refused(ssm: Any) -> None:
    _raw_put(ssm, "{}")
    _raw_put(ssm, _doc("ok"))
    store = ConfigStore(ssm, PARAM)
    with pytest.raises(InvalidConfig):
        store.rollback(1)
    with pytest.raises(ConfigUnavailable, match="no such version"):
        store.rollback(9)
    assert len(store.history()) == 2
