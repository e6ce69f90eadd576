"""Seconds per ranged GET (and HEAD) of a large object on the local stack's moto server, with moto as it is and
with `credscore_local.s3_ranges` installed. A local-stack measurement: S3 itself is not involved.

    python bench/e2e/moto_ranged_get.py [--mib 270] [--requests 20]

Prints a table; writes nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from credscore_local import s3_ranges  # noqa: E402
from credscore_local.deployment import FAKE_CREDENTIALS, aws_client, free_port  # noqa: E402


def _timed(call: object, count: int) -> float:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mib", type=int, default=270, help="object size in MiB")
    parser.add_argument("--requests", type=int, default=20, help="requests per measure (the median is shown)")
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ.update(FAKE_CREDENTIALS)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        s3 = aws_client(f"http://127.0.0.1:{port}", "s3")
        s3.create_bucket(Bucket="bench")
        size = args.mib << 20
        s3.put_object(Bucket="bench", Key="archive.zip", Body=os.urandom(size))
        rng = random.Random(1)

        def ranged(length: int) -> object:
            def call() -> None:
                start = rng.randrange(0, size - length)
                body = s3.get_object(
                    Bucket="bench", Key="archive.zip", Range=f"bytes={start}-{start + length - 1}"
                )
                assert len(body["Body"].read()) == length

            return call

        def head() -> None:
            s3.head_object(Bucket="bench", Key="archive.zip", ChecksumMode="ENABLED")

        print(
            f"{args.mib} MiB object; median of {args.requests} requests; load average {os.getloadavg()[0]:.1f}"
        )
        print("| request | moto 5.2.5 (s) | with s3_ranges (s) |")
        print("|---|---|---|")
        rows = {"ranged GET, 1 KB": ranged(1024), "ranged GET, 3 MB": ranged(3 << 20), "HEAD": head}
        results: dict[str, list[float]] = {name: [] for name in rows}
        for patched in (False, True):
            if patched:
                s3_ranges.install()
                assert s3_ranges.installed()
            for name, call in rows.items():
                results[name].append(_timed(call, args.requests))
        for name, (before, after) in results.items():
            print(f"| {name} | {before:.4f} | {after:.4f} |")
    finally:
        s3_ranges.uninstall()
        server.stop()


if __name__ == "__main__":
    main()
