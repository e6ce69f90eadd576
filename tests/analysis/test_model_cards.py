"""The extra-classifier slot: cards in $CREDSCORE_MODEL_CARDS_DIR are loaded and used without code changes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pydantic import ValidationError

from credscore.analysis.images import ImageModerator
from credscore.analysis.model_cards import (
    MODEL_CARDS_DIR_ENV,
    NUDENET_CARD_ID,
    ModelCard,
    default_cards,
    load_card,
)
from credscore.evidence import AnalysisStatus

from .conftest import encode
from .tiny_models import mean_pixel_classifier, mean_pixel_detector

VIOLENCE_CARD = {
    "id": "test-violence",
    "onnx_path": "violence.onnx",
    "description": "mean-pixel stand-in for a violence classifier",
    "input_size": 32,
    "resize": "stretch",
    "layout": "NHWC",
    "channel_order": "BGR",
    "scale": 1.0,
    "mean": [127.5, 127.5, 127.5],
    "std": [127.5, 127.5, 127.5],
    "labels": ["violence", "safe"],
    "thresholds": {"violence": 0.8},
    "output": "softmax",
}


@pytest.fixture
def cards_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    mean_pixel_classifier(tmp_path / "violence.onnx", side=32, layout="NHWC")
    (tmp_path / "violence.json").write_text(json.dumps(VIOLENCE_CARD))
    monkeypatch.setenv(MODEL_CARDS_DIR_ENV, str(tmp_path))
    return tmp_path


def solid(colour: tuple[int, int, int], size: tuple[int, int] = (120, 90)) -> bytes:
    return encode(Image.new("RGB", size, colour), "PNG")


def test_cards_in_the_directory_are_added_to_nudenet(cards_dir: Path) -> None:
    cards = default_cards()
    assert [c.id for c in cards] == [NUDENET_CARD_ID, "test-violence"]
    assert cards[1].onnx_path == str(cards_dir / "violence.onnx")  # resolved against the card's folder


def test_extra_classifier_flags_the_right_images(cards_dir: Path) -> None:
    moderator = ImageModerator.from_model_cards(
        threads=1
    )  # built-in nudenet + the card found via the env var
    assert "violence" in moderator.categories_covered
    assert "FEMALE_GENITALIA_EXPOSED" in moderator.categories_covered
    assert "safe" not in moderator.categories_covered  # a label without a threshold never flags

    batch = [("bright", solid((250, 250, 250))), ("dark", solid((5, 5, 5))), ("mid", solid((128, 128, 128)))]
    verdicts = list(moderator.verdicts(batch))
    assert [v.flagged_labels for v in verdicts] == [("violence",), (), ()]
    assert verdicts[0].scores["violence"] > 0.99
    assert verdicts[1].scores["violence"] < 0.01
    assert verdicts[2].scores["violence"] == pytest.approx(0.5, abs=0.02)

    result = moderator.analyze_batch(batch)
    assert (result.status, result.analysed, result.flagged) == (AnalysisStatus.OK, 3, 1)
    assert result.category_counts == {"violence": 1}
    assert any(m.startswith("test-violence@sha256:") for m in result.models)


def test_card_with_builtin_id_replaces_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mean_pixel_classifier(tmp_path / "nsfw.onnx", side=32, layout="NHWC")
    card = {**VIOLENCE_CARD, "id": NUDENET_CARD_ID, "onnx_path": "nsfw.onnx", "labels": ["nsfw", "sfw"],
            "thresholds": {"nsfw": 0.9}}  # fmt: skip
    (tmp_path / "replacement.json").write_text(json.dumps(card))
    monkeypatch.setenv(MODEL_CARDS_DIR_ENV, str(tmp_path))
    (only,) = default_cards()
    assert only.labels == ["nsfw", "sfw"]


def test_yolov8_card_reads_detections_through_nms(tmp_path: Path) -> None:
    """A tiny detector: box 0 ('WEAPON', score = mean pixel) overlaps box 1 ('FACE', 0.9 · mean), which NMS
    removes; box 2 ('WEAPON', fixed 0.3) is alone but under the flag threshold."""
    base = np.zeros((6, 3), np.float32)
    coef = np.zeros((6, 3), np.float32)
    base[0:4, 0] = [20, 20, 20, 20]
    base[0:4, 1] = [21, 21, 20, 20]
    base[0:4, 2] = [50, 50, 10, 10]
    coef[4, 0] = 1.0  # WEAPON score of box 0 = mean pixel
    coef[5, 1] = 0.9  # FACE score of box 1
    base[4, 2] = 0.3
    mean_pixel_detector(tmp_path / "det.onnx", base, coef, side=64)
    card = ModelCard(id="det", onnx_path=str(tmp_path / "det.onnx"), input_size=64, labels=["WEAPON", "FACE"],
                     thresholds={"WEAPON": 0.5}, output="yolov8")  # fmt: skip
    moderator = ImageModerator.from_model_cards([card], threads=1)
    bright, dark = moderator.verdicts([("b", solid((255, 255, 255))), ("d", solid((0, 0, 0)))])
    assert bright.flagged_labels == ("WEAPON",)
    # 120×90 letterboxed into 64×64: a quarter of the input is black padding, so the mean is 0.75. The FACE
    # box (0.675) is suppressed by the overlapping WEAPON box; the lone 0.3 box is kept but is not the best.
    assert bright.scores == {"WEAPON": pytest.approx(0.75, abs=0.01)}
    assert dark.flagged_labels == ()
    assert dark.scores == {"WEAPON": pytest.approx(0.3)}


@pytest.mark.parametrize(
    "change",
    [
        {"thresholds": {"gore": 0.5}},  # label the model does not have
        {"thresholds": {"violence": 1.5}},
        {"layout": "CHWN"},
        {"std": [0, 1, 1]},
        {"labels": ["violence", "violence"]},
        {"input_size": 0},
        {"unknown_field": 1},
    ],
)
def test_invalid_cards_are_rejected(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ModelCard.model_validate({**VIOLENCE_CARD, **change})


def test_invalid_card_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x"}')
    with pytest.raises(ValidationError):
        load_card(path)


def test_the_shipped_rule_is_the_same_for_every_sex() -> None:
    from credscore.analysis.model_cards import NUDENET_LABELS, asymmetric_labels, nudenet_card

    card = nudenet_card()
    assert asymmetric_labels(card.labels, card.thresholds) == []
    assert "FEMALE_GENITALIA_EXPOSED" in card.thresholds
    assert "MALE_GENITALIA_EXPOSED" in card.thresholds
    # Breasts flag for no sex (a female-only breast rule was the asymmetry the issue found).
    assert "FEMALE_BREAST_EXPOSED" not in card.thresholds
    assert "MALE_BREAST_EXPOSED" not in card.thresholds
    assert set(card.thresholds) <= set(NUDENET_LABELS)
    assert card.categories == ["nudity"]


def test_a_card_whose_rule_differs_by_sex_is_refused_unless_it_says_so() -> None:
    from credscore.analysis.model_cards import NUDENET_LABELS, nudenet_card

    base = nudenet_card().model_dump()
    one_sided = {**base, "thresholds": {"FEMALE_BREAST_EXPOSED": 0.5}}
    with pytest.raises(ValidationError, match="differ by sex"):
        ModelCard.model_validate(one_sided)
    uneven = {**base, "thresholds": {"FEMALE_GENITALIA_EXPOSED": 0.5, "MALE_GENITALIA_EXPOSED": 0.6}}
    with pytest.raises(ValidationError, match="differ by sex"):
        ModelCard.model_validate(uneven)
    both = {**base, "thresholds": {"FEMALE_BREAST_EXPOSED": 0.5, "MALE_BREAST_EXPOSED": 0.5}}
    assert ModelCard.model_validate(both).thresholds == both["thresholds"]
    allowed = ModelCard.model_validate({**one_sided, "sex_symmetric": False})
    assert set(allowed.thresholds) == {"FEMALE_BREAST_EXPOSED"}
    assert "BUTTOCKS_EXPOSED" in NUDENET_LABELS  # labels without a sex are not affected


def test_a_card_declares_the_categories_it_covers(cards_dir: Path) -> None:
    card = json.loads((cards_dir / "violence.json").read_text())
    card["categories"] = ["violence"]
    (cards_dir / "violence.json").write_text(json.dumps(card))
    moderator = ImageModerator.from_model_cards(threads=1)
    assert moderator.content_categories == ["nudity", "violence"]
    card["categories"] = ["gore"]
    (cards_dir / "violence.json").write_text(json.dumps(card))
    with pytest.raises(ValidationError):
        default_cards()
