"""Export a fine-tuned HF model to ONNX, fuse it (ORT BERT optimizer) and quantise it to int8.

Recipe (see shared/research/models-perf.md): eager attention, `torch.onnx.export(dynamo=False,
opset 17)`, `optimize_model(model_type="bert")`, then dynamic QInt8 weights with
`DefaultTensorType=FLOAT` so shape inference succeeds on the fused graph. Weights are
quantised per output channel: per-tensor scales moved fine-tuned dev probabilities by up to 0.98
(mean 0.017) and cost 0.3 pt Constraint accuracy; per-channel: mean 0.007, accuracy = fp32.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def trace_to_onnx(
    module: torch.nn.Module,
    out_path: Path,
    output: str,
    output_axes: dict[int, str],
    opset: int = 17,
) -> Path:
    """Trace a BERT-style module taking (input_ids, attention_mask, token_type_ids) to fp32
    ONNX with dynamic batch and sequence axes, with the TorchScript exporter that ORT's BERT
    fusion understands."""
    module.eval()
    dummy = torch.ones((2, 16), dtype=torch.long)
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUTS}
    axes[output] = output_axes
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            module,
            (dummy, torch.ones_like(dummy), torch.zeros_like(dummy)),
            str(out_path),
            input_names=list(INPUTS),
            output_names=[output],
            dynamic_axes=axes,
            opset_version=opset,
            dynamo=False,
        )
    return out_path


def export_onnx(hf_dir: Path, out_path: Path, opset: int = 17) -> Path:
    """Plain fp32 ONNX of a sequence classifier; output `logits` [batch, labels]."""
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        hf_dir, local_files_only=True, attn_implementation="eager"
    )
    return trace_to_onnx(model, out_path, "logits", {0: "batch"}, opset)


def fuse(onnx_path: Path, out_path: Path, num_heads: int, hidden_size: int) -> Path:
    from onnxruntime.transformers.optimizer import optimize_model

    opt = optimize_model(
        str(onnx_path), model_type="bert", num_heads=num_heads, hidden_size=hidden_size
    )
    opt.save_model_to_file(str(out_path))
    return out_path


def quantize_int8(fused_path: Path, out_path: Path) -> Path:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fused_path),
        str(out_path),
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    return out_path


def half_weights(fused_path: Path, out_path: Path, min_elements: int = 1024) -> Path:
    """Store every large fp32 weight as fp16 followed by a Cast back to fp32.

    Half the file size of fp32 with fp32 compute: ORT folds the Casts once when the session
    loads. For retrieval models whose rankings hinge on small cosine gaps this keeps fp32
    quality where dynamic int8 did not (see claims/README_matching.md)."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(fused_path))
    graph = model.graph
    initializers, casts = [], []
    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT and int(np.prod(init.dims)) >= min_elements:
            half = numpy_helper.from_array(
                numpy_helper.to_array(init).astype(np.float16), f"{init.name}__fp16"
            )
            initializers.append(half)
            casts.append(
                helper.make_node(
                    "Cast", [half.name], [init.name], to=TensorProto.FLOAT, name=f"{init.name}__up"
                )
            )
        else:
            initializers.append(init)
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    onnx.save(model, str(out_path))
    return out_path


def full_weights(half_path: Path, out_path: Path) -> Path:
    """Undo `half_weights`: each fp16 weight and the Cast after it become one fp32 weight.

    The values stay exactly what the fp16 file holds, so a model shipped with half weights can
    be quantized again (`quantize_int8`) without its training checkpoint."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(half_path))
    graph = model.graph
    stored = {init.name: init for init in graph.initializer}
    widened, nodes = [], []
    for node in graph.node:
        if node.op_type == "Cast" and node.input[0] in stored:
            weight = numpy_helper.to_array(stored.pop(node.input[0])).astype(np.float32)
            widened.append(numpy_helper.from_array(weight, node.output[0]))
        else:
            nodes.append(node)
    del graph.initializer[:]
    graph.initializer.extend([*stored.values(), *widened])
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.save(model, str(out_path))
    return out_path


def export_all(hf_dir: Path, model_dir: Path, work_dir: Path) -> dict[str, Path]:
    """Write `model.int8.onnx` into model_dir; the fp32 files go to work_dir (not shipped)."""
    from transformers import AutoConfig

    cfg = AutoConfig.from_pretrained(hf_dir, local_files_only=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    plain = export_onnx(hf_dir, work_dir / "model.fp32.onnx")
    fused = fuse(
        plain, work_dir / "model.fp32.fused.onnx", cfg.num_attention_heads, cfg.hidden_size
    )
    int8 = quantize_int8(fused, model_dir / "model.int8.onnx")
    for stray in model_dir.glob("*.onnx.data"):
        os.remove(stray)
    return {"fp32": plain, "fp32_fused": fused, "int8": int8}
