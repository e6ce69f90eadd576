"""The local API adapter builds query parameters as HTTP APIs (payload 2.0) do."""

from __future__ import annotations

from credscore_local.api_adapter import _query_parameters


def test_blank_values_are_kept_and_repeats_joined_with_commas() -> None:
    assert _query_parameters("next_token=&limit=5") == {"next_token": "", "limit": "5"}
    assert _query_parameters("tag=a&tag=b") == {"tag": "a,b"}
    assert _query_parameters("") is None
