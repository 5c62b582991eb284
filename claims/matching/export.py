"""Exporting the fine-tuned matcher models to fused ONNX (the classifier's export recipe).

Training exports weights stored as fp16 and computed in fp32 (`half_weights`); the shipped
matcher is that file quantized to dynamic int8 afterwards (`claims.matching.requantize`). An
earlier fold encoder lost 3.3 points of MAP@5 to int8 on one random train slice (0.876 -> 0.843);
claim-matcher-2026.11.30 loses at most 0.2 on train and dev (its MODEL_CARD.md). The encoder graph outputs `last_hidden_state` (pooling stays
in numpy, as for the torch model); the cross-encoder outputs `logits` [batch, 1].
fp32 intermediates go to a work dir.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Literal

import torch

from classifier.training.export import export_onnx, fuse, half_weights, quantize_int8, trace_to_onnx

Precision = Literal["fp16-weights", "int8"]


def export_encoder_onnx(hf_dir: Path, out_path: Path, opset: int = 17) -> Path:
    from transformers import AutoModel

    model = AutoModel.from_pretrained(hf_dir, local_files_only=True, attn_implementation="eager")

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(
            self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor
        ) -> torch.Tensor:
            hidden: torch.Tensor = self.inner(
                input_ids=ids, attention_mask=mask, token_type_ids=types
            ).last_hidden_state
            return hidden

    return trace_to_onnx(
        Hidden(), out_path, "last_hidden_state", {0: "batch", 1: "sequence"}, opset
    )


def export_model(
    hf_dir: Path,
    out_path: Path,
    work_dir: Path,
    *,
    encoder: bool,
    precision: Precision = "fp16-weights",
) -> Path:
    """`out_path` gets the fused model (fp16-stored weights, or per-channel int8); returns it."""
    from transformers import AutoConfig

    cfg = AutoConfig.from_pretrained(hf_dir, local_files_only=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    plain = work_dir / f"{out_path.stem}.fp32.onnx"
    if encoder:
        export_encoder_onnx(hf_dir, plain)
    else:
        export_onnx(hf_dir, plain)
    fused = fuse(
        plain, work_dir / f"{out_path.stem}.fused.onnx", cfg.num_attention_heads, cfg.hidden_size
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if precision == "int8":
        quantize_int8(fused, out_path)
    else:
        half_weights(fused, out_path)
    for stray in out_path.parent.glob("*.onnx.data"):
        stray.unlink()
    return out_path


def copy_tokenizer(hf_dir: Path, model_dir: Path) -> None:
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(hf_dir / name, model_dir / name)
