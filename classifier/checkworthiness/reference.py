"""The simple reference beside every figure: TF-IDF word 1-2 grams + logistic regression
(class-balanced, threshold 0.5), trained on exactly the same rows as the head."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from classifier.checkworthiness.fitting import f1

if TYPE_CHECKING:
    from classifier.checkworthiness.train import Table

_FITTED: dict[bytes, Any] = {}


def tfidf_reference(
    t: Table, train_sel: np.ndarray[Any, Any], eval_sel: np.ndarray[Any, Any]
) -> float:
    """F1 of the check-worthy class on `eval_sel` (one fit per distinct training selection)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    key = np.packbits(train_sel).tobytes()
    if key not in _FITTED:
        texts = [p for p, keep in zip(t.prepared, train_sel, strict=True) if keep]
        pipe = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000),
        )
        _FITTED[key] = pipe.fit(texts, t.y[train_sel])
    held = [p for p, keep in zip(t.prepared, eval_sel, strict=True) if keep]
    pred = _FITTED[key].predict(held).astype(bool)
    return round(f1(pred, t.y[eval_sel]), 4)
