"""Hostile images (issue 13.8): tiny files that decode huge, 16-bit and palette bombs, truncated data and
animations. Each is recorded per photo as analysed or not analysed with its reason, the rest of the batch is
analysed, and decoding one costs little more than its decoded pixels within a budget set by the function's
memory (a 95 KB 16-bit 7000×7000 PNG used to cost 765 MiB)."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from PIL import Image

from credscore.analysis.image_headers import walk
from credscore.analysis.images import (
    ImageModerator,
    _NotAnalysed,
    coefficient_bytes,
    decode_image,
    decoded_bytes,
    max_decoded_bytes_from_env,
)
from credscore.evidence import AnalysisStatus
from credscore_local import memory

from .conftest import encode, noise
from .hostile_images import multi_scan

pytestmark = pytest.mark.slow

MIB = 1024 * 1024


def crafted_png(
    width: int, height: int, bit_depth: int, color_type: int, channels: int, truncate: bool = False
) -> bytes:
    """A PNG of zero pixels written row by row (no full-size buffer here): a tiny file that decodes huge."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(width * channels * bit_depth // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    if truncate:
        body = body[: len(body) // 2]
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    palette = chunk(b"PLTE", bytes(range(256)) * 3) + chunk(b"tRNS", b"\x00") if color_type == 3 else b""
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + palette + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def animated(fmt: str, size: int, frames: int) -> bytes:
    images = [Image.new("RGB", (size, size), (i * 8 % 256, 40, 90)) for i in range(frames)]
    return encode(images[0], fmt, save_all=True, append_images=images[1:], duration=50, loop=0)


def tiff_claiming(width: int, height: int) -> bytes:
    data = bytearray(encode(Image.new("L", (8, 8)), "TIFF"))
    # Little-endian TIFF: patch the ImageWidth (256) and ImageLength (257) entries of the first IFD.
    ifd = int.from_bytes(data[4:8], "little")
    for i in range(int.from_bytes(data[ifd : ifd + 2], "little")):
        entry = ifd + 2 + 12 * i
        tag = int.from_bytes(data[entry : entry + 2], "little")
        kind = int.from_bytes(data[entry + 2 : entry + 4], "little")
        if tag in (256, 257):
            value = width if tag == 256 else height
            size = 2 if kind == 3 else 4
            data[entry + 8 : entry + 8 + size] = value.to_bytes(size, "little")
    return bytes(data)


# name -> (bytes, the reason it is not analysed or None when it must be analysed)
HOSTILE: dict[str, tuple[Callable[[], bytes], str | None]] = {
    "16-bit grey PNG 7000x7000 (the 95 KB one of issue 13)": (
        lambda: crafted_png(7000, 7000, 16, 0, 1),
        None,
    ),
    "16-bit RGBA PNG 7000x7000": (lambda: crafted_png(7000, 7000, 16, 6, 4), None),
    "palette PNG with transparency 7000x7000": (lambda: crafted_png(7000, 7000, 8, 3, 1), None),
    "1-bit PNG 7000x7000": (lambda: crafted_png(7000, 7000, 1, 0, 1), None),
    "grey+alpha PNG 7000x7000": (lambda: crafted_png(7000, 7000, 8, 4, 2), None),
    "float TIFF 3000x3000": (
        lambda: encode(Image.new("F", (3000, 3000), 3.5), "TIFF", compression="tiff_deflate"),
        None,
    ),
    "JPEG 7000x7000": (lambda: encode(Image.new("RGB", (7000, 7000), (20, 90, 160)), "JPEG"), None),
    "progressive JPEG 4000x3000 sampled 4:2:0 (a phone's)": (
        lambda: encode(Image.new("RGB", (4000, 3000), (20, 90, 160)), "JPEG", progressive=True),
        None,
    ),
    "progressive JPEG 7000x7000 sampled 4:4:4 (280 MiB of coefficients, 0.2 MB)": (
        lambda: encode(
            Image.new("RGB", (7000, 7000), (20, 90, 160)), "JPEG", progressive=True, subsampling=0
        ),
        "too_large",
    ),
    "GIF 7000x7000": (lambda: encode(Image.new("P", (7000, 7000), 7), "GIF"), None),
    "animated GIF 2000x2000, 30 frames": (lambda: animated("GIF", 2000, 30), None),
    "animated PNG 2000x2000, 20 frames": (lambda: animated("PNG", 2000, 20), None),
    "truncated 16-bit PNG": (lambda: crafted_png(7000, 7000, 16, 0, 1, truncate=True), "corrupt"),
    "PNG cut inside its header": (lambda: crafted_png(8, 8, 8, 0, 1)[:20], "corrupt"),
    "TIFF claiming 60000x60000": (lambda: tiff_claiming(60_000, 60_000), "too_large"),
    "PNG over the pixel cap 7100x7100 RGBA": (lambda: crafted_png(7100, 7100, 8, 6, 4), "too_large"),
}


@cache
def _bytes(name: str) -> bytes:
    return HOSTILE[name][0]()


def test_each_hostile_photo_gets_a_verdict_and_the_others_are_analysed(
    nudenet_moderator: ImageModerator,
) -> None:
    good = [("good-1", encode(noise(300, 200, seed=3), "JPEG")), ("good-2", encode(noise(200, 300), "PNG"))]
    batch = [good[0], *((name, _bytes(name)) for name in HOSTILE), good[1]]
    verdicts = list(nudenet_moderator.verdicts(batch))
    for (name, _), verdict in zip(batch, verdicts, strict=True):
        expected = HOSTILE[name][1] if name in HOSTILE else None
        assert verdict.analysed is (expected is None), name
        assert verdict.reason == expected, name
    result = nudenet_moderator.analyze_batch(batch)
    reasons: dict[str, int] = {}
    for _, reason in HOSTILE.values():
        if reason:
            reasons[reason] = reasons.get(reason, 0) + 1
    assert result.status == AnalysisStatus.OK
    assert result.not_analysed_reasons == dict(sorted(reasons.items()))
    assert result.not_analysed == sum(reasons.values())
    assert result.analysed == len(batch) - result.not_analysed


@pytest.mark.skipif(not memory.proc_available(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("name", [n for n, (_, reason) in HOSTILE.items() if reason is None])
def test_decoding_a_hostile_photo_costs_about_its_decoded_pixels(name: str) -> None:
    data = _bytes(name)
    header = Image.open(io.BytesIO(data))
    full_size = decoded_bytes(header.mode, header.size)
    memory.reset_peak()
    before = memory.read(os.getpid())
    image = decode_image(data, side=320)
    peak = memory.own_peak()
    assert before is not None
    assert peak is not None
    assert max(image.size) <= 2 * 2 * 320  # reduced in its own mode before any conversion
    # The decoded pixels once, a quarter of them again (one band), and small working copies: not the
    # float32 and premultiplied full-size copies that cost 765 MiB before.
    assert peak - before.rss < 1.3 * full_size + 48 * MIB, (name, (peak - before.rss) / MIB)


def test_the_decode_budget_follows_the_functions_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "2048")
    assert max_decoded_bytes_from_env() == 256 * MIB
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
    assert max_decoded_bytes_from_env() == 64 * MIB
    rgba = crafted_png(4200, 4200, 8, 6, 4)  # 67 MiB decoded: over a 512 MB function's budget
    grey = crafted_png(4200, 4200, 16, 0, 1)  # 34 MiB decoded: under it
    with pytest.raises(_NotAnalysed) as refused:
        decode_image(rgba, side=320, max_decoded_bytes=max_decoded_bytes_from_env())
    assert refused.value.reason == "too_large"
    assert decode_image(grey, side=320, max_decoded_bytes=max_decoded_bytes_from_env()).mode == "RGB"
    assert decode_image(rgba, side=320, max_decoded_bytes=256 * MIB).mode == "RGB"


@pytest.mark.parametrize(
    ("kind", "subsampling", "coefficients"),
    [
        ("progressive", 0, 3 * 250 * 250 * 128),  # 4:4:4: every component in 250x250 blocks of 8x8
        ("progressive", 2, (250 * 250 + 2 * 125 * 125) * 128),  # 4:2:0: chroma in half as many each way
        ("one scan per component", 0, 3 * 250 * 250 * 128),
    ],
)
def test_a_jpeg_in_several_scans_counts_its_coefficients_against_the_budget(
    kind: str, subsampling: int, coefficients: int
) -> None:
    data = multi_scan(kind, 2000, subsampling)
    interleaved = encode(Image.open(io.BytesIO(data)).convert("RGB"), "JPEG", subsampling=subsampling)
    drafted = decoded_bytes("RGB", (500, 500))  # drafted at 1/4: the smallest scale still over 320 pixels
    assert coefficient_bytes(Image.open(io.BytesIO(data)), walk(data)) == coefficients
    assert coefficient_bytes(Image.open(io.BytesIO(interleaved)), walk(interleaved)) == 0
    assert decode_image(data, side=320, max_decoded_bytes=drafted + coefficients).size == (500, 500)
    with pytest.raises(_NotAnalysed) as refused:
        decode_image(data, side=320, max_decoded_bytes=drafted + coefficients - 1)
    assert refused.value.reason == "too_large"
    assert decode_image(interleaved, side=320, max_decoded_bytes=drafted).size == (500, 500)


_DRAFT_DECODE = """
import sys
from PIL import Image

def high_water():  # this process's own peak (getrusage's would carry the parent's over exec)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))

image = Image.open(sys.argv[1])
before = high_water()
image.draft("RGB", (320, 320))
image.load()
print(high_water() - before)
"""


def _added_peak(data: bytes, path: Path) -> int:
    """What decoding costs at its peak, drafted as the image step does, in a fresh process (in this one, memory
    freed by earlier tests is reused and hides it)."""
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", _DRAFT_DECODE, str(path)], capture_output=True, check=True)
    return int(done.stdout)


@pytest.mark.skipif(not memory.proc_available(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("kind", ["progressive", "one scan per component"])
def test_libjpeg_does_hold_a_multi_scan_jpegs_coefficients(kind: str, tmp_path: Path) -> None:
    data = multi_scan(kind, 4000)  # 96 MB of coefficients, 0.5 MB of pixels once drafted
    interleaved = encode(Image.open(io.BytesIO(data)).convert("RGB"), "JPEG", subsampling=0)
    coefficients = coefficient_bytes(Image.open(io.BytesIO(data)), walk(data))
    assert _added_peak(data, tmp_path / "multi.jpg") > 0.8 * coefficients, "what the count is for"
    assert _added_peak(interleaved, tmp_path / "one.jpg") < 0.1 * coefficients


def test_a_reduced_big_photo_keeps_its_content_and_orientation() -> None:
    # Left half dark, right half bright: the reduction must not blur or swap them.
    image = Image.new("L", (4000, 2000), 0)
    image.paste(255, (2000, 0, 4000, 2000))
    decoded = decode_image(encode(image, "PNG"), side=320)
    assert decoded.size == (667, 334)
    assert decoded.getpixel((10, 100)) == (0, 0, 0)
    assert decoded.getpixel((600, 100)) == (255, 255, 255)
