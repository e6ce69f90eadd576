"""Model cards: what an ONNX image model expects and what its outputs mean, so models are added without code.

A card is a small JSON file. The built-in card describes nudenet's shipped detector (`nudenet/320n.onnx`,
nudity only: exposed genitalia of any sex and anus flag, one rule for every sex). A deployment adds its own
classifiers (violence, weapons, ...) by dropping a card and its .onnx file into the directory named by
`CREDSCORE_MODEL_CARDS_DIR`; a card there with the built-in card's id replaces it (e.g. to change thresholds).
A card declares the content `categories` it detects, which every result's coverage reports (and the ones no
card covers as "not checked"). Nothing is downloaded at run time. docs/analysis.md documents the fields.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

MODEL_CARDS_DIR_ENV = "CREDSCORE_MODEL_CARDS_DIR"
NUDENET_CARD_ID = "nudenet-320n"

# nudenet 3.4.2's class order (its output rows 4.. follow this order).
NUDENET_LABELS = (
    "FEMALE_GENITALIA_COVERED", "FACE_FEMALE", "BUTTOCKS_EXPOSED", "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED", "MALE_BREAST_EXPOSED", "ANUS_EXPOSED", "FEET_EXPOSED", "BELLY_COVERED",
    "FEET_COVERED", "ARMPITS_COVERED", "ARMPITS_EXPOSED", "FACE_MALE", "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED", "ANUS_COVERED", "FEMALE_BREAST_COVERED", "BUTTOCKS_COVERED",
)  # fmt: skip
# One rule for every sex (docs/analysis.md): exposed genitalia of any sex and an exposed anus flag an image.
# Breasts flag for no sex: flagging only female breasts applied a rule that differed by sex, and flagging
# male breasts too would flag every shirtless beach or gym photo. Exposed buttocks do not flag either
# (swimwear; the shipped model also scored a colour-wheel chart 0.80 for them). Faces, feet, bellies,
# armpits and covered parts never flag.
NUDENET_FLAG_LABELS = ("FEMALE_GENITALIA_EXPOSED", "MALE_GENITALIA_EXPOSED", "ANUS_EXPOSED")
# Content categories a card can declare; `credscore.coverage` reports the ones no loaded card covers.
CONTENT_CATEGORIES = ("nudity", "violence", "weapons", "drugs", "hate_symbols")
_SEXES = ("FEMALE_", "MALE_")
DEFAULT_NUDITY_THRESHOLD = 0.5


class ModelCard(BaseModel):
    """How to feed one ONNX model and read its output.

    Pixels (0..255, RGB or BGR) become `(pixel * scale - mean) / std` per channel. `output`:
    - "softmax" / "sigmoid": the model returns one row of logits per image, turned into scores;
    - "probabilities": the model already returns scores in [0, 1];
    - "yolov8": a detector returning [batch, 4 + labels, boxes] (centre x, centre y, w, h, one score per
      label), read with class-agnostic non-maximum suppression as nudenet does.
    Only labels listed in `thresholds` can flag an image; they are the categories the model "covers".
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    onnx_path: str = Field(description="absolute, or relative to the card's directory")
    description: str = ""
    input_name: str | None = Field(default=None, description="defaults to the model's first input")
    input_size: int = Field(gt=0, le=2048, description="square input side in pixels")
    resize: Literal["letterbox", "stretch"] = Field(
        default="letterbox", description="letterbox: keep aspect, pad bottom/right with black (as nudenet)"
    )
    layout: Literal["NCHW", "NHWC"] = "NCHW"
    channel_order: Literal["RGB", "BGR"] = "RGB"
    scale: float = 1 / 255
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    labels: list[str] = Field(min_length=1)
    thresholds: dict[str, float] = Field(description="label -> minimum score that flags the image")
    output: Literal["softmax", "sigmoid", "probabilities", "yolov8"]
    min_detection_score: float = Field(default=0.25, ge=0, le=1, description="yolov8 only, as nudenet")
    nms_iou: float = Field(default=0.45, gt=0, le=1, description="yolov8 only, as nudenet")
    categories: list[Literal["nudity", "violence", "weapons", "drugs", "hate_symbols"]] = Field(
        default_factory=list,
        description="content categories this model's flagging labels detect; shown in every result's coverage",
    )
    sex_symmetric: bool = Field(
        default=True,
        description="refuse a card whose FEMALE_x label flags without its MALE_x label at the same "
        "threshold (or the reverse): one rule for every sex",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        unknown = set(self.thresholds) - set(self.labels)
        if unknown:
            raise ValueError(f"thresholds for labels the model does not have: {sorted(unknown)}")
        if any(not 0 <= t <= 1 for t in self.thresholds.values()):
            raise ValueError("thresholds must be in [0, 1]")
        if len(set(self.labels)) != len(self.labels):
            raise ValueError("labels must be distinct")
        if any(s == 0 for s in self.std):
            raise ValueError("std must not be zero")
        if self.sex_symmetric and (uneven := asymmetric_labels(self.labels, self.thresholds)):
            raise ValueError(f"thresholds differ by sex for {uneven}; set sex_symmetric false to allow it")
        return self

    def resolve(self, card_dir: Path) -> ModelCard:
        """The card with `onnx_path` made absolute against the directory the card was read from."""
        path = Path(self.onnx_path)
        return self if path.is_absolute() else self.model_copy(update={"onnx_path": str(card_dir / path)})


def asymmetric_labels(labels: list[str], thresholds: dict[str, float]) -> list[str]:
    """Flagging labels whose other-sex counterpart exists in the model but flags differently (or not at all)."""
    uneven = []
    for label, threshold in thresholds.items():
        for sex, other in (_SEXES, _SEXES[::-1]):
            if label.startswith(sex):
                twin = other + label.removeprefix(sex)
                if twin in labels and thresholds.get(twin) != threshold:
                    uneven.append(label)
    return sorted(uneven)


def nudenet_model_path() -> Path:
    """nudenet's shipped weights, found without importing nudenet (its __init__ pulls in OpenCV)."""
    spec = importlib.util.find_spec("nudenet")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nudenet package (which ships 320n.onnx) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "320n.onnx"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the nudenet package")
    return path


def nudenet_card(threshold: float = DEFAULT_NUDITY_THRESHOLD) -> ModelCard:
    return ModelCard(
        id=NUDENET_CARD_ID,
        onnx_path=str(nudenet_model_path()),
        description="nudenet 3.4.2 detector: exposed/covered body parts and faces. Flags exposed genitalia "
        "(any sex) and anus; cannot see violence, weapons, drugs or hate symbols.",
        input_size=320,
        labels=list(NUDENET_LABELS),
        thresholds=dict.fromkeys(NUDENET_FLAG_LABELS, threshold),
        output="yolov8",
        categories=["nudity"],
    )


def load_card(path: Path) -> ModelCard:
    return ModelCard.model_validate_json(path.read_bytes()).resolve(path.parent)


def cards_in(directory: Path) -> list[ModelCard]:
    """Every `*.json` card in a directory, in name order (an invalid card is an error, never skipped)."""
    return [load_card(p) for p in sorted(directory.glob("*.json"))]


def default_cards(environ: dict[str, str] | None = None) -> list[ModelCard]:
    """The built-in nudenet card plus the cards in $CREDSCORE_MODEL_CARDS_DIR (same id replaces built-in)."""
    env = os.environ if environ is None else environ
    extra = cards_in(Path(env[MODEL_CARDS_DIR_ENV])) if env.get(MODEL_CARDS_DIR_ENV) else []
    by_id = {NUDENET_CARD_ID: nudenet_card()} if NUDENET_CARD_ID not in {c.id for c in extra} else {}
    for card in extra:
        if card.id in by_id:
            raise ValueError(f"two model cards have the id {card.id!r}")
        by_id[card.id] = card
    return list(by_id.values())
