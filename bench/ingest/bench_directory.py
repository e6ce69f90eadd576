"""Hostile archive directories: what opening one costs before zipfile would build an object per entry.

An end record may declare one entry above a central directory of millions (46 bytes each and a short name), and
zipfile builds every entry before anything can count them. `SafeArchive` now counts the entries from their headers
first (`archive._count_entries`) and caps the directory's size (`ArchiveLimits.max_directory_bytes`). Each case runs
in a fresh interpreter (the upload is built there, in memory), so its peak RSS is its own; `--as-before` skips the
count, as the code was before, to show what it prevented. The export case is a real export's shape at the entry
limit (200,000 photos under long Facebook paths): what an accepted archive's directory costs. The batch case is
the image step's view of it: the directory opened once and read by four threads (`PHOTO_READ_AHEAD`); before, each
thread parsed it again.

    .venv/bin/python bench/ingest/bench_directory.py [--write BENCHMARKS-ingest.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scaling import machine, write  # the same machine line and section writer

START, END = "<!-- directory:start -->", "<!-- directory:end -->"

_CHILD = r"""
import io, json, resource, struct, sys, time, zipfile
from credscore.ingest import archive
from credscore.ingest.archive import ArchiveMembers, ArchiveRejected, SafeArchive

shape, n, as_before = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
if shape == "lying":
    entries = b"".join(
        struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0)
        + b"%08d" % i
        for i in range(n)
    )
    upload = entries + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(entries), 0, 0)
else:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(n):
            zf.writestr(f"your_facebook_activity/posts/media/Mobileuploads_{i}/{i:09d}_{i:09d}_n.jpg", b"")
    upload = buffer.getvalue()
if as_before:
    archive._count_entries = lambda fileobj, directory, limit: 0
built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started, cpu = time.perf_counter(), time.process_time()
try:
    if shape == "batch":  # the image step: one view per reading thread, each with its own handle
        opened = ArchiveMembers(io.BytesIO(upload), 25 << 20)
        views = [
            ArchiveMembers(io.BytesIO(upload), 25 << 20) if as_before else opened.through(io.BytesIO(upload))
            for _ in range(4)
        ]
        outcome = "opened" if opened.open() and all(view.open() for view in views) else "refused"
    else:
        SafeArchive(io.BytesIO(upload))
        outcome = "opened"
except ArchiveRejected as exc:
    outcome = f"rejected ({exc.code})"
print(json.dumps({
    "upload_mb": len(upload) / 1e6,
    "seconds": time.perf_counter() - started,
    "cpu_seconds": time.process_time() - cpu,
    "added_rss_mib": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - built) / 1024,
    "outcome": outcome,
}))
"""

CASES = [
    ("1 declared, 250,000 in the directory", "lying", 250_000),
    ("1 declared, 1,000,000 in the directory", "lying", 1_000_000),
    ("1 declared, 3,000,000 in the directory", "lying", 3_000_000),
    ("a real export's shape, 200,000 photos (the limit)", "export", 200_000),
    ("that export in one image batch: opened, then read by 4 threads", "batch", 200_000),
]
BEFORE = {"lying": "before (no count)", "batch": "before (parsed per thread)"}


def run_one(shape: str, n: int, as_before: bool) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, shape, str(n), "1" if as_before else "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def section(before_up_to: int) -> str:
    lines = [
        START,
        "## Hostile directories (an end record that under-declares its entries)",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with `bench/ingest/bench_directory.py`. Machine: "
        f"{machine()}, Python {platform.python_version()}. Added RSS: the process's peak resident memory over what "
        "building the upload in memory had already taken (the ingest function has 1,280 MB).",
        "",
        "| directory | upload (MB) | code | open (s) | CPU (s) | added RSS (MiB) | outcome |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, shape, n in CASES:
        for as_before in (True, False):
            if as_before and (shape not in BEFORE or n > before_up_to):
                continue  # zipfile building millions of entries: what the fix is for, shown up to before_up_to
            r = run_one(shape, n, as_before)
            lines.append(
                f"| {label} | {float(r['upload_mb']):.0f} | {BEFORE[shape] if as_before else 'now'} | "  # type: ignore[arg-type]
                f"{float(r['seconds']):.2f} | {float(r['cpu_seconds']):.2f} | "  # type: ignore[arg-type]
                f"{float(r['added_rss_mib']):.0f} | {r['outcome']} |"  # type: ignore[arg-type]
            )
            print(lines[-1], flush=True)
    lines += [
        "",
        "Before, the entries were counted only after zipfile had built them all; the memory grows with the count "
        "(about 0.4 KiB per entry), so an upload of a few hundred megabytes, far under the 4 GiB form limit, would "
        "have killed the ingest function and failed the whole application instead of rejecting one source. Now "
        "a directory over 64 MiB is refused by its size alone (the 3,000,000 case) and the count stops one past "
        "the limit, reading 1 MiB of the directory at a time "
        "(`tests/ingest/test_archive_open_checks.py` holds a small version with a tracemalloc bound). The image "
        "step read each photo batch's archives with one parsed directory per reading thread; the threads now share "
        "one (`ArchiveMembers.through`; `tests/ingest/test_archive_member_reads.py`), so an accepted archive at the "
        "limit costs its directory once per batch (the image function has 1,769 MB, and a batch can hold photos "
        "of every archive).",
        END,
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-up-to", type=int, default=1_000_000, help="largest case also run as before")
    parser.add_argument(
        "--write", type=Path, help="replace the hostile-directory section of this Markdown file"
    )
    args = parser.parse_args(argv)
    text = section(args.before_up_to)
    print(text)
    if args.write:
        write(args.write, text, START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
