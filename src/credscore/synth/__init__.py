"""Synthetic, realistic data exports for tests, demos and benchmarks (no real person's data).

`make_export(platform, out, seed=..., layout=..., **knobs)` writes one zip laid out as the platform's real
exports are: numbered parts, wrapper folders, `no-data.txt`, Meta mojibake, private areas that the parsers must
never open, small real JPEG photos, and optional big video padding. Deterministic per seed.

One module per platform (facebook, linkedin, x, instagram, beside `credscore.ingest`'s parsers); the word
pools in `pools`, photos in `photos`, the zip writer in `zipwriter`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from credscore.synth import facebook, instagram, linkedin, x
from credscore.synth.knobs import KNOBS, parse_knobs
from credscore.synth.photos import big_jpeg
from credscore.synth.pools import checked_negative_share
from credscore.synth.zipwriter import ExportZip, mojibake

__all__ = ["KNOBS", "PLATFORMS", "big_jpeg", "make_export", "mojibake", "parse_knobs"]

PLATFORMS = ("facebook", "linkedin", "x", "instagram")
_WRITERS: dict[str, Callable[[ExportZip, random.Random, str | None, dict[str, Any]], None]] = {
    "facebook": facebook.write,
    "linkedin": linkedin.write,
    "x": x.write,
    "instagram": instagram.write,
}
_WRAPPERS = {"facebook": "facebook-asharao10/", "instagram": "instagram-asha.rao-2024-05-01/"}


def make_export(
    platform: str, out: str | Path | BinaryIO, *, seed: int = 0, layout: str | None = None, **knobs: Any
) -> None:
    """Write a synthetic export zip of `platform` to `out`. Knobs (all optional): posts, comments, friends,
    friend_requests, reactions, groups, pages, photos, birth_year (None = not given), registration_year,
    connections, skills, invitations, tweets, followers, following, likes, liked, created_year, padding
    (bytes of incompressible video), wrapper (bool: add the top folder of a re-zipped download), large_photos
    (how many of the photos are camera-sized, about 1 MB each), post_parts (Facebook posts files),
    negative_share (the share of posts, comments and tweets that are negative: the person's tone; 0.25 unless
    given).
    A knob another platform uses is ignored; a misspelt one is an error."""
    if platform not in _WRITERS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    if unknown := sorted(set(knobs) - KNOBS):
        raise ValueError(f"unknown knob(s) {', '.join(unknown)}; known: {', '.join(sorted(KNOBS))}")
    checked_negative_share(knobs)  # before the zip is begun, whether or not a text is drawn
    rng = random.Random(f"{platform}:{seed}")
    wrapper = _WRAPPERS.get(platform, "") if knobs.pop("wrapper", False) else ""
    z = ExportZip(out, wrapper)
    try:
        _WRITERS[platform](z, rng, layout, knobs)
        if platform != "facebook" and int(knobs.get("padding", 0)) > 0:
            z.padding("media/videos/video_1.mp4", int(knobs["padding"]), rng)
    finally:
        z.close()
