"""Real JPEG photos for synthetic exports: small gradients, and camera-sized ones for the image path."""

from __future__ import annotations

import io
import random
from typing import Any


def jpeg(rng: random.Random, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real JPEG: a two-colour gradient (Pillow)."""
    from PIL import Image

    a = [rng.randrange(256) for _ in range(3)]
    b = [rng.randrange(256) for _ in range(3)]
    image = Image.new("RGB", size)
    width, height = size
    image.putdata(
        [
            tuple(int(a[c] + (b[c] - a[c]) * (x + y) / (width + height)) for c in range(3))
            for y in range(height)
            for x in range(width)
        ]
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def big_jpeg(rng: random.Random, size: tuple[int, int] = (2400, 1600)) -> bytes:
    """A camera-sized JPEG (about 1 MB at the default size): colour blobs with grain, made at low resolution and
    upscaled, so it takes a fraction of a second however big (Pillow)."""
    from PIL import Image

    width, height = size
    low = (max(2, width // 150), max(2, height // 150))
    blobs = Image.frombytes("RGB", low, rng.randbytes(low[0] * low[1] * 3))
    grain_size = (max(1, width // 3), max(1, height // 3))
    grain = Image.frombytes("L", grain_size, rng.randbytes(grain_size[0] * grain_size[1]))
    image = Image.blend(
        blobs.resize(size, Image.Resampling.BICUBIC),
        grain.resize(size, Image.Resampling.BILINEAR).convert("RGB"),
        0.25,
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def photo(rng: random.Random, index: int, k: dict[str, Any]) -> bytes:
    """The index-th photo of an export: the first `large_photos` are camera-sized, the others thumbnails."""
    return big_jpeg(rng) if index < int(k.get("large_photos", 0)) else jpeg(rng)
