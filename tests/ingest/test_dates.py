"""X's created_at fast path gives exactly what the general strptime formats give, including for near misses."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from credscore.ingest.dates import unix_by_formats, unix_of

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "mon", "Tues"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "jan", "Sept"]


def test_x_created_at_is_read_with_its_offset() -> None:
    assert unix_of("Tue May 14 09:12:03 +0000 2024") == int(
        dt.datetime(2024, 5, 14, 9, 12, 3, tzinfo=dt.UTC).timestamp()
    )
    assert unix_of("Tue May 14 09:12:03 +0530 2024") == unix_of("Tue May 14 03:42:03 +0000 2024")
    assert unix_of("Tue May 14 09:12:03 -0100 2024") == unix_of("Tue May 14 10:12:03 +0000 2024")


def test_impossible_x_dates_are_not_read() -> None:
    assert unix_of("Sat Feb 31 09:12:03 +0000 2024") is None
    assert unix_of("Tue May 14 25:12:03 +0000 2024") is None
    assert unix_of("Tue May 14 09:12:03 +0099 2024") is None


@settings(max_examples=400)
@given(
    weekday=st.sampled_from(WEEKDAYS),
    month=st.sampled_from(MONTHS),
    day=st.integers(0, 32),
    hour=st.integers(0, 25),
    minute=st.integers(0, 61),
    second=st.integers(0, 62),
    sign=st.sampled_from("+-"),
    offset_hours=st.integers(0, 25),
    offset_minutes=st.integers(0, 61),
    year=st.integers(1, 9999),
)
def test_fast_path_matches_strptime(
    weekday: str,
    month: str,
    day: int,
    hour: int,
    minute: int,
    second: int,
    sign: str,
    offset_hours: int,
    offset_minutes: int,
    year: int,
) -> None:
    text = (
        f"{weekday} {month} {day:02d} {hour:02d}:{minute:02d}:{second:02d} "
        f"{sign}{offset_hours:02d}{offset_minutes:02d} {year:04d}"
    )
    assert unix_of(text) == unix_by_formats(text)
