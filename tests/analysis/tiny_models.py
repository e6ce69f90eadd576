"""Tiny ONNX models built with the `onnx` package, standing in for a deployment's own classifiers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _save(graph: onnx.GraphProto, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8  # readable by any recent onnxruntime
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def mean_pixel_classifier(path: Path, side: int = 32, layout: str = "NHWC", gain: float = 5.0) -> Path:
    """Two logits [gain·m, −gain·m], m the mean of the normalised input: a 'violence' detector that
    fires on bright images when the card normalises pixels to [−1, 1]."""
    shape = [1, side, side, 3] if layout == "NHWC" else [1, 3, side, side]
    nodes = [
        helper.make_node("ReduceMean", ["pixels"], ["mean4"], axes=[1, 2, 3], keepdims=1),
        helper.make_node("Reshape", ["mean4", "shape"], ["mean"]),
        helper.make_node("Mul", ["mean", "gains"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes,
        "mean_pixel_classifier",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 2])],
        initializer=[
            numpy_helper.from_array(np.array([1, 1], np.int64), "shape"),
            numpy_helper.from_array(np.array([[gain, -gain]], np.float32), "gains"),
        ],
    )
    return _save(graph, path)


def mean_pixel_detector(path: Path, base: np.ndarray, coef: np.ndarray, side: int = 64) -> Path:
    """A yolov8-shaped detector: output[1, 4 + labels, boxes] = base + m · coef, m = mean input in [0, 1]."""
    rows, boxes = base.shape
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean4"], axes=[1, 2, 3], keepdims=1),
        helper.make_node("Reshape", ["mean4", "shape"], ["mean"]),
        helper.make_node("Mul", ["mean", "coef"], ["scaled"]),
        helper.make_node("Add", ["scaled", "base"], ["output0"]),
    ]
    graph = helper.make_graph(
        nodes,
        "mean_pixel_detector",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, side, side])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, rows, boxes])],
        initializer=[
            numpy_helper.from_array(np.array([1, 1, 1], np.int64), "shape"),
            numpy_helper.from_array(coef[np.newaxis].astype(np.float32), "coef"),
            numpy_helper.from_array(base[np.newaxis].astype(np.float32), "base"),
        ],
    )
    return _save(graph, path)
