"""Phone-sized JPEGs for the benchmarks (analysis and end to end): made with Pillow, nothing downloaded."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

# 12, 8, 12.2 and 12 MP (a portrait one): the sizes of phone photos.
CAMERA_SHAPES = [(4000, 3000), (3264, 2448), (4032, 3024), (3000, 4000)]


def camera_photo(width: int, height: int, seed: int) -> bytes:
    """A phone-sized JPEG (quality 90, about 2–3 MB at 12 MP): colour blobs with per-pixel grain, so it takes
    about half a second to make however big, and costs a photo's entropy decoding to read."""
    rng = np.random.default_rng(seed)
    blobs = Image.fromarray(rng.integers(0, 256, (height // 120, width // 120, 3), dtype=np.uint8))
    grain = rng.normal(128, 20, (height, width)).clip(0, 255).astype(np.uint8)
    image = Image.blend(
        blobs.resize((width, height), Image.Resampling.BICUBIC),
        Image.fromarray(grain).convert("RGB"),
        0.25,
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def bare_decode(data: bytes, side: int) -> Image.Image:
    """The least any decoder must do: open, ask the JPEG decoder for the same reduced size the pipeline asks
    for (`draft`, DCT scaling by 1/2–1/8 to no less than the model input), decode. No checks, no rotation."""
    image = Image.open(io.BytesIO(data))
    if image.format == "JPEG":
        longest = max(image.size)
        image.draft("RGB", (-(-side * image.width // longest), -(-side * image.height // longest)))
    image.load()
    return image


def camera_photos(count: int, seed: int = 0) -> list[bytes]:
    """`count` photos cycling through CAMERA_SHAPES."""
    return [
        camera_photo(*CAMERA_SHAPES[i % len(CAMERA_SHAPES)], seed=seed * 100_003 + i) for i in range(count)
    ]
