"""Hostile photos built in memory, for the image tests and `bench/analysis/bench_hostile_photos.py`: JPEGs that make
libjpeg buffer every coefficient of the frame, and files whose headers are millions of tiny segments (Pillow
parses those in Python before any pixel)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def one_scan_per_component(width: int, height: int) -> bytes:
    """A sequential (baseline) 3-component JPEG whose components come in three scans, not one interleaved scan:
    libjpeg must then buffer the whole frame's coefficients, as for a progressive one. Pillow writes no such file,
    so three greyscale JPEGs (the same tables) are spliced: their tables, one frame header, each one's scan."""
    plane = Image.linear_gradient("L").resize((width, height))
    grey = encode(plane, "JPEG", quality=90)
    tables, position = [], 2
    while grey[position + 1] != 0xDA:
        length = int.from_bytes(grey[position + 2 : position + 4], "big")
        if grey[position + 1] in (0xDB, 0xC4):  # quantisation and Huffman tables (ids 0)
            tables.append(grey[position : position + 2 + length])
        position += 2 + length
    entropy = grey[position + 2 + int.from_bytes(grey[position + 2 : position + 4], "big") : -2]
    frame = struct.pack(">BHHB", 8, height, width, 3)  # 8-bit samples, the size, three components
    frame += b"".join(bytes([component, 0x11, 0]) for component in (1, 2, 3))
    scans = b"".join(
        b"\xff\xda" + struct.pack(">HBBBBBB", 8, 1, component, 0x00, 0, 63, 0) + entropy
        for component in (1, 2, 3)
    )
    return (
        b"\xff\xd8"
        + b"".join(tables)
        + b"\xff\xc0"
        + struct.pack(">H", 2 + len(frame))
        + frame
        + scans
        + b"\xff\xd9"
    )


def multi_scan(kind: str, size: int, subsampling: int = 0) -> bytes:
    if kind == "one scan per component":
        return one_scan_per_component(size, size)
    return encode(
        Image.new("RGB", (size, size), (20, 90, 160)), "JPEG", progressive=True, subsampling=subsampling
    )


def segment_flood(fmt: str, megabytes: int) -> bytes:
    """A 64x64 image whose header carries `megabytes` MB of the smallest segments its format allows before the
    pixels: empty JPEG comments, 12-byte private PNG chunks, 5-byte GIF comment blocks."""
    size = megabytes * 1_000_000
    if fmt == "JPEG":
        image = encode(Image.new("RGB", (64, 64)), "JPEG")
        return image[:2] + b"\xff\xfe\x00\x02" * (size // 4) + image[2:]
    if fmt == "PNG":
        image = encode(Image.new("RGB", (64, 64)), "PNG")
        chunk = struct.pack(">I", 0) + b"prVt" + struct.pack(">I", zlib.crc32(b"prVt"))
        return image[:33] + chunk * (size // len(chunk)) + image[33:]  # after the signature and IHDR
    if fmt == "GIF":
        image = encode(Image.new("P", (64, 64)), "GIF")
        descriptor = image.index(b"\x2c")  # the image descriptor, after the global colour table
        return image[:descriptor] + b"\x21\xfe\x01x\x00" * (size // 5) + image[descriptor:]
    raise ValueError(fmt)
