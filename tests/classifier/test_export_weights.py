"""`half_weights` and `full_weights`: fp16 storage and back, on a small ONNX graph."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from classifier.training.export import full_weights, half_weights


def _matmul_model(path: Path, weight: np.ndarray) -> None:
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, weight.shape[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, weight.shape[1]])],
        [numpy_helper.from_array(weight, "w")],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def _run(path: Path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return np.asarray(session.run(None, {"x": x})[0])


def test_full_weights_restores_the_fp16_values_as_fp32_without_casts(tmp_path: Path) -> None:
    weight = np.random.default_rng(0).normal(size=(64, 32)).astype(np.float32)
    _matmul_model(tmp_path / "plain.onnx", weight)
    half = half_weights(tmp_path / "plain.onnx", tmp_path / "half.onnx")
    full = full_weights(half, tmp_path / "full.onnx")

    model = onnx.load(str(full))
    assert [n.op_type for n in model.graph.node] == ["MatMul"]
    (restored,) = [numpy_helper.to_array(i) for i in model.graph.initializer]
    assert restored.dtype == np.float32
    assert np.array_equal(restored, weight.astype(np.float16).astype(np.float32))

    x = np.random.default_rng(1).normal(size=(1, 64)).astype(np.float32)
    assert np.array_equal(_run(full, x), _run(half, x))


def test_small_weights_stay_fp32_and_untouched(tmp_path: Path) -> None:
    weight = np.arange(12, dtype=np.float32).reshape(4, 3) / 7
    _matmul_model(tmp_path / "plain.onnx", weight)
    half = half_weights(tmp_path / "plain.onnx", tmp_path / "half.onnx")  # 12 < 1024 elements
    full = full_weights(half, tmp_path / "full.onnx")
    (kept,) = [numpy_helper.to_array(i) for i in onnx.load(str(full)).graph.initializer]
    assert np.array_equal(kept, weight)
