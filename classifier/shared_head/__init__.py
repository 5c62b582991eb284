"""A falsehood head over the shared intake encoder (the claim matcher's MiniLM).

Intake already embeds every post once (`classifier.checkworthiness.prepare`, the matcher's
ONNX encoder) for claim matching and check-worthiness; a falsehood head over the same vectors
lets that one pass serve all three heads. Public surface: `FalsehoodHead` (load, score
vectors), `train_head` (dataset-balanced, de-styled augmentation, calibration fitted across
sets), and `python -m classifier.shared_head` (evaluate / train).
"""

from classifier.shared_head.head import FalsehoodHead
from classifier.shared_head.training import train_head

__all__ = ["FalsehoodHead", "train_head"]
