"""One AnalyzeImages Map iteration: moderate one batch of photos, each read from its archive by ranged reads.

The ONNX session is created once per warm execution environment (cached), not per call.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from typing import BinaryIO, cast

from credscore.analysis.images import ImageModerator
from credscore.evidence import Cap, ImageAnalysis
from credscore.ingest.archive import ArchiveMembers
from credscore.json_stream import iter_array
from credscore.profile import MediaRef
from credscore_aws.dal.analysis_io import object_reader
from credscore_aws.dal.s3io import S3RangedReader
from credscore_aws.dal.storage import s3_client
from credscore_aws.models.states import ImageBatchInput
from credscore_aws.runtime import logger
from credscore_aws.settings import settings

MAX_PHOTO_BYTES = 25 * 1024 * 1024
# Ingest writes batches of IMAGE_BATCH_SIZE photos (at most 2000, the template's MaxValue); a manifest
# written otherwise (an earlier version) is streamed and cut here, so memory does not grow with it.
MAX_PHOTOS_PER_BATCH = 2000
# Runs of photos fetched at once (see _photos): enough to hide S3's first-byte latency behind the model's ~15 ms and
# the decoder's ~30 ms per phone photo (bench/analysis/bench_photo_reads.py).
PHOTO_READ_AHEAD = 4
# Photos lying one after another in an archive are fetched together, up to this many bytes in one GET: each GET
# costs its own request overhead (botocore's and S3's, and the local stack's) whatever its size. A run's photos
# also decompress to at most this many bytes (a run is read out whole: 500 deflated 4 MiB photos of zeros lie in
# 2 MB). A batch's first run is FIRST_RUN_BYTES and each next one twice the one before up to RUN_BYTES: the first
# photo waits only for a short GET, the rest come in few (BENCHMARKS-photo-reads.md). At most the reader's block
# cache (S3RangedReader.will_need fetches that much in one GET; a longer run would cost more GETs).
RUN_BYTES = 16 * 1024 * 1024
FIRST_RUN_BYTES = 4 * 1024 * 1024
# Bytes between two photos (other members) still fetched rather than splitting the run.
RUN_GAP_BYTES = 64 * 1024
# Time kept back from the function's timeout: no photo is started after it, so the batch writes its result instead
# of timing out. A hostile photo can be slow to parse without being large (a flood of tiny segments cost 6-20 s
# before the segment walk refused them: BENCHMARKS-hostile-photos.md); this bounds whatever else is.
TIME_RESERVE_SECONDS = 60.0


@cache
def moderator() -> ImageModerator:
    return ImageModerator.from_model_cards(threads=settings().ort_threads)


def moderate_batch(request: ImageBatchInput, time_left: Callable[[], float] | None = None) -> ImageAnalysis:
    """The batch's photos moderated; `time_left` (seconds, the Lambda context's) stops it while TIME_RESERVE_SECONDS
    remain, the photos not reached recorded as left out for time rather than the whole batch failing at the
    timeout (its retry would fail the same way)."""
    refs, capped = _batch(request.batch)
    deadline = None if time_left is None else (lambda: time_left() < TIME_RESERVE_SECONDS)
    result = moderator().analyze_batch(_photos(refs), deadline)
    reached = result.analysed + result.not_analysed
    if reached < len(refs):
        result.caps.append(
            Cap(items="photos", analysed=reached, capped=len(refs) - reached, reason="time_limit")
        )
    if capped:
        result.caps.append(Cap(items="photos", analysed=len(refs), capped=capped))
    logger.info(
        "batch moderated",
        extra={
            "analysed": result.analysed,
            "not_analysed": result.not_analysed,
            "reasons": result.not_analysed_reasons,
            "capped": capped,
            "not_reached_in_time": len(refs) - reached,
        },
    )
    return result


@dataclass
class _Run:
    """Photos of one archive read with one ranged GET: (index in the batch, member) and the bytes they take."""

    archive: str
    photos: list[tuple[int, str]] = field(default_factory=list)
    start: int = 0
    stop: int = 0
    last_start: int = 0  # where its last photo starts
    size: int = 0  # what its photos decompress to


def run_limits(first: int | None = None, most: int | None = None) -> Iterator[int]:
    """Each run's byte limit in turn: `first` (FIRST_RUN_BYTES), then doubling, then `most` (RUN_BYTES) for every
    run after."""
    most = RUN_BYTES if most is None else most
    limit = min(FIRST_RUN_BYTES if first is None else first, most)
    while True:
        yield limit
        limit = min(most, limit * 2)


def _runs(
    refs: list[MediaRef],
    extent: Callable[[str, str], tuple[int, int, int] | None],
    limits: Iterator[int] | None = None,
) -> Iterator[_Run]:
    """The batch's photos in order, cut into runs: a photo joins the run before it when it is in the same archive
    and starts after the run's last photo, at most RUN_GAP_BYTES past the run's end, and the run stays within
    its limit (the next of `limits`, default `run_limits()`), both its bytes in the archive and what they
    decompress to. A photo the archive will not give (`extent` None) is a run of its own, and costs no GET."""
    limits = run_limits() if limits is None else limits
    run: _Run | None = None
    limit = 0
    for i, ref in enumerate(refs):
        span = extent(ref.archive, ref.member)
        if (
            run is not None
            and span is not None
            and run.stop
            and run.archive == ref.archive
            and run.last_start < span[0] <= run.stop + RUN_GAP_BYTES
            and max(run.stop, span[1]) - run.start <= limit
            and run.size + span[2] <= limit
        ):
            run.photos.append((i, ref.member))
            run.stop, run.last_start, run.size = max(run.stop, span[1]), span[0], run.size + span[2]
            continue
        if run is not None:
            yield run
        start, stop, size = span or (0, 0, 0)
        run = _Run(ref.archive, [(i, ref.member)], start, stop, start, size)
        if span is not None:
            limit = next(limits)
    if run is not None:
        yield run


def _photos(refs: list[MediaRef], read_ahead: int = PHOTO_READ_AHEAD) -> Iterator[tuple[str, bytes | None]]:
    """(reference, bytes) per photo, in order, with up to `read_ahead` runs of photos being fetched at once.

    Photos next to each other in an archive come in one ranged GET (`_runs`); S3 takes tens of milliseconds to a
    first byte, as long as the model takes per photo, so one read at a time would leave the model waiting. An
    archive's directory is read and parsed once, here; each reading thread reads through its own reader (a reader
    is not shared between threads) with that parsed directory, and they all end with the batch. Memory: one parsed
    directory per archive, `read_ahead` runs (each up to RUN_BYTES, or one photo up to its cap) fetched and read
    out, and one reader's block cache per thread."""
    opened: dict[str, tuple[S3RangedReader, ArchiveMembers]] = {}
    local = threading.local()

    def members(archive: str) -> ArchiveMembers:
        if archive not in opened:
            reader = S3RangedReader(s3_client(), settings().bucket_name, archive)
            archive_members = ArchiveMembers(cast(BinaryIO, reader), MAX_PHOTO_BYTES)
            archive_members.open()  # the directory, read, parsed and checked once for the batch
            opened[archive] = reader, archive_members
        return opened[archive][1]

    def fetch(run: _Run) -> list[tuple[str, bytes | None]]:
        # One archive's reader per thread at a time: a batch's photos come archive after archive, and each reader
        # keeps a block cache (up to 16 MiB), so keeping every archive's made 23 archives × 4 threads hold 1.4 GiB.
        current: tuple[str, S3RangedReader, ArchiveMembers] | None = getattr(local, "current", None)
        if current is None or current[0] != run.archive:
            reader, archive_members = opened[run.archive]
            twin = reader.fork()
            current = local.current = run.archive, twin, archive_members.through(cast(BinaryIO, twin))
        if run.stop > run.start:
            current[1].will_need(run.start, run.stop)
        return [(f"{run.archive}#{i}", current[2].read(member)) for i, member in run.photos]

    runs = _runs(refs, lambda archive, member: members(archive).extent(member))
    with ThreadPoolExecutor(max(1, read_ahead), thread_name_prefix="photo-read") as pool:
        pending = deque(pool.submit(fetch, run) for run in islice(runs, max(1, read_ahead)))
        try:
            while pending:
                photos = pending.popleft().result()
                run = next(runs, None)
                if run is not None:
                    pending.append(pool.submit(fetch, run))
                yield from photos
        finally:
            for future in pending:  # closed early (or a read failed): the rest is not wanted
                future.cancel()


def _batch(key: str) -> tuple[list[MediaRef], int]:
    """The batch's first MAX_PHOTOS_PER_BATCH photo references, and how many more it lists."""
    refs: list[MediaRef] = []
    capped = 0
    with object_reader(key) as read:
        for item in iter_array(read):
            if len(refs) < MAX_PHOTOS_PER_BATCH:
                refs.append(MediaRef.model_validate(item))
            else:
                capped += 1
    return refs, capped
