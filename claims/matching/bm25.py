"""Lexical (BM25) scoring for claim matching, over text cleaned by `classifier.post_text`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


class BM25:
    """Okapi BM25 over a fixed corpus, vectorised with a sparse term matrix."""

    def __init__(self, corpus: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> None:
        # Imported here: importing this module should not pay for scipy and scikit-learn (1.7 s).
        from scipy import sparse
        from sklearn.feature_extraction.text import CountVectorizer

        self._vectorizer = CountVectorizer(
            lowercase=True,
            stop_words="english",
            token_pattern=r"(?u)\b\w+\b",  # noqa: S106 - a regex
        )
        tf = sparse.csr_matrix(self._vectorizer.fit_transform(corpus), dtype=np.float32)
        n_docs = tf.shape[0]
        df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float32)
        self._idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = np.asarray(tf.sum(axis=1)).ravel()
        avg = float(lengths.mean()) if n_docs else 1.0
        norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        # Saturated term weight per (doc, term): tf * (k1 + 1) / (tf + norm_doc)
        rows = np.repeat(np.arange(n_docs), np.diff(tf.indptr))
        data = tf.data * (k1 + 1) / (tf.data + norm[rows])
        weighted = sparse.csr_matrix((data, tf.indices, tf.indptr), shape=tf.shape)
        self._doc_terms = sparse.csr_matrix(weighted.multiply(self._idf[None, :]))

    def scores(self, queries: Sequence[str]) -> npt.NDArray[np.float32]:
        """A (queries x documents) matrix of BM25 scores (query term counts are binarised)."""
        q = self._vectorizer.transform(queries)
        q.data[:] = 1.0
        return np.asarray((q @ self._doc_terms.T).todense(), dtype=np.float32)
