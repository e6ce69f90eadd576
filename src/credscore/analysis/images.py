"""Image moderation with local ONNX models described by model cards (bytes in, `ImageAnalysis` out).

Decoding is defensive: the pixel count and the decoded size (pixels × bytes per pixel of the mode, against a
budget from the function's memory) are checked from the header before any pixel is decoded, Pillow's
decompression-bomb warning is an error, and anything Pillow cannot read is counted as `not_analysed` with
its reason instead of failing the batch. JPEGs are decoded at reduced size (`draft`), most of the decoding
cost of big photos; other formats are reduced right after decoding, in their own mode, so no conversion
(16-bit to 8-bit, palette to RGB, rotation) ever runs on a full-size copy: a 95 KB 16-bit 7000×7000 PNG
costs its 98 MB decoded and little more. Only the first frame of an animation is decoded.
Post-processing is plain numpy (nudenet's per-row Python loop costs up to a third of the model time).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import queue
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from credscore.analysis import image_headers
from credscore.analysis.image_headers import Segments
from credscore.analysis.model_cards import ModelCard, default_cards
from credscore.evidence import AnalysisStatus, ImageAnalysis

if TYPE_CHECKING:
    import onnxruntime as ort

THREADS_ENV = "ORT_THREADS"  # the same name as the image function's environment (template.yaml)
# Decoded images the prefetch thread may hold ready: one is enough to keep the model busy, a second absorbs a
# slow read; each is small once reduced (under four times the model input a side).
PREFETCH_DEPTH = 2
DEFAULT_MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo passes; an RGBA PNG this size is 200 MB decoded
# Decoded bytes allowed for one image: an eighth of the function's memory (the rest holds the interpreter,
# onnxruntime and its model, the photo's compressed bytes and the small working copies).
DECODE_MEMORY_SHARE = 8
DEFAULT_MAX_DECODED_BYTES = 256 * 1024 * 1024  # outside Lambda; in it, MemorySize / 8 (221 MiB at 1,769 MB)
ACCEPTED_FORMATS = (
    "JPEG",
    "PNG",
    "GIF",
    "WEBP",
    "BMP",
    "TIFF",
)  # multi-picture JPEGs (MPO) open through the JPEG plugin
_EXIF_ORIENTATION = 0x0112
_TRANSPOSE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

FloatArray = NDArray[np.floating[Any]]
NotAnalysedReason = Literal["missing", "unsupported", "too_large", "corrupt"]


@dataclass(frozen=True)
class ImageVerdict:
    """One image's result, without its name: per-label best score (labels with any score worth reporting) and
    the labels over their flag threshold. `reason` is set when the image could not be analysed."""

    analysed: bool
    reason: NotAnalysedReason | None = None
    scores: dict[str, float] = field(default_factory=dict)
    flagged_labels: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.flagged_labels)


class _NotAnalysed(Exception):
    def __init__(self, reason: NotAnalysedReason) -> None:
        super().__init__(reason)
        self.reason: NotAnalysedReason = reason


# ------------------------------------------------------------------------------------------------ decoding


def max_decoded_bytes_from_env() -> int:
    """The decode budget for this function: a share of its MemorySize (Lambda's environment says it)."""
    memory_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
    if memory_mb.isdigit() and int(memory_mb) > 0:
        return int(memory_mb) * 1024 * 1024 // DECODE_MEMORY_SHARE
    return DEFAULT_MAX_DECODED_BYTES


def decoded_bytes(mode: str, size: tuple[int, int]) -> int:
    """What Pillow allocates to hold an image: 1 byte a pixel for 1/L/P, 2 for 16-bit, else 4 (RGB too)."""
    per_pixel = 1 if mode in ("1", "L", "P") else 2 if mode.startswith("I;16") else 4
    return size[0] * size[1] * per_pixel


def decode_image(
    data: bytes | None,
    side: int,
    keep_aspect: bool = True,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES,
) -> Image.Image:
    """An upright RGB image, decoded no larger than needed for a `side`-pixel square model input (letterboxed
    when `keep_aspect`, so only the longer side must reach `side`; stretched otherwise).

    Raises `_NotAnalysed` with the reason for missing, unknown, oversized or corrupt data.
    """
    if not data:
        raise _NotAnalysed("missing")
    segments = image_headers.walk(data)
    if segments.too_many:  # no photo has that many: parsing them would cost seconds and hundreds of MiB
        raise _NotAnalysed("corrupt")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Corrupt EXIF data", UserWarning)  # unreadable EXIF: no rotation
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except Image.UnidentifiedImageError:
            raise _NotAnalysed("unsupported") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _NotAnalysed("too_large") from None
        except Exception:  # a malformed header can raise nearly anything inside Pillow's plugins
            raise _NotAnalysed("corrupt") from None
        if image.width * image.height > max_pixels:
            raise _NotAnalysed("too_large")
        # Each scan runs over the whole frame; a JPEG decoded in one scan has no later ones (libjpeg stops at them).
        if (
            image.format in ("JPEG", "MPO")
            and not _one_scan(image, segments)
            and image_headers.too_many_scans(data)
        ):
            raise _NotAnalysed("corrupt")
        try:
            return _upright_rgb(
                image, side, keep_aspect, max_decoded_bytes - coefficient_bytes(image, segments)
            )
        except _NotAnalysed:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _NotAnalysed("too_large") from None
        except Exception:  # truncated or corrupt pixel data
            raise _NotAnalysed("corrupt") from None


def _one_scan(image: Image.Image, segments: Segments) -> bool:
    """Known to be a JPEG libjpeg decodes in a single scan: sequential, its first scan holding every component.
    (libjpeg decides the same way: fewer components in the first scan, or progressive, means several scans.)"""
    layers = getattr(image, "layer", None)
    if not layers or image.info.get("progressive") or segments.first_scan_components is None:
        return False
    return segments.first_scan_components >= len(layers)


def coefficient_bytes(image: Image.Image, segments: Segments) -> int:
    """What libjpeg holds besides the pixels to decode a JPEG in several scans (progressive, or sequential with a
    scan per component): every DCT coefficient of the whole frame (64 of 2 bytes per 8×8 block of each component
    at its sampling, in whole MCUs), whatever size `draft` asks for; read before `draft`, which changes the size.
    280 MiB for a 7000×7000 progressive photo sampled 4:4:4, a file under 1 MB. A JPEG in one interleaved scan (a
    camera's) is decoded a row of blocks at a time: nothing counted."""
    layers = getattr(image, "layer", None)
    if image.format not in ("JPEG", "MPO") or not layers:
        return 0
    if _one_scan(image, segments):  # an unknown first scan counts as several
        return 0
    h_max = max(layer[1] for layer in layers)
    v_max = max(layer[2] for layer in layers)
    mcu_columns = -(-image.width // (8 * h_max))
    mcu_rows = -(-image.height // (8 * v_max))
    return sum(h * mcu_columns * v * mcu_rows for _, h, v, _ in layers) * 64 * 2


def _upright_rgb(image: Image.Image, side: int, keep_aspect: bool, max_decoded_bytes: int) -> Image.Image:
    if image.format in ("JPEG", "MPO"):
        # DCT-domain downscaling by 1/2, 1/4 or 1/8 while staying at least as large as the model input:
        # a 2048×1365 photo decodes at 512×342, a 640×480 one at 320×240 (then needs no resize at all).
        if keep_aspect:
            longest = max(image.size)
            request = (math.ceil(side * image.width / longest), math.ceil(side * image.height / longest))
        else:
            request = (side, side)
        image.draft("RGB", request)
    # Checked after `draft`, which has set the size and mode the decoder will produce.
    if decoded_bytes(image.mode, image.size) > max_decoded_bytes:
        raise _NotAnalysed("too_large")
    orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    image.load()
    image = _reduced(image, side, keep_aspect)
    if orientation in _TRANSPOSE_FOR_ORIENTATION:
        image = image.transpose(_TRANSPOSE_FOR_ORIENTATION[orientation])
    if image.mode == "RGB":
        return image
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        # 16-bit/float greyscale: scale to 8 bits by the image's own range instead of clipping at 255.
        pixels = np.asarray(image, dtype=np.float32)
        low, high = float(pixels.min()), float(pixels.max())
        span = high - low or 1.0
        image = Image.fromarray(((pixels - low) * (255.0 / span)).astype(np.uint8), mode="L")
    # Alpha is dropped (not composited), as nudenet does.
    return image.convert("RGB")


def _reduced(image: Image.Image, side: int, keep_aspect: bool) -> Image.Image:
    """A decoded image larger than twice the model input, shrunk by an area filter in its own mode (palette
    and 1-bit images by sampling), so later conversions work on a small copy. Twice, so the final
    resize to the model input still has detail to interpolate."""
    needed = max(image.size) if keep_aspect else min(image.size)
    factor = needed // (2 * side)
    if factor < 2:
        return image
    if image.mode in ("LA", "RGBA"):
        # Band by band without the alpha (dropped anyway, as nudenet does): `resize` and `reduce` would first
        # premultiply the alpha into another full-size copy; one band at a time is a quarter of one.
        colour = image.mode[:-1]
        return Image.merge(colour, [image.getchannel(band).reduce(factor) for band in colour])
    size = (max(1, math.ceil(image.width / factor)), max(1, math.ceil(image.height / factor)))
    if image.mode in ("1", "P") or image.mode.startswith("I;16"):  # modes `reduce` does not take
        return image.resize(size, Image.Resampling.BOX)
    try:
        return image.reduce(factor)
    except ValueError:  # another mode `reduce` does not take (LAB, HSV...)
        return image.resize(size, Image.Resampling.BOX)


# --------------------------------------------------------------------------------------------- model input


@dataclass(frozen=True)
class _Prepared:
    tensor: FloatArray
    content_size: tuple[int, int]  # (width, height) of the image inside the model input (letterbox)


def prepare_input(image: Image.Image, card: ModelCard) -> _Prepared:
    """The model's input tensor (batch of one) for an RGB image, following the card."""
    side = card.input_size
    if card.resize == "stretch":
        width = height = side
    else:
        ratio = side / max(image.size)
        width, height = max(1, round(image.width * ratio)), max(1, round(image.height * ratio))
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.BILINEAR)
    canvas = np.zeros((side, side, 3), dtype=np.uint8)
    canvas[:height, :width] = np.asarray(image, dtype=np.uint8)
    if card.channel_order == "BGR":
        canvas = canvas[:, :, ::-1]
    std = np.asarray(card.std, np.float32)
    gain, offset = np.float32(card.scale) / std, -np.asarray(card.mean, np.float32) / std
    # Transpose the uint8 pixels (cheap) and write the scaled floats once, straight into the input layout.
    if card.layout == "NCHW":
        tensor = np.empty((1, 3, side, side), np.float32)
        np.multiply(canvas.transpose(2, 0, 1), gain[:, None, None], out=tensor[0])
        if offset.any():
            tensor[0] += offset[:, None, None]
    else:
        tensor = np.empty((1, side, side, 3), np.float32)
        np.multiply(canvas, gain, out=tensor[0])
        if offset.any():
            tensor[0] += offset
    return _Prepared(tensor, (width, height))


# ----------------------------------------------------------------------------------------- reading outputs


def class_scores(raw: FloatArray, kind: str) -> FloatArray:
    """One row of classifier output turned into per-label scores in [0, 1]."""
    row = np.asarray(raw, dtype=np.float32).reshape(-1)
    if kind == "softmax":
        exp = np.exp(row - row.max())
        return exp / exp.sum()
    if kind == "sigmoid":
        return 1.0 / (1.0 + np.exp(-row))
    return row


def yolo_detections(
    raw: FloatArray, content_size: tuple[int, int], min_score: float, nms_iou: float
) -> tuple[NDArray[np.intp], FloatArray, FloatArray]:
    """(label index, score, box x1 y1 x2 y2 in model pixels) of the detections nudenet would keep.

    Per candidate box: best label and its score; boxes scoring more than `min_score` are clipped to the image
    part of the letterbox; then greedy class-agnostic non-maximum suppression (IoU > `nms_iou` suppresses).
    """
    rows = np.asarray(raw, dtype=np.float32).reshape(raw.shape[-2], raw.shape[-1]).T  # (boxes, 4 + labels)
    per_label = rows[:, 4:]
    labels = per_label.argmax(axis=1)
    scores = per_label[np.arange(len(rows)), labels]
    keep = scores > min_score
    if not keep.any():
        return np.empty(0, np.intp), np.empty(0, np.float32), np.empty((0, 4), np.float32)
    rows, labels, scores = rows[keep], labels[keep], scores[keep]
    width, height = content_size
    # As nudenet: clip the top-left corner into the image, then shorten width/height to stay inside it.
    x1 = np.clip(rows[:, 0] - rows[:, 2] / 2, 0, width)
    y1 = np.clip(rows[:, 1] - rows[:, 3] / 2, 0, height)
    x2 = x1 + np.minimum(rows[:, 2], width - x1)
    y2 = y1 + np.minimum(rows[:, 3], height - y1)
    boxes = np.stack([x1, y1, x2, y2], axis=1)
    kept = non_max_suppression(boxes, scores, nms_iou)
    return labels[kept], scores[kept], boxes[kept]


def non_max_suppression(boxes: FloatArray, scores: FloatArray, iou: float) -> NDArray[np.intp]:
    """Indices of boxes kept by greedy NMS, best first; each step compares one box with all remaining ones."""
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    order = np.argsort(-scores, kind="stable")
    kept: list[int] = []
    while order.size:
        best, rest = order[0], order[1:]
        kept.append(int(best))
        inter_w = np.clip(
            np.minimum(boxes[best, 2], boxes[rest, 2]) - np.maximum(boxes[best, 0], boxes[rest, 0]), 0, None
        )
        inter_h = np.clip(
            np.minimum(boxes[best, 3], boxes[rest, 3]) - np.maximum(boxes[best, 1], boxes[rest, 1]), 0, None
        )
        inter = inter_w * inter_h
        union = areas[best] + areas[rest] - inter
        overlap = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        order = rest[overlap <= iou]
    return np.asarray(kept, dtype=np.intp)


# ------------------------------------------------------------------------------------------------ sessions


@cache
def _session(onnx_path: str, threads: int) -> ort.InferenceSession:
    """One session per model file and thread count per process (loading 320n.onnx takes ~100 ms)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(onnx_path, sess_options=options, providers=["CPUExecutionProvider"])


@cache
def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:12]


def threads_from_env(default: int = 1) -> int:
    value = os.environ.get(THREADS_ENV, "")
    return max(1, int(value)) if value.strip().isdigit() else default


@dataclass(frozen=True)
class _LoadedModel:
    card: ModelCard
    session: Any
    input_name: str
    audit_id: str
    threads: int = 1

    def scores(self, image: Image.Image) -> dict[str, float]:
        """Best score per label for one image (detector: over kept detections; classifier: its scores)."""
        return self.scores_for(prepare_input(image, self.card))

    def scores_for(self, prepared: _Prepared) -> dict[str, float]:
        (raw, *_) = self.session.run(None, {self.input_name: prepared.tensor})
        if self.card.output == "yolov8":
            labels, scores, _ = yolo_detections(
                raw, prepared.content_size, self.card.min_detection_score, self.card.nms_iou
            )
            best: dict[str, float] = {}
            for label, score in zip(labels.tolist(), scores.tolist(), strict=True):
                name = self.card.labels[label]
                best[name] = max(best.get(name, 0.0), score)
            return best
        values = class_scores(raw, self.card.output)
        if values.size != len(self.card.labels):
            raise ValueError(
                f"model {self.card.id} returned {values.size} scores for {len(self.card.labels)} labels"
            )
        return dict(zip(self.card.labels, values.tolist(), strict=True))


# ----------------------------------------------------------------------------------------------- moderator


_END = object()


def _in_background[T](items: Iterator[T], depth: int) -> Iterator[T]:
    """`items` pulled in a thread at most `depth` ahead, yielded here in order; an exception the thread meets
    is raised here, and closing this generator early stops the thread (memory: `depth` decoded images)."""
    results: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[Any, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                results.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
        except BaseException as error:  # handed to the consumer, which raises it
            put((_END, error))
            return
        put((_END, None))

    worker = threading.Thread(target=produce, name="image-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item, error = results.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        worker.join()


class ImageModerator:
    """Runs every loaded model over each image; flags an image when a covered label passes its threshold."""

    def __init__(
        self,
        models: list[_LoadedModel],
        max_pixels: int = DEFAULT_MAX_PIXELS,
        prefetch: bool = True,
        max_decoded_bytes: int | None = None,
    ):
        if not models:
            raise ValueError("at least one model card is needed")
        self._models = models
        self.max_pixels = max_pixels
        self.max_decoded_bytes = (
            max_decoded_bytes_from_env() if max_decoded_bytes is None else max_decoded_bytes
        )
        # Read and decode the next images in a thread while the model runs on this one (Pillow and onnxruntime
        # release the GIL). On by default: as fast as inline on a saturated core, faster with any spare CPU or
        # I/O wait (BENCHMARKS-analysis.md).
        self.prefetch = prefetch
        self._side = max(m.card.input_size for m in models)
        self._keep_aspect = all(m.card.resize == "letterbox" for m in models)

    @classmethod
    def from_model_cards(
        cls, cards: list[ModelCard] | None = None, threads: int | None = None, **options: Any
    ) -> ImageModerator:
        """Sessions for `cards` (default: built-in nudenet card plus $CREDSCORE_MODEL_CARDS_DIR), each with
        `threads` intra-op threads (default: $ORT_THREADS, else 1)."""
        threads = threads_from_env() if threads is None else max(1, threads)
        models = []
        for card in default_cards() if cards is None else cards:
            path = str(Path(card.onnx_path).resolve())
            session = _session(path, threads)
            input_name = card.input_name or session.get_inputs()[0].name
            audit_id = f"{card.id}@sha256:{_file_digest(path)}"
            models.append(_LoadedModel(card, session, input_name, audit_id, threads))
        return cls(models, **options)

    @property
    def categories_covered(self) -> list[str]:
        return sorted({label for m in self._models for label in m.card.thresholds})

    @property
    def content_categories(self) -> list[str]:
        return sorted({c for m in self._models for c in m.card.categories})

    @property
    def model_ids(self) -> list[str]:
        return [m.audit_id for m in self._models]

    def verdict(self, data: bytes | None) -> ImageVerdict:
        try:
            image = decode_image(data, self._side, self._keep_aspect, self.max_pixels, self.max_decoded_bytes)
        except _NotAnalysed as skipped:
            return ImageVerdict(analysed=False, reason=skipped.reason)
        return self._judge(image)

    def _judge(self, image: Image.Image) -> ImageVerdict:
        scores: dict[str, float] = {}
        flagged: list[str] = []
        for model in self._models:
            for label, score in model.scores(image).items():
                scores[label] = max(scores.get(label, 0.0), score)
                threshold = model.card.thresholds.get(label)
                if threshold is not None and score >= threshold and label not in flagged:
                    flagged.append(label)
        return ImageVerdict(analysed=True, scores=scores, flagged_labels=tuple(sorted(flagged)))

    def verdicts(
        self, images: Iterable[tuple[str, bytes | None]], deadline: Callable[[], bool] | None = None
    ) -> Iterator[ImageVerdict]:
        """Per-image results in input order (names are not kept in the results). Once `deadline()` is true no
        further image is read: the results stop short, and the caller counts the rest as not reached."""
        decoded: Iterator[Image.Image | NotAnalysedReason] = (
            self._decode_or_reason(d) for _, d in _until(deadline, images)
        )
        if self.prefetch:
            # The thread also pulls `images` itself, so reading a photo (S3 ranged reads in the Lambda) and
            # decoding it overlap the model run on the one before.
            decoded = _in_background(decoded, PREFETCH_DEPTH)
        yield from (self._from_decoded(item) for item in decoded)

    def _decode_or_reason(self, data: bytes | None) -> Image.Image | NotAnalysedReason:
        try:
            return decode_image(data, self._side, self._keep_aspect, self.max_pixels, self.max_decoded_bytes)
        except _NotAnalysed as skipped:
            return skipped.reason

    def _from_decoded(self, decoded: Image.Image | NotAnalysedReason) -> ImageVerdict:
        if isinstance(decoded, str):
            return ImageVerdict(analysed=False, reason=decoded)
        return self._judge(decoded)

    def analyze_batch(
        self, images: Iterable[tuple[str, bytes | None]], deadline: Callable[[], bool] | None = None
    ) -> ImageAnalysis:
        """Counts over a batch of (reference, bytes) pairs; bytes None means the photo could not be read. With a
        `deadline`, the images reached before it fired (analysed + not_analysed: the caller knows the rest)."""
        return summarize(
            self.verdicts(images, deadline), self.categories_covered, self.model_ids, self.content_categories
        )


def _until[T](deadline: Callable[[], bool] | None, items: Iterable[T]) -> Iterator[T]:
    """`items` until `deadline()` is true, checked before each is pulled (pulling a photo reads it)."""
    iterator = iter(items)
    try:
        while deadline is None or not deadline():
            item = next(iterator, _END)
            if item is _END:
                return
            yield cast(T, item)
    finally:
        close = getattr(iterator, "close", None)
        if callable(close):
            close()  # photos being fetched ahead are not wanted any more


def summarize(
    verdicts: Iterable[ImageVerdict],
    categories_covered: list[str],
    models: list[str],
    content_categories: list[str] | None = None,
) -> ImageAnalysis:
    analysed = not_analysed = flagged = 0
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for verdict in verdicts:
        if not verdict.analysed:
            not_analysed += 1
            reasons[verdict.reason or "corrupt"] += 1
            continue
        analysed += 1
        if verdict.flagged:
            flagged += 1
            counts.update(verdict.flagged_labels)
    return ImageAnalysis(
        status=AnalysisStatus.OK if analysed or not_analysed else AnalysisStatus.NO_EVIDENCE,
        analysed=analysed,
        not_analysed=not_analysed,
        not_analysed_reasons=dict(sorted(reasons.items())),
        flagged=flagged,
        categories_covered=categories_covered,
        content_categories=sorted(content_categories or []),
        category_counts=dict(sorted(counts.items())),
        models=models,
    )


def merge_image_analyses(parts: list[ImageAnalysis]) -> ImageAnalysis:
    """One analysis from the Map iterations' batches. Failed batches are left out of the counts (the caller
    records them); if every batch failed the result is failed; if none had images, no evidence."""
    usable = [p for p in parts if p.status != AnalysisStatus.FAILED]
    if parts and not usable:
        return ImageAnalysis(status=AnalysisStatus.FAILED, error=parts[0].error)
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for part in usable:
        counts.update(part.category_counts)
        reasons.update(part.not_analysed_reasons)
    analysed = sum(p.analysed for p in usable)
    not_analysed = sum(p.not_analysed for p in usable)
    with_images = [p for p in usable if p.status == AnalysisStatus.OK]
    return ImageAnalysis(
        status=AnalysisStatus.OK
        if with_images and (analysed or not_analysed)
        else AnalysisStatus.NO_EVIDENCE,
        analysed=analysed,
        not_analysed=not_analysed,
        not_analysed_reasons=dict(sorted(reasons.items())),
        flagged=sum(p.flagged for p in usable),
        # Only what every batch that saw images covered can be claimed for the whole application.
        categories_covered=sorted(set.intersection(*(set(p.categories_covered) for p in with_images)))
        if with_images
        else [],
        content_categories=sorted(set.intersection(*(set(p.content_categories) for p in with_images)))
        if with_images
        else [],
        category_counts=dict(sorted(counts.items())),
        models=sorted({m for p in usable for m in p.models}),
        caps=[cap for p in usable for cap in p.caps],
    )
