"""PSI and distributions (credscore.monitoring) against values computed by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from credscore.monitoring import (
    age_band,
    distribution,
    expected_shares,
    previous_week,
    psi,
    quantile_edges,
    stability,
)


def test_psi_of_two_bins_by_hand() -> None:
    # (0.25 - 0.5)·ln(0.25/0.5) + (0.75 - 0.5)·ln(0.75/0.5) = 0.25·ln 2 + 0.25·ln 1.5
    assert psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.25 * math.log(2) + 0.25 * math.log(1.5))
    assert psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.274653, abs=1e-6)


def test_psi_of_three_bins_by_hand() -> None:
    # 0.1·ln 1.5 + 0 + (-0.1)·ln 0.8 = 0.0405465 + 0.0223144
    assert psi([0.2, 0.3, 0.5], [0.3, 0.3, 0.4]) == pytest.approx(0.0628609, abs=1e-6)


def test_an_empty_bin_is_floored_not_infinite() -> None:
    # third bin: (0.1 - 0.0001)·ln(0.1 / 0.0001) = 0.0999·ln 1000; second: (-0.1)·ln 0.8
    expected = 0.0999 * math.log(1000) - 0.1 * math.log(0.8)
    assert psi([0.5, 0.5, 0.0], [0.5, 0.4, 0.1]) == pytest.approx(expected)
    assert psi([0.5, 0.5, 0.0], [0.5, 0.4, 0.1]) == pytest.approx(0.712400, abs=1e-6)


def test_psi_is_zero_for_the_same_shares_and_symmetric() -> None:
    assert psi([0.1, 0.2, 0.7], [0.1, 0.2, 0.7]) == 0.0
    assert psi([0.1, 0.9], [0.4, 0.6]) == pytest.approx(psi([0.4, 0.6], [0.1, 0.9]))


def test_psi_refuses_bins_that_do_not_line_up() -> None:
    with pytest.raises(ValueError, match="different bins"):
        psi([0.5, 0.5], [1.0])
    with pytest.raises(ValueError, match="negative"):
        psi([0.5, 0.5], [1.5, -0.5])


def test_stability_readings_at_the_thresholds() -> None:
    assert [stability(v) for v in (0.0, 0.099, 0.1, 0.25, 0.2501)] == [
        "stable",
        "stable",
        "watch",
        "watch",
        "significant",
    ]


def test_bins_are_right_open_and_missing_is_its_own_bin() -> None:
    dist = distribution([0.0, 49.9, 50.0, 199.0, 200.0, 1e6, None, float("nan")], [50.0, 200.0])
    assert dist.counts == (2, 2, 2)
    assert dist.missing == 2
    assert dist.n == 8
    assert dist.shares() == [0.25, 0.25, 0.25, 0.25]
    assert dist.shares(with_missing=False) == pytest.approx([1 / 3, 1 / 3, 1 / 3])
    assert distribution([], [1.0]).shares() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="ascending"):
        distribution([1.0], [5.0, 5.0])


def test_quantile_edges_cut_equal_fills_and_skip_repeats() -> None:
    assert quantile_edges([float(v) for v in range(1, 11)], bins=5) == [3.0, 5.0, 7.0, 9.0]
    assert quantile_edges([7.0] * 20) == []
    assert quantile_edges([1.0, 1.0, 1.0, 2.0], bins=4) == [2.0]
    assert quantile_edges([None, 1.0, 3.0], bins=2) == [3.0]
    assert quantile_edges([None, 3.0]) == [], "one value cannot be cut"


def test_development_shares_read_the_same_whether_of_all_or_of_present_values() -> None:
    assert expected_shares([0.2, 0.5, 0.3], 0.1) == pytest.approx([0.18, 0.45, 0.27, 0.1])
    assert expected_shares([0.18, 0.45, 0.27], 0.1) == pytest.approx([0.18, 0.45, 0.27, 0.1])
    assert expected_shares([0.2, 0.8], None) == pytest.approx([0.2, 0.8, 0.0])


def test_age_bands() -> None:
    ages = [None, 17.9, 18, 24.99, 25, 44, 54.5, 55, 64.9, 65, 90]
    assert [age_band(a) for a in ages] == [
        "",
        "<18",
        "18-24",
        "18-24",
        "25-34",
        "35-44",
        "45-54",
        "55-64",
        "55-64",
        "65+",
        "65+",
    ]


def test_previous_week_is_the_last_complete_iso_week() -> None:
    tuesday = dt.datetime(2026, 12, 1, 15, 30, tzinfo=dt.UTC)
    start, end, label = previous_week(tuesday)
    assert (start, end, label) == (
        dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
        "2026-W48",
    )
    monday_early = dt.datetime(2026, 11, 30, 0, 0, 1, tzinfo=dt.UTC)
    assert previous_week(monday_early)[2] == "2026-W48"
    assert previous_week(dt.datetime(2026, 1, 5, 3, tzinfo=dt.UTC))[2] == "2026-W01"
