"""One AnalyzeImages Map iteration: moderate one batch of photos, each read from its archive by ranged reads.

The ONNX session is created once per warm execution environment (cached), not per call.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import BinaryIO, cast

from credscore.analysis.images import ImageModerator
from credscore.evidence import Cap, ImageAnalysis
from credscore.ingest.archive import read_member
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


@cache
def moderator() -> ImageModerator:
    return ImageModerator.from_model_cards(threads=settings().ort_threads)


def moderate_batch(request: ImageBatchInput) -> ImageAnalysis:
    refs, capped = _batch(request.batch)
    result = moderator().analyze_batch(_photos(refs))
    if capped:
        result.caps = [Cap(items="photos", analysed=len(refs), capped=capped)]
    logger.info(
        "batch moderated",
        extra={
            "analysed": result.analysed,
            "not_analysed": result.not_analysed,
            "reasons": result.not_analysed_reasons,
            "capped": capped,
        },
    )
    return result


def _photos(refs: list[MediaRef]) -> Iterator[tuple[str, bytes | None]]:
    """(reference, bytes) per photo, archive by archive so each archive's directory is read once."""
    by_archive: dict[str, list[MediaRef]] = {}
    for ref in refs:
        by_archive.setdefault(ref.archive, []).append(ref)
    for archive, members in by_archive.items():
        # A raw binary file (io.RawIOBase) in all but typeshed's name.
        reader = cast(BinaryIO, S3RangedReader(s3_client(), settings().bucket_name, archive))
        for i, ref in enumerate(members):
            yield f"{archive}#{i}", read_member(reader, ref.member, MAX_PHOTO_BYTES)


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
