"""The generator's knobs (how many posts, friends, photos...) and how a command line spells them."""

from __future__ import annotations

from typing import Any

KNOBS = frozenset(
    {
        "posts",
        "post_parts",
        "comments",
        "friends",
        "friend_requests",
        "reactions",
        "groups",
        "pages",
        "photos",
        "large_photos",
        "birth_year",
        "registration_year",
        "connections",
        "skills",
        "invitations",
        "tweets",
        "followers",
        "following",
        "likes",
        "liked",
        "created_year",
        "padding",
        "wrapper",
        "negative_share",
    }
)


def _knob_value(text: str) -> Any:
    if text.lower() in {"none", "null"}:
        return None
    if text.lower() in {"true", "false"}:
        return text.lower() == "true"
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            pass
    return text


def parse_knobs(extra: list[str]) -> dict[str, Any]:
    """'--posts 40 --birth-year 1991' → {'posts': 40, 'birth_year': 1991}."""
    knobs: dict[str, Any] = {}
    if len(extra) % 2:
        raise ValueError("knobs come in pairs: --name value")
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        if not flag.startswith("--"):
            raise ValueError(f"expected --knob, got {flag!r}")
        knobs[flag[2:].replace("-", "_")] = _knob_value(value)
    return knobs
