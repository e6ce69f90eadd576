"""Photo reads in the image function when S3 is slow to answer: the Lambda's real read path
(`credscore_aws.logic.images._photos`: one ranged GET per run of neighbouring photos up to `RUN_BYTES`, `read_ahead`
runs at once) feeding `analyze_batch`, on
one core as the function gets at its MemorySize, with S3's first-byte latency and per-connection throughput
played by a client that waits before answering (moto serves the bytes in-process).

The local stack answers a GET in milliseconds, so the end-to-end benchmark cannot show what S3's latency does to
a batch; here the latency is a parameter, swept, not a measurement of S3. Writes BENCHMARKS-photo-reads.md.

    python bench/analysis/bench_photo_reads.py [--photos 36] [--rounds 3] [--latencies 0 20 50 100]
        [--read-aheads 1 2 4] [--run-mib 0 8 16]
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import platform
import statistics
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "BENCHMARKS-photo-reads.md"
sys.path.insert(0, str(REPO / "bench"))

from hostinfo import cpu_model  # noqa: E402
from photos import CAMERA_SHAPES, bare_decode, camera_photos  # noqa: E402

BUCKET = "bench-photos"
KEY = "uploads/bench/facebook/part-1.zip"


class SlowS3:
    """An S3 client over one object held in memory, whose ranged GetObject answers after `first_byte` seconds plus
    the body at `throughput` bytes/s (the wait releases the GIL, as a socket read does). No emulator in the way:
    what is left is the read path's own work and the waits."""

    def __init__(self, data: bytes, first_byte: float, throughput: float) -> None:
        self.data = data
        self.first_byte = first_byte
        self.throughput = throughput
        self.requests = 0

    def head_object(self, **kwargs: Any) -> dict[str, Any]:
        return {"ContentLength": len(self.data)}

    def get_object(self, Range: str, **kwargs: Any) -> dict[str, Any]:
        start, stop = (int(part) for part in Range.removeprefix("bytes=").split("-"))
        body = self.data[start : stop + 1]
        self.requests += 1
        time.sleep(self.first_byte + len(body) / self.throughput)
        return {"Body": io.BytesIO(body), "ContentLength": len(body)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=36, help="camera-sized photos in the batch")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latencies", type=float, nargs="+", default=[0, 20, 50, 100], help="first byte, ms")
    parser.add_argument("--throughput", type=float, default=80.0, help="MB/s per connection")
    parser.add_argument("--read-aheads", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--run-mib", type=float, nargs="+", default=[0, 8, 16], help="RUN_BYTES in MiB (0: one photo per GET)"
    )
    parser.add_argument(
        "--first-mib",
        type=float,
        nargs="+",
        default=[0, 4],
        help="FIRST_RUN_BYTES in MiB, a batch's first run (0: as long as the others, no ramp)",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    # One core, as the image function has at its MemorySize (1,769 MB = one vCPU).
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    os.environ["BUCKET_NAME"] = BUCKET
    import numpy as np

    from credscore.analysis.images import ImageModerator
    from credscore.profile import MediaRef, Platform
    from credscore_aws.logic import images

    photos = camera_photos(args.photos, seed=11)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for i, data in enumerate(photos):
            zf.writestr(f"photos_and_videos/album/{i}.jpg", data)
    archive = buffer.getvalue()
    refs = [
        MediaRef(platform=Platform.FACEBOOK, archive=KEY, member=f"photos_and_videos/album/{i}.jpg", src=0)
        for i in range(len(photos))
    ]
    moderator = ImageModerator.from_model_cards(threads=1)
    session = moderator._models[0].session
    input_name = session.get_inputs()[0].name
    tensor = np.random.default_rng(0).random((1, 3, 320, 320), dtype=np.float32)

    def floor() -> float:
        started = time.perf_counter()
        for data in photos:
            bare_decode(data, 320)
            session.run(None, {input_name: tensor})
        return time.perf_counter() - started

    rows: list[tuple[float, float, float, int, float, float, int]] = []
    images.s3_client = lambda: SlowS3(archive, 0.0, args.throughput * 1e6)  # type: ignore[assignment]
    moderator.analyze_batch(images._photos(refs[:2]))  # warm the session and the code paths
    for latency in args.latencies:
        slow = SlowS3(archive, latency / 1000, args.throughput * 1e6)
        images.s3_client = lambda slow=slow: slow  # type: ignore[assignment]
        for run_mib, first_mib in itertools.product(args.run_mib, args.first_mib):
            if first_mib != args.first_mib[0] and (not run_mib or first_mib >= run_mib):
                continue  # one photo per GET, or no ramp below a run this short: the same as the first row
            images.RUN_BYTES = max(1, int(run_mib * 2**20))  # type: ignore[misc]
            images.FIRST_RUN_BYTES = int(first_mib * 2**20) or images.RUN_BYTES  # type: ignore[misc]
            for read_ahead in args.read_aheads:
                ratios, walls = [], []
                for _ in range(args.rounds):
                    bare = floor()
                    requests = slow.requests
                    started = time.perf_counter()
                    result = moderator.analyze_batch(images._photos(refs, read_ahead=read_ahead))
                    wall = time.perf_counter() - started
                    if result.analysed != len(photos):
                        raise SystemExit(f"only {result.analysed} of {len(photos)} photos analysed")
                    walls.append(wall)
                    ratios.append(bare / wall)
                    gets = slow.requests - requests
                row = (
                    latency,
                    run_mib,
                    min(first_mib, run_mib) if first_mib and run_mib else run_mib,
                    read_ahead,
                    statistics.median(walls),
                    statistics.median(ratios),
                    gets,
                )
                rows.append(row)
                print(row, flush=True)

    table = "\n".join(
        f"| {latency:.0f} | {f'{run_mib:g} MiB' if run_mib else 'one photo'} | "
        f"{f'{first:g} MiB' if run_mib else 'one photo'} | {read_ahead} | {gets} | "
        f"{len(photos) / wall:.1f} | {ratio:.2f} |"
        for latency, run_mib, first, read_ahead, wall, ratio, gets in rows
    )
    sizes = ", ".join(f"{w}×{h}" for w, h in CAMERA_SHAPES)
    report = f"""# Photo reads against S3's latency: one at a time or several ahead

{time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; pinned to 1 core (the image function's vCPU),
{cpu_model()} host with {os.cpu_count()} cores, 1-minute load average {os.getloadavg()[0]:.1f};
Python {platform.python_version()}.
Command: `python bench/analysis/bench_photo_reads.py --photos {args.photos} --rounds {args.rounds} --latencies \
{" ".join(f"{v:g}" for v in args.latencies)} --read-aheads {" ".join(map(str, args.read_aheads))} --run-mib \
{" ".join(f"{v:g}" for v in args.run_mib)} --first-mib {" ".join(f"{v:g}" for v in args.first_mib)}`.

What runs: the image function's own read path (`credscore_aws.logic.images._photos`: photos lying together in the
archive fetched by one ranged GET per run of at most `RUN_BYTES`, a batch's first run at most `FIRST_RUN_BYTES` and
each next one twice the one before; `read_ahead` runs fetched at once by a small thread pool) feeding
`ImageModerator.analyze_batch` (its prefetch thread decodes the next photo while the model runs), on {args.photos}
camera-sized JPEGs ({sizes}; 2–3 MB, stored in one zip). S3 is a client over the archive in memory that
answers each ranged GetObject after the first-byte latency in the table plus the body at {args.throughput:.0f} MB/s:
**assumed values, swept, not measured S3** (no AWS account here). Ratio = bare work (draft decode + one ONNX
run per photo, photos in memory, timed in the same round) / the path's wall time (1.00: reading costs nothing);
median of {args.rounds} rounds.

| S3 first byte (ms) | one GET holds | the first holds | GETs at once | GETs, batch | photos/s | ratio to bare |
|---|---|---|---|---|---|---|
{table}

Reading: with one read at a time every photo waits for its GET before its decode can start, so the batch runs
at the speed of S3, not of the model, as soon as the latency is a few tens of milliseconds; with reads ahead the
waits overlap the model and the decoder, and the batch stays near the bare work. `PHOTO_READ_AHEAD` and
`RUN_BYTES` (src/credscore_aws/logic/images.py) are the runs in flight and their size; memory grows by that many
runs (each up to `RUN_BYTES`, or one photo up to its 25 MiB cap), held twice while a run is read out, and one
block cache per reading thread.
"""
    args.out.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
