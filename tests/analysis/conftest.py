"""Generated test images (no photos are stored in the repository)."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from credscore.analysis.images import ImageModerator

from .hostile_images import encode

__all__ = ["encode"]  # the tests import it from here


def noise(width: int, height: int, seed: int = 0) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def exif_rotated_jpeg(width: int, height: int, orientation: int = 6) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(Image.new("RGB", (width, height), (90, 120, 200)), "JPEG", exif=exif.tobytes())


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny valid-looking PNG whose header claims `width`×`height` pixels (a decompression bomb)."""
    data = bytearray(encode(Image.new("L", (8, 8)), "PNG"))
    ihdr = 8  # after the signature: length (4), b"IHDR" (4), width (4), height (4), ...
    data[ihdr + 8 : ihdr + 16] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    crc = zlib.crc32(bytes(data[ihdr + 4 : ihdr + 8 + 13]))
    data[ihdr + 8 + 13 : ihdr + 8 + 17] = crc.to_bytes(4, "big")
    return bytes(data)


def animated_gif() -> bytes:
    frames = [Image.new("P", (120, 80), color) for color in (10, 200)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


@pytest.fixture(scope="session")
def nudenet_moderator() -> ImageModerator:
    return ImageModerator.from_model_cards(cards=None, threads=1)


ImageFactory = Callable[[], bytes]

# name -> (bytes, expected not-analysed reason or None when it must be analysed)
CASES: dict[str, tuple[Callable[[], bytes | None], str | None]] = {
    "solid colour JPEG": (lambda: encode(Image.new("RGB", (640, 480), (200, 30, 30)), "JPEG"), None),
    "noise PNG": (lambda: encode(noise(300, 200), "PNG"), None),
    "large JPEG 2048x1365": (lambda: encode(noise(2048, 1365, seed=1), "JPEG", quality=85), None),
    "PNG with alpha": (lambda: encode(Image.new("RGBA", (200, 100), (0, 255, 0, 64)), "PNG"), None),
    "palette PNG with transparency": (
        lambda: encode(Image.new("P", (50, 50), 3), "PNG", transparency=3),
        None,
    ),
    "grayscale JPEG": (lambda: encode(Image.new("L", (320, 240), 128), "JPEG"), None),
    "16-bit grayscale PNG": (lambda: encode(Image.new("I;16", (64, 64), 40_000), "PNG"), None),
    "animated GIF": (animated_gif, None),
    "CMYK JPEG": (lambda: encode(Image.new("CMYK", (200, 150), (0, 128, 255, 0)), "JPEG"), None),
    "WebP": (lambda: encode(noise(160, 120), "WEBP"), None),
    "EXIF-rotated JPEG": (lambda: exif_rotated_jpeg(200, 100), None),
    "JPEG with corrupt EXIF": (
        lambda: encode(Image.new("RGB", (90, 60), (9, 9, 9)), "JPEG", exif=b"Exif\x00\x00II*\x00garbage"),
        None,
    ),
    "truncated JPEG": (lambda: encode(noise(400, 300), "JPEG")[:2000], "corrupt"),
    "decompression bomb header": (lambda: png_claiming_size(100_000, 100_000), "too_large"),
    "not an image": (lambda: b"%PDF-1.7 definitely not a picture", "unsupported"),
    "empty": (lambda: b"", "missing"),
    "unreadable member": (lambda: None, "missing"),
}
