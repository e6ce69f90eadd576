"""Tolerant date parsing for the formats exports actually use (each file its own)."""

from __future__ import annotations

import datetime as dt
import re

_FORMATS = (
    "%d %b %Y",  # 08 Feb 2025 (LinkedIn Connected On)
    "%b %d, %Y",  # Feb 08, 2025
    "%b %d %Y",
    "%d %B %Y",
    "%B %d, %Y",
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y, %I:%M %p",  # 1/29/26, 2:37 PM (LinkedIn Sent At)
    "%m/%d/%y",
    "%a %b %d %H:%M:%S %z %Y",  # Tue May 14 09:12:03 +0000 2024 (X created_at)
)
# X's created_at ("Tue May 14 09:12:03 +0000 2024") on every tweet: matched directly, because trying each
# format with strptime costs ~25 µs a miss and an X archive holds thousands of tweets.
_X_CREATED_AT = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d\d) "
    r"(\d\d):(\d\d):(\d\d) ([+-])([01]\d|2[0-3])([0-5]\d) (\d{4})"
)
_MONTHS = {
    name: i
    for i, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_MONTH_YEAR = ("%b %Y", "%B %Y", "%Y-%m", "%m/%Y")  # Jan 2021 (LinkedIn Started On)
_DAY_MONTH = ("%b %d", "%d %b", "%B %d", "%d %B")  # birth date without a year


def date_parts(text: str | None) -> tuple[int | None, int | None, int | None]:
    """(year, month, day), each None when the text does not say; never raises."""
    if not text:
        return None, None, None
    value = re.sub(r"\s+", " ", text.strip())
    for fmt in _FORMATS:
        try:
            parsed = dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.year, parsed.month, parsed.day
    for fmt in _MONTH_YEAR:
        try:
            parsed = dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.year, parsed.month, None
    for fmt in _DAY_MONTH:
        try:
            parsed = dt.datetime.strptime(f"{value} 2000", f"{fmt} %Y")  # leap year, so Feb 29 parses
        except ValueError:
            continue
        return None, parsed.month, parsed.day
    if re.fullmatch(r"(19|20)\d\d", value):
        return int(value), None, None
    return None, None, None


def year_of(text: str | None) -> int | None:
    return date_parts(text)[0]


def unix_of(text: str | None) -> int | None:
    """Unix seconds (UTC) of a full date, else None."""
    if not text:
        return None
    value = re.sub(r"\s+", " ", text.strip())
    if (x_time := _x_created_at(value)) is not None:
        return x_time
    return unix_by_formats(value)


def unix_by_formats(value: str) -> int | None:
    """`unix_of` by trying every full-date format with strptime (the reference the fast path must match)."""
    for fmt in _FORMATS:
        try:
            parsed = dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return int(parsed.timestamp())
    return None


def _x_created_at(value: str) -> int | None:
    """Unix seconds of X's created_at format; None for anything else (then the general formats are tried)."""
    found = _X_CREATED_AT.fullmatch(value)
    if found is None:
        return None
    month, day, hour, minute, second, sign, tz_hours, tz_minutes, year = found.groups()
    try:
        moment = dt.datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=dt.UTC
        )
    except ValueError:  # 31 Feb and the like: leave it to strptime, which rejects it the same way
        return None
    offset = (int(tz_hours) * 3600 + int(tz_minutes) * 60) * (1 if sign == "+" else -1)
    return int(moment.timestamp()) - offset
