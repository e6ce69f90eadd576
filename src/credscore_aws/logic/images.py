"""One AnalyzeImages Map iteration: moderate one batch of photos, each read from its archive by ranged reads.

The ONNX session is created once per warm execution environment (cached), not per call.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
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
# Photos fetched at once (see _photos): enough to hide S3's first-byte latency behind the model's ~15 ms and the
# decoder's ~30 ms per phone photo (bench/analysis/bench_photo_reads.py).
PHOTO_READ_AHEAD = 4
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


def _photos(refs: list[MediaRef], read_ahead: int = PHOTO_READ_AHEAD) -> Iterator[tuple[str, bytes | None]]:
    """(reference, bytes) per photo, in order, with up to `read_ahead` photos being fetched at once.

    Each photo is one ranged GET (the archive hints its whole range); S3 takes tens of milliseconds to a first
    byte, as long as the model takes per photo, so one read at a time would leave the model waiting. An archive's
    directory is read and parsed once, here; each reading thread reads through its own reader (a reader is not
    shared between threads) with that parsed directory, and they all end with the batch. Memory: one parsed
    directory per archive, `read_ahead` photos (each capped) and one reader's block cache per thread."""
    jobs = iter([(ref.archive, i, ref.member) for i, ref in enumerate(refs)])
    opened: dict[str, tuple[S3RangedReader, ArchiveMembers]] = {}
    local = threading.local()

    def submit(pool: ThreadPoolExecutor, job: tuple[str, int, str]) -> Future[tuple[str, bytes | None]]:
        archive = job[0]
        if archive not in opened:
            reader = S3RangedReader(s3_client(), settings().bucket_name, archive)
            members = ArchiveMembers(cast(BinaryIO, reader), MAX_PHOTO_BYTES)
            members.open()  # the directory, read, parsed and checked once for the batch
            opened[archive] = reader, members
        return pool.submit(fetch, job)

    def fetch(job: tuple[str, int, str]) -> tuple[str, bytes | None]:
        archive, i, member = job
        # One archive's reader per thread at a time: a batch's photos come archive after archive, and each reader
        # keeps a block cache (up to 16 MiB), so keeping every archive's made 23 archives × 4 threads hold 1.4 GiB.
        current: tuple[str, ArchiveMembers] | None = getattr(local, "current", None)
        if current is None or current[0] != archive:
            reader, members = opened[archive]
            current = local.current = archive, members.through(cast(BinaryIO, reader.fork()))
        return f"{archive}#{i}", current[1].read(member)

    with ThreadPoolExecutor(max(1, read_ahead), thread_name_prefix="photo-read") as pool:
        pending = deque(submit(pool, job) for job in islice(jobs, max(1, read_ahead)))
        try:
            while pending:
                photo = pending.popleft().result()
                job = next(jobs, None)
                if job is not None:
                    pending.append(submit(pool, job))
                yield photo
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
