"""The segment walk run before Pillow parses a photo (credscore.analysis.image_headers): real photos pass with a
handful of segments, floods of empty segments are refused at MAX_SEGMENTS + 1 steps whatever their size, and the
JPEG walk finds the first scan among hostile markers."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image

from credscore.analysis import image_headers
from credscore.analysis.image_headers import (
    MAX_DATA_CHUNKS,
    MAX_SCANS,
    MAX_SEGMENTS,
    scans,
    too_many_scans,
    walk,
)
from credscore.analysis.images import ImageModerator, _NotAnalysed, decode_image

from .hostile_images import encode, multi_scan, one_scan_per_component, segment_flood


def _photo_with_metadata() -> bytes:
    """A JPEG as a phone writes it: EXIF (with a thumbnail), an ICC profile over two segments, a comment."""
    thumbnail = encode(Image.new("RGB", (160, 120), (9, 9, 9)), "JPEG")
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Phone"
    return encode(
        Image.new("RGB", (640, 480), (200, 120, 40)),
        "JPEG",
        exif=exif.tobytes() + thumbnail,
        icc_profile=bytes(100_000),
        comment=b"shot on a phone",
    )


@pytest.mark.parametrize(
    ("fmt", "build", "most"),
    [
        ("JPEG", _photo_with_metadata, 20),
        ("JPEG", lambda: multi_scan("progressive", 500), 20),
        ("PNG", lambda: encode(Image.new("RGBA", (900, 700)), "PNG", pnginfo=_text_chunks()), 20),
        ("GIF", lambda: encode(Image.new("P", (300, 200)), "GIF", comment=b"x" * 2000), 20),
    ],
)
def test_a_real_photo_has_a_handful_of_segments(fmt: str, build: object, most: int) -> None:
    data = build()  # type: ignore[operator]
    segments = walk(data)
    assert 1 <= segments.count <= most
    assert not segments.too_many
    assert Image.open(io.BytesIO(data)).format == fmt


def _text_chunks() -> object:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    for i in range(5):
        info.add_text(f"key{i}", "value " * 50, zip=bool(i % 2))
    return info


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF"])
def test_a_flood_of_segments_is_refused_after_the_limit_whatever_its_size(fmt: str) -> None:
    flood = segment_flood(fmt, 1)  # tens of thousands of empty segments in 1 MB
    segments = walk(flood)
    assert segments.count == MAX_SEGMENTS + 1, "the walk stops one past the limit"
    assert segments.too_many
    with pytest.raises(_NotAnalysed) as refused:
        decode_image(flood, side=320)
    assert refused.value.reason == "corrupt"


def test_a_png_in_many_image_data_chunks_is_a_photo() -> None:
    # Encoders split the pixels into as many IDAT chunks as they like (8 KB each is common): not counted.
    png = encode(Image.effect_noise((1200, 1200), 64).convert("RGB"), "PNG")
    chunks, position = [], 8
    while position < len(png):
        length = int.from_bytes(png[position : position + 4], "big")
        chunks.append(png[position : position + 12 + length])
        position += 12 + length
    idat = b"".join(c[8:-4] for c in chunks if c[4:8] == b"IDAT")

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    split = b"".join(chunk(b"IDAT", idat[i : i + 256]) for i in range(0, len(idat), 256))
    rebuilt = png[:8] + chunks[0] + split + chunk(b"IEND", b"")
    assert len(idat) // 256 > MAX_SEGMENTS
    assert walk(rebuilt).count == 2  # IHDR and IEND
    assert walk(rebuilt).data_chunks == -(-len(idat) // 256)
    assert decode_image(rebuilt, side=320).size == (1200, 1200)


def test_the_moderator_records_a_flood_as_unreadable(nudenet_moderator: ImageModerator) -> None:
    result = nudenet_moderator.analyze_batch(
        [("flood", segment_flood("PNG", 1)), ("ok", _photo_with_metadata())]
    )
    assert (result.analysed, result.not_analysed, result.not_analysed_reasons) == (1, 1, {"corrupt": 1})


@pytest.mark.parametrize(
    ("data", "components"),
    [
        (b"\xff\xd8\xff\xff\xff\xda\x00\x08\x02", 2),  # fill bytes before the scan
        (b"\xff\xd8\xff\xd0\xff\x01\xff\xda\x00\x08\x01", 1),  # markers without a length
        (b"\xff\xd8\xff\xe1\x00\x06\xff\xda\x00\x01\xff\xda\x00\x08\x03", 3),  # a scan inside APP1 is skipped
        (b"\xff\xd8\xff\xe0\x00\x00\xff\xda\x00\x08\x01", None),  # a zero length lands off the markers
        (b"\xff\xd8\xff\xe0\xff\xff", None),  # a length past the end
        (b"\xff\xd8" + b"\xff" * 1000, None),  # nothing but fill
        (b"\xff\xd8\x00\x00\x00\x00", None),  # not a marker
    ],
)
def test_the_first_scan_is_found_among_hostile_markers(data: bytes, components: int | None) -> None:
    assert walk(data).first_scan_components == components


def test_a_png_of_empty_image_data_chunks_is_refused_after_their_own_limit() -> None:
    png = segment_flood("PNG", 0)  # the 64x64 PNG itself
    empty = struct.pack(">I", 0) + b"IDAT" + struct.pack(">I", zlib.crc32(b"IDAT"))
    flood = png[:33] + empty * (MAX_DATA_CHUNKS + 5) + png[33:]
    segments = walk(flood)
    assert (segments.count, segments.data_chunks) == (1, MAX_DATA_CHUNKS + 1)
    with pytest.raises(_NotAnalysed):
        decode_image(flood, side=320)
    under = png[:33] + empty * (MAX_DATA_CHUNKS - 10) + png[33:]
    assert not walk(under).too_many


def _repeated_last_scan(times: int) -> bytes:
    """A progressive JPEG whose last scan (SOS header and its entropy-coded data) is repeated `times` more times
    before EOI: libjpeg runs each scan over the whole frame's coefficients."""
    data = multi_scan("progressive", 64)
    last = data.rindex(b"\xff\xda")
    return data[:-2] + data[last:-2] * times + data[-2:]


def test_a_jpeg_with_more_scans_than_any_photo_is_refused_before_it_is_decoded() -> None:
    # 3,000 repeats of a 7000×7000 progressive photo's last scan made a 417 KB file that took 115 s to decode.
    real = scans(multi_scan("progressive", 500))
    assert 1 < real <= 20
    assert not too_many_scans(multi_scan("progressive", 500))
    assert scans(_repeated_last_scan(MAX_SCANS - real)) == MAX_SCANS
    assert not too_many_scans(_repeated_last_scan(MAX_SCANS - real))
    assert too_many_scans(_repeated_last_scan(MAX_SCANS - real + 1))
    assert decode_image(_repeated_last_scan(MAX_SCANS - real), 64).size == (64, 64), "decodes up to the cap"
    with pytest.raises(_NotAnalysed) as refused:
        decode_image(_repeated_last_scan(3_000), 320, True, 1 << 30)
    assert refused.value.reason == "corrupt"
    # Bytes that are no JPEG after its first four hold FF DA at random (400 times in 25 MiB): still "unsupported",
    # as Pillow finds, not "corrupt" for their scans.
    noise = b"\xff\xd8\xff\xe0" + random.Random(0).randbytes(100_000) + b"\xff\xda" * (MAX_SCANS + 1)
    assert too_many_scans(noise)
    with pytest.raises(_NotAnalysed) as unsupported:
        decode_image(noise, 64)
    assert unsupported.value.reason == "unsupported"


@pytest.mark.parametrize("kind", ["progressive", "one scan per component"])
def test_the_scans_of_a_jpeg_decoded_in_several_scans_are_counted(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[int] = []
    monkeypatch.setattr(image_headers, "scans", lambda data: counted.append(len(data)) or 0)
    data = multi_scan(kind, 64)
    assert decode_image(data, 64).size == (64, 64)
    assert counted == [len(data)]


def test_a_jpeg_decoded_in_one_scan_is_not_searched_for_more_as_libjpeg_stops_at_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Counting reads the whole file (~3 ms of a phone's 3 MB photo); a sequential JPEG whose first scan holds every
    # component is decoded in that scan, and a later scan is an error to libjpeg, not more work.
    baseline = encode(Image.new("RGB", (64, 64), (20, 90, 160)), "JPEG")
    first = baseline.index(b"\xff\xda")
    repeated = baseline[:-2] + baseline[first:-2] * 3_000 + baseline[-2:]
    assert scans(repeated) == 3_001
    counted: list[int] = []
    monkeypatch.setattr(image_headers, "scans", lambda data: counted.append(len(data)) or 0)
    assert decode_image(baseline, 64).size == (64, 64)
    with pytest.raises(_NotAnalysed) as refused:
        decode_image(repeated, 64)
    assert refused.value.reason == "corrupt", "libjpeg refuses the second scan of a one-scan frame"
    assert counted == []


def test_a_stray_ff_00_cannot_hide_the_first_scan_from_the_walk() -> None:
    # libjpeg skips FF 00 and reads on; read as a segment length it would jump over the real first scan (one
    # component of three: decoded in several scans) to a forged one holding all three, and the scans would go
    # uncounted. The walk stops there instead (first scan unknown), so the scans are counted and capped.
    data = one_scan_per_component(64, 64)
    first = data.index(b"\xff\xda")
    second = data.index(b"\xff\xda", first + 2)
    real_scan = data[first:second]
    forged = b"\xff\xda" + struct.pack(">HB", 12, 3) + bytes([1, 0, 2, 0, 3, 0, 0, 63, 0]) + bytes(8)
    hostile = data[:first] + b"\xff\x00" + struct.pack(">H", 2 + len(real_scan)) + real_scan
    hostile += forged * 3_000 + data[second:]
    assert walk(hostile).first_scan_components is None
    with pytest.raises(_NotAnalysed) as refused:
        decode_image(hostile, 64)
    assert refused.value.reason == "corrupt"
