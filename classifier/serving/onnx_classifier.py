"""The real classifier: an int8 ONNX Runtime model behind the `Classifier` interface.

pre:  clean text (text_guard), tokenise with the fast `tokenizers` tokenizer (outside the model
      call), no padding, truncation at the model's max_length.
core: sort by token length, cut into batches padded only to their own longest post, run ORT.
post: margin -> calibrated probability -> out-of-domain layer (when the model directory ships
      one: `classifier.ood`) -> band; optional occlusion reasons.
The model directory is loaded once per process. A directory may hold only calibration layers
and name its weights' directory in metadata.json (`classifier.serving.loader.weights_dir`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from classifier.calibration import Calibration, log_odds
from classifier.destyle import normalise
from classifier.interface import LoadedModel, Prediction
from classifier.io import read_json
from classifier.ood import EMBED_OUTPUT, OodLayer, session_with_embedding
from classifier.serving.batching import padded_batches
from classifier.serving.call_plan import CallPlan
from classifier.serving.loader import artifact
from classifier.serving.reasons import occlusion_reasons
from classifier.serving.text_guard import clean_text, is_out_of_distribution, sanitize
from classifier.serving.threads import session_options
from classifier.thresholds import Thresholds

MODEL_FILE = "model.int8.onnx"
# Posts per model call for a graph without run-time quantization. Measured on this 2-core box
# (int8 in batches, 2 threads, 400 demo posts): batch 1: 478 posts/s, 4: 612, 8: 626, 16: 276,
# 32: 216. A dynamically quantized graph (the shipped one) takes one post per call (`call_plan`).


class OnnxClassifier(LoadedModel):
    def __init__(
        self,
        model_dir: Path,
        *,
        onnx_file: str = MODEL_FILE,
        threads: int | None = None,
        batch_size: int = 8,
        with_embedding: bool = False,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model_dir = Path(model_dir)
        meta = read_json(self.model_dir / "metadata.json")
        self._version = str(meta["model_version"])
        self.max_length = int(meta.get("max_length", 128))
        # "normalise": URLs/handles/hashtags/emoji normalised before tokenising (destyle.py)
        self.text_normalisation = str(meta.get("text_normalisation", "none"))
        self.calibration = Calibration.load(artifact(self.model_dir, "calibration.json"))
        self._thresholds = Thresholds.load(artifact(self.model_dir, "thresholds.json"))
        self.ood = OodLayer.load(self.model_dir)
        self._flag_below = self.ood.flag_below if self.ood else 0.0
        self.tokenizer = Tokenizer.from_file(str(artifact(self.model_dir, "tokenizer.json")))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_length)
        onnx_path = artifact(self.model_dir, onnx_file)
        self._calls = CallPlan(onnx_path, batch_size=batch_size, threads=threads, name="falsehood")
        self.batch_size = self._calls.batch_size
        opts = session_options(self._calls.session_threads)
        self.with_embedding = with_embedding or self.ood is not None
        self.session: Any = (
            session_with_embedding(onnx_path, opts)
            if self.with_embedding
            else ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        )
        self._input_names = {i.name for i in self.session.get_inputs()}

    # pre -----------------------------------------------------------------
    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        prep = normalise if self.text_normalisation == "normalise" else str
        batch = [prep(sanitize(t)) for t in texts]
        return [list(e.ids) for e in self.tokenizer.encode_batch(batch)]

    # core ----------------------------------------------------------------
    def logits(self, ids: Sequence[Sequence[int]]) -> NDArray[np.float32]:
        """Raw logits [n, 2] in input order; batches sorted by length, padded per batch."""
        return self.forward(ids)[0]

    def forward(
        self, ids: Sequence[Sequence[int]]
    ) -> tuple[NDArray[np.float32], NDArray[np.float32] | None]:
        """(logits [n, 2], pooled features [n, h] or None) in input order."""
        out = np.zeros((len(ids), 2), dtype=np.float32)
        emb: NDArray[np.float32] | None = None
        batches = list(padded_batches(ids, self.batch_size))
        for (rows, _, _), res in zip(batches, self._calls.map(self._run, batches), strict=True):
            out[rows] = res[0]
            if self.with_embedding:
                if emb is None:
                    emb = np.zeros((len(ids), res[1].shape[1]), dtype=np.float32)
                emb[rows] = res[1]
        return out, emb

    def _run(self, batch: tuple[list[int], NDArray[np.int64], NDArray[np.int64]]) -> list[Any]:
        _, input_ids, mask = batch
        feed = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        names = ["logits", EMBED_OUTPUT] if self.with_embedding else ["logits"]
        result: list[Any] = self.session.run(names, feed)
        return result

    def probabilities(
        self, ids: Sequence[Sequence[int]]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        """(final probability false, out-of-domain weight or None without the layer)."""
        lg, emb = self.forward(ids)
        z = lg.astype(np.float64)
        probs = self.calibration.apply(z[:, 1] - z[:, 0])
        if self.ood is None or emb is None:
            return probs, None
        return self.ood.apply(probs, emb)

    def calibrated_logit(self, texts: Sequence[str]) -> NDArray[np.float64]:
        return log_odds(self.probabilities(self.encode(texts))[0])

    def scores(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Calibrated probability false, for already-clean texts (no checks, no flags)."""
        return self.probabilities(self.encode(texts))[0]

    # post ----------------------------------------------------------------
    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        cleaned = [clean_text(sanitize(t)) for t in texts]
        bodies = [c for c, _ in cleaned]
        ids = self.encode(bodies)
        probs, weights = self.probabilities(ids)
        reasons = None
        if explain:
            reasons = occlusion_reasons(bodies, log_odds(probs), self.calibrated_logit)
        preds: list[Prediction] = []
        for i, (body, char_cut) in enumerate(cleaned):
            token_cut = len(ids[i]) >= self.max_length and self._overflows(body)
            foreign = is_out_of_distribution(body)
            off_domain = bool(weights is not None and weights[i] < self._flag_below)
            flags = tuple(
                name
                for name, on in (
                    ("truncated", char_cut),
                    ("truncated_tokens", token_cut),
                    ("out_of_distribution", foreign),
                    ("out_of_domain", off_domain),
                )
                if on
            )
            score = float(probs[i])
            preds.append(
                Prediction(
                    score=round(score, 6),
                    band=self._thresholds.band_for(score),
                    model_version=self._version,
                    reasons=reasons[i] if reasons is not None else (),
                    truncated=char_cut or token_cut,
                    out_of_distribution=foreign or off_domain,
                    flags=flags,
                )
            )
        return preds

    def _overflows(self, body: str) -> bool:
        return len(self.tokenizer.encode(body).overflowing) > 0
