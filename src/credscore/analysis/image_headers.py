"""Cheap walks over an image file's segments before Pillow parses them.

Pillow parses a JPEG's segments before its first scan, a PNG's chunks and a GIF's blocks before its first image in
Python, keeping something for each: a 24 MB file of empty segments costs 5-17 s and 230-680 MiB
(BENCHMARKS-hostile-photos.md), far beyond any photo. A photo has tens of segments (EXIF, XMP, an ICC profile in
64 KB pieces, a thumbnail); the walk counts them up to `MAX_SEGMENTS` and stops, so it costs at most that many
steps. The JPEG walk also finds how many components the first scan holds, which says whether libjpeg must buffer
the whole frame (see `coefficient_bytes`) and run every later scan over it (`scans`).
"""

from __future__ import annotations

from dataclasses import dataclass

# Far above a real photo (a 25 MiB PNG in 8 KB IDAT chunks has ~3,200, not counted here; a JPEG a few dozen), far
# below what costs Pillow noticeable time or memory (~3 us and ~70 bytes each).
MAX_SEGMENTS = 10_000
# PNG image data chunks, counted apart: 100,000 is 262 bytes each in a 25 MiB photo (no encoder writes them so
# small); two million empty ones cost Pillow 6 s.
MAX_DATA_CHUNKS = 100_000
# JPEG scans (SOS markers) in the whole file, an embedded EXIF thumbnail's included: a progressive photo has about
# ten, a baseline one one. In a JPEG decoded in several scans libjpeg runs every scan over the whole coefficient
# buffer, so a 417 KB progressive 7000×7000 file that repeats its last scan 3,000 times took 115 s to decode; 100
# scans of that frame take ~4 s. A JPEG whose first scan holds every component (a camera's baseline photo) is
# decoded in that one scan: libjpeg stops with an error at a second one, so its scans are not counted (counting
# reads the whole file, ~3 ms of a 3 MB photo).
MAX_SCANS = 100


@dataclass(frozen=True)
class Segments:
    count: int  # segments walked, capped at MAX_SEGMENTS + 1
    first_scan_components: int | None = None  # JPEG: components in the first scan (SOS); None if not reached
    data_chunks: int = 0  # PNG: IDAT and fdAT chunks, capped at MAX_DATA_CHUNKS + 1

    @property
    def too_many(self) -> bool:
        return self.count > MAX_SEGMENTS or self.data_chunks > MAX_DATA_CHUNKS


def walk(data: bytes) -> Segments:
    """The segments of a JPEG (before its first scan), PNG (every chunk but image data) or GIF (blocks and
    sub-blocks before its first image); other formats are not walked (count 0)."""
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png(data)
    if data.startswith((b"GIF87a", b"GIF89a")):
        return _gif(data)
    return Segments(0)


def scans(data: bytes) -> int:
    """A JPEG's scans (SOS markers) anywhere in the file. Asked only once Pillow has read the header as a JPEG
    decoded in several scans (bytes that are no JPEG hold FF DA at random). Counted exactly by a byte search:
    entropy-coded data stuffs every 0xFF with 0x00, so FF DA is always a marker."""
    return data.count(b"\xff\xda")


def too_many_scans(data: bytes) -> bool:
    return scans(data) > MAX_SCANS


def _jpeg(data: bytes) -> Segments:
    position, count = 2, 0  # after SOI
    while position + 4 < len(data) and count <= MAX_SEGMENTS:
        if data[position] != 0xFF:
            break
        marker = data[position + 1]
        count += 1
        if marker == 0x00:
            # libjpeg skips FF 00 as stray bytes and reads on; read as a length here it would jump over a real scan
            # to one the file placed further on. The first scan is then unknown (None): counted as several scans.
            break
        if marker == 0xFF:  # a fill byte
            position += 1
        elif 0xD0 <= marker <= 0xD8 or marker == 0x01:  # markers without a length
            position += 2
        elif marker == 0xDA:
            return Segments(count, data[position + 4])
        else:
            position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return Segments(count)


def _png(data: bytes) -> Segments:
    position, count, data_chunks = 8, 0, 0
    while position + 8 <= len(data) and count <= MAX_SEGMENTS and data_chunks <= MAX_DATA_CHUNKS:
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        if kind in (b"IDAT", b"fdAT"):  # image data comes in as many chunks as the encoder likes
            data_chunks += 1
        else:
            count += 1
        if kind == b"IEND":
            break
        position += 12 + length
    return Segments(count, data_chunks=data_chunks)


def _gif(data: bytes) -> Segments:
    position, count = 13, 0  # after the header and the logical screen descriptor
    if len(data) > 10 and data[10] & 0x80:  # a global colour table
        position += 3 << ((data[10] & 0x07) + 1)
    while position < len(data) and count <= MAX_SEGMENTS:
        if data[position] != 0x21:  # not an extension: the first image (0x2C), the end or damage
            break
        position += 2  # introducer and label
        while position < len(data) and count <= MAX_SEGMENTS:  # sub-blocks, up to an empty one
            count += 1
            size = data[position]
            position += 1 + size
            if size == 0:
                break
    return Segments(count)
