"""Hostile photos: what one costs the image function to decode, in CPU and memory, and what it is recorded as.

Two kinds, both within the 25 MiB a photo may have: JPEGs that make libjpeg hold every DCT coefficient of the
frame whatever size `draft` asks for (progressive, or a sequential scan per component), which the decode budget
now counts; and files whose headers are millions of tiny segments, which Pillow parses in Python before any pixel,
which the segment walk now refuses (`credscore/analysis/image_headers.py`). A camera's JPEG is the reference. Each
photo is decoded in a fresh interpreter (its peak is its own), as the image step does (`decode_image`, the budget a
1,769 MB function gives one decode); "before" repeats the hostile ones without the new checks (an unlimited budget,
no segment walk): what decoding them cost until now.

    .venv/bin/python bench/analysis/bench_hostile_photos.py [--out BENCHMARKS-hostile-photos.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # the hostile builders live with the tests that use them
sys.path.insert(0, str(REPO / "bench" / "ingest"))
from bench_scaling import machine  # noqa: E402

from tests.analysis.hostile_images import encode, multi_scan, segment_flood  # noqa: E402

_CHILD = r"""
import json, sys, time
from credscore.analysis import image_headers
from credscore.analysis.images import _NotAnalysed, decode_image

def high_water():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))

data = open(sys.argv[1], "rb").read()
budget = int(sys.argv[2])
if sys.argv[3] == "before":
    image_headers.MAX_SEGMENTS = image_headers.MAX_DATA_CHUNKS = 1 << 62
before, cpu = high_water(), time.process_time()
try:
    outcome = "analysed at %dx%d" % decode_image(data, side=320, max_decoded_bytes=budget).size
except _NotAnalysed as refused:
    outcome = f"not analysed: {refused.reason}"
print(json.dumps({"cpu": time.process_time() - cpu, "added": high_water() - before, "outcome": outcome}))
"""

LAMBDA_BUDGET = 1769 * 1024 * 1024 // 8  # max_decoded_bytes_from_env() at the image function's MemorySize


def _empty_idat_flood(count: int) -> bytes:
    png = segment_flood("PNG", 0)
    empty = struct.pack(">I", 0) + b"IDAT" + struct.pack(">I", zlib.crc32(b"IDAT"))
    return png[:33] + empty * count + png[33:]


def _camera() -> bytes:
    return encode(Image.linear_gradient("L").resize((4000, 3000)).convert("RGB"), "JPEG", quality=90)


CASES: list[tuple[str, Callable[[], bytes], bool]] = [  # label, builder, hostile (also run as before)
    ("camera JPEG 4000x3000, one interleaved scan (reference)", _camera, False),
    ("progressive JPEG 4000x4000 sampled 4:2:0", lambda: multi_scan("progressive", 4000, 2), False),
    ("progressive JPEG 7000x7000 sampled 4:4:4", lambda: multi_scan("progressive", 7000), True),
    (
        "sequential JPEG 7000x7000, a scan per component",
        lambda: multi_scan("one scan per component", 7000),
        True,
    ),
    ("JPEG with 24 MB of empty comment segments", lambda: segment_flood("JPEG", 24), True),
    ("PNG with 24 MB of empty private chunks", lambda: segment_flood("PNG", 24), True),
    ("PNG with 2,000,000 empty image data chunks", lambda: _empty_idat_flood(2_000_000), True),
    ("GIF with 20 MB of comment blocks", lambda: segment_flood("GIF", 20), True),
]


def run_one(path: Path, budget: int, when: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(budget), when],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def report() -> str:
    lines = [
        "# Hostile photos: decode cost and outcome per photo",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with `bench/analysis/bench_hostile_photos.py`. Machine: "
        f"{machine()}, Python {platform.python_version()}. Decode budget: {LAMBDA_BUDGET / 2**20:.0f} MiB (the "
        "image function's MemorySize / 8). Added peak: the process's resident high-water mark over what it held "
        "with the file read.",
        "",
        "| photo | file (MB) | checks | outcome | CPU (s) | added peak (MiB) |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        for label, build, hostile in CASES:
            path = Path(folder) / "photo"
            data = build()
            path.write_bytes(data)
            for name, budget in [("now", LAMBDA_BUDGET)] + ([("before", 1 << 40)] if hostile else []):
                r = run_one(path, budget, name)
                lines.append(
                    f"| {label} | {len(data) / 1e6:.1f} | {name} | {r['outcome']} | {float(r['cpu']):.2f} | "  # type: ignore[arg-type]
                    f"{int(r['added']) / 2**20:.0f} |"  # type: ignore[call-overload]
                )
                print(lines[-1], flush=True)
    lines += [
        "",
        "A JPEG in several scans costs its coefficients (2 bytes each, 64 per 8×8 block of every component) "
        "however small it is drafted, so the budget counts them (`coefficient_bytes` in "
        "`credscore/analysis/images.py`; tests/analysis/test_image_bombs.py measures the premise and the edges). "
        "The segment floods decode to nothing unusual but cost seconds of Python and hundreds of MiB each; a photo "
        "has tens of segments, so the walk refuses one with more than 10,000 (or 100,000 PNG image data chunks) "
        "as corrupt after at most that many steps (tests/analysis/test_image_headers.py). Whatever else is slow, "
        "a batch starts no photo once less than `TIME_RESERVE_SECONDS` of its time is left and records the photos "
        "it did not reach as `time_limit` (tests/unit/test_photo_reads.py, tests/analysis/test_images.py).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "BENCHMARKS-hostile-photos.md")
    args = parser.parse_args(argv)
    text = report()
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
