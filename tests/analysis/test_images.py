"""Image moderation: decoding guards, not-analysed counts, nudenet post-processing, merge."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

from credscore.analysis.images import (
    PREFETCH_DEPTH,
    ImageModerator,
    _in_background,
    _NotAnalysed,
    decode_image,
    merge_image_analyses,
    non_max_suppression,
    yolo_detections,
)
from credscore.analysis.model_cards import NUDENET_FLAG_LABELS, nudenet_card
from credscore.evidence import AnalysisStatus, ImageAnalysis

from .conftest import CASES, encode, exif_rotated_jpeg, noise, png_claiming_size


def test_every_kind_of_file_is_handled_without_crash(nudenet_moderator: ImageModerator) -> None:
    names = list(CASES)
    verdicts = list(nudenet_moderator.verdicts((name, CASES[name][0]()) for name in names))
    assert len(verdicts) == len(names)
    for name, verdict in zip(names, verdicts, strict=True):
        expected_reason = CASES[name][1]
        assert verdict.analysed is (expected_reason is None), name
        assert verdict.reason == expected_reason, name
        assert not verdict.flagged, name  # nothing here shows nudity

    result = nudenet_moderator.analyze_batch((name, CASES[name][0]()) for name in names)
    skipped = sum(1 for _, reason in CASES.values() if reason)
    assert result.status == AnalysisStatus.OK
    assert (result.analysed, result.not_analysed, result.flagged) == (len(CASES) - skipped, skipped, 0)
    assert result.categories_covered == sorted(NUDENET_FLAG_LABELS)  # sexual nudity only: no violence claimed
    assert result.content_categories == ["nudity"]
    assert sum(result.not_analysed_reasons.values()) == skipped
    assert result.not_analysed_reasons == dict(Counter(reason for _, reason in CASES.values() if reason))
    assert result.models[0].startswith("nudenet-320n@sha256:")


def test_prefetching_and_sequential_give_the_same_verdicts(nudenet_moderator: ImageModerator) -> None:
    batch = [(str(i), encode(noise(200, 150, seed=i), "JPEG")) for i in range(3)] + [("bad", b"xx")]
    sequential = ImageModerator(nudenet_moderator._models, prefetch=False)
    prefetching = ImageModerator(nudenet_moderator._models, prefetch=True)
    assert list(prefetching.verdicts(batch)) == list(sequential.verdicts(batch))


def test_prefetch_is_the_default_and_reads_the_photos_in_its_thread(
    nudenet_moderator: ImageModerator,
) -> None:
    readers: list[str] = []

    def photos() -> Iterator[tuple[str, bytes | None]]:
        for i in range(3):
            readers.append(threading.current_thread().name)
            yield str(i), encode(noise(120, 90, seed=i), "JPEG")

    moderator = ImageModerator(nudenet_moderator._models)
    assert moderator.prefetch
    assert moderator.analyze_batch(photos()).analysed == 3
    assert readers == ["image-prefetch"] * 3  # reading overlaps the model too, not only decoding


def test_background_keeps_order_and_raises_the_producers_error() -> None:
    assert list(_in_background(iter(range(50)), PREFETCH_DEPTH)) == list(range(50))

    def failing() -> Iterator[int]:
        yield 1
        raise OSError("read failed")

    results = _in_background(failing(), PREFETCH_DEPTH)
    assert next(results) == 1
    with pytest.raises(OSError, match="read failed"):
        next(results)


def test_background_stops_reading_when_the_consumer_stops() -> None:
    pulled: list[int] = []

    def endless() -> Iterator[int]:
        for i in range(10_000):
            pulled.append(i)
            yield i

    before = threading.active_count()
    results = _in_background(endless(), PREFETCH_DEPTH)
    assert next(results) == 0
    time.sleep(0.2)  # the thread fills the queue, then waits
    results.close()
    assert threading.active_count() == before
    assert len(pulled) <= PREFETCH_DEPTH + 2  # one taken, `depth` queued, one waiting to be put


@pytest.mark.parametrize("prefetch", [False, True])
def test_no_photo_is_read_once_the_deadline_has_passed(
    nudenet_moderator: ImageModerator, prefetch: bool
) -> None:
    pulled: list[int] = []

    def photos() -> Iterator[tuple[str, bytes | None]]:
        for i in range(20):
            pulled.append(i)  # pulling a photo is reading it (S3 in the Lambda)
            yield f"p{i}", encode(noise(64, 48, seed=i), "JPEG") if i % 2 else b"not an image"

    moderator = ImageModerator(nudenet_moderator._models, prefetch=prefetch)
    result = moderator.analyze_batch(photos(), deadline=lambda: len(pulled) >= 7)
    assert len(pulled) == 7, "checked before each read, whatever is being decoded ahead"
    assert (result.analysed, result.not_analysed) == (3, 4), "what was reached, each counted once"
    assert result.not_analysed_reasons == {"unsupported": 4}
    unbounded = moderator.analyze_batch(photos(), deadline=lambda: False)
    assert unbounded.analysed + unbounded.not_analysed == 20


def test_empty_batch_is_no_evidence(nudenet_moderator: ImageModerator) -> None:
    result = nudenet_moderator.analyze_batch([])
    assert result.status == AnalysisStatus.NO_EVIDENCE
    assert result.analysed == result.not_analysed == 0


def test_pixel_cap_is_checked_before_decoding() -> None:
    with pytest.raises(_NotAnalysed) as too_big:
        decode_image(png_claiming_size(9_000, 9_000), side=320, max_pixels=50_000_000)
    assert too_big.value.reason == "too_large"
    small_but_over_cap = encode(Image.new("RGB", (200, 200)), "PNG")
    with pytest.raises(_NotAnalysed):
        decode_image(small_but_over_cap, side=320, max_pixels=10_000)
    assert decode_image(small_but_over_cap, side=320, max_pixels=40_000).size == (200, 200)


def test_exif_rotation_cmyk_and_draft_decoding() -> None:
    upright = decode_image(exif_rotated_jpeg(200, 100, orientation=6), side=320)
    assert upright.size == (100, 200)
    cmyk = decode_image(encode(Image.new("CMYK", (64, 48), (0, 0, 0, 0)), "JPEG"), side=32)
    assert cmyk.mode == "RGB"
    assert np.asarray(cmyk).mean() > 200  # CMYK (0,0,0,0) is white, not black
    big = decode_image(encode(noise(2048, 1365), "JPEG"), side=320)
    assert big.size == (512, 342)  # decoded at 1/4 scale (rounded up), still ≥ 320 on both sides


def _nudenet_reference(raw: np.ndarray, width: int, height: int) -> list[tuple[int, float]]:
    """nudenet 3.4.2's _postprocess, as a per-row loop with OpenCV-style greedy NMS, in model pixels."""
    rows = raw[0].T
    candidates = []
    for row in rows:
        label = int(np.argmax(row[4:]))
        score = float(row[4 + label])
        if score < 0.2:
            continue
        x, y = row[0] - row[2] / 2, row[1] - row[3] / 2
        x, y = max(0.0, min(x, width)), max(0.0, min(y, height))
        w, h = min(row[2], width - x), min(row[3], height - y)
        candidates.append((score, label, (x, y, x + w, y + h)))
    candidates = [c for c in candidates if c[0] > 0.25]
    candidates.sort(key=lambda c: -c[0])

    def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
        iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        inter = iw * ih
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
        return inter / union if union > 0 else 0.0

    kept: list[tuple[float, int, tuple[float, ...]]] = []
    for candidate in candidates:
        if all(iou(candidate[2], k[2]) <= 0.45 for k in kept):
            kept.append(candidate)
    return [(label, round(score, 5)) for score, label, _ in kept]


@pytest.mark.parametrize("seed", range(5))
def test_vectorized_postprocessing_matches_nudenet(seed: int) -> None:
    rng = np.random.default_rng(seed)
    boxes = 400
    raw = np.zeros((1, 22, boxes), np.float32)
    # Clusters of overlapping boxes, some running off the image, with scores around the thresholds.
    centres = rng.uniform(0, 320, (8, 2))[rng.integers(0, 8, boxes)]
    raw[0, 0:2] = (centres + rng.normal(0, 12, (boxes, 2))).T
    raw[0, 2:4] = rng.uniform(10, 120, (2, boxes))
    raw[0, 4:] = rng.uniform(0, 0.3, (18, boxes)) ** 2 * rng.uniform(0, 12, boxes)
    width, height = 320, 213
    labels, scores, _ = yolo_detections(raw, (width, height), min_score=0.25, nms_iou=0.45)
    ours = [(int(label), round(float(score), 5)) for label, score in zip(labels, scores, strict=True)]
    reference = _nudenet_reference(raw, width, height)
    assert len(reference) > 3  # the case exercises suppression
    assert ours == reference


def test_nms_keeps_best_of_overlapping_boxes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], np.float32)
    kept = non_max_suppression(boxes, np.array([0.6, 0.9, 0.5], np.float32), iou=0.45)
    assert kept.tolist() == [1, 2]


def test_nudenet_card_flags_only_exposed_sexual_parts() -> None:
    card = nudenet_card(threshold=0.7)
    assert set(card.thresholds) == set(NUDENET_FLAG_LABELS)
    assert all(t == 0.7 for t in card.thresholds.values())
    assert not any(label.startswith(("FACE", "FEET")) or "COVERED" in label for label in card.thresholds)


def part(**fields: object) -> ImageAnalysis:
    return ImageAnalysis.model_validate({"status": "ok", **fields})


def test_merge_sums_batches() -> None:
    merged = merge_image_analyses(
        [
            part(analysed=3, not_analysed=1, flagged=1, categories_covered=["A", "V"], models=["m1"],
                 category_counts={"A": 1}, not_analysed_reasons={"corrupt": 1}, content_categories=["nudity"]),
            part(analysed=2, not_analysed=2, flagged=2, categories_covered=["A", "V"], models=["m1"],
                 category_counts={"A": 1, "V": 2}, not_analysed_reasons={"corrupt": 1, "too_large": 1},
                 content_categories=["nudity", "violence"]),
            ImageAnalysis(status=AnalysisStatus.NO_EVIDENCE),
        ]
    )  # fmt: skip
    assert merged.status == AnalysisStatus.OK
    assert (merged.analysed, merged.not_analysed, merged.flagged) == (5, 3, 3)
    assert merged.not_analysed_reasons == {"corrupt": 2, "too_large": 1}
    assert merged.content_categories == ["nudity"]  # only what every batch covered
    assert merged.category_counts == {"A": 2, "V": 2}
    assert merged.categories_covered == ["A", "V"]
    assert merged.models == ["m1"]


def test_merge_claims_only_categories_every_batch_covered() -> None:
    merged = merge_image_analyses(
        [part(analysed=1, categories_covered=["A", "V"]), part(analysed=1, categories_covered=["A"])]
    )
    assert merged.categories_covered == ["A"]


def test_merge_edge_cases() -> None:
    assert merge_image_analyses([]).status == AnalysisStatus.NO_EVIDENCE
    assert (
        merge_image_analyses([ImageAnalysis(status=AnalysisStatus.NO_EVIDENCE)]).status
        == AnalysisStatus.NO_EVIDENCE
    )
    failed = merge_image_analyses([ImageAnalysis(status=AnalysisStatus.FAILED, error="boom")])
    assert (failed.status, failed.error) == (AnalysisStatus.FAILED, "boom")
    partly = merge_image_analyses(
        [ImageAnalysis(status=AnalysisStatus.FAILED, error="boom"), part(analysed=2)]
    )
    assert (partly.status, partly.analysed) == (AnalysisStatus.OK, 2)
