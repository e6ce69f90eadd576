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


DECIMAL_KNOBS = frozenset({"negative_share"})  # the others are counts, years, or true/false


def _knob_value(text: str) -> Any:
    if text.lower() in {"none", "null"}:
        return None
    if text.lower() in {"true", "false"}:
        return text.lower() == "true"
    try:
        return int(text)
    except ValueError:
        return text


def parse_knobs(extra: list[str]) -> dict[str, Any]:
    """'--posts 40 --birth-year 1991' → {'posts': 40, 'birth_year': 1991}."""
    knobs: dict[str, Any] = {}
    if len(extra) % 2:
        raise ValueError("knobs come in pairs: --name value")
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        if not flag.startswith("--"):
            raise ValueError(f"expected --knob, got {flag!r}")
        name = flag[2:].replace("-", "_")
        knobs[name] = _knob_value(value)
        if name in DECIMAL_KNOBS:
            try:
                knobs[name] = float(value)
            except ValueError:
                raise ValueError(f"{name} takes a number, got {value!r}") from None
        elif name in KNOBS and isinstance(knobs[name], str):
            raise ValueError(f"{name} takes a whole number, none, true or false, got {value!r}")
    return knobs
