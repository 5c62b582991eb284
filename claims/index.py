"""Vector indexes for claim kNN behind one interface.

`NumpyIndex` is the embedded default (exact cosine over normalised vectors, in process);
`claims.index_es.ElasticsearchIndex` keeps vectors in a `dense_vector` field and uses `knn`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from classifier.serving.embeddings import Vectors


@dataclass(frozen=True)
class Hit:
    claim_id: str
    similarity: float  # cosine similarity in [-1, 1]


class VectorIndex(Protocol):
    def upsert(self, ids: Sequence[str], vectors: Vectors) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def search(self, vectors: Vectors, k: int) -> list[list[Hit]]:
        """The k nearest claims for each query vector, most similar first."""
        ...

    def __len__(self) -> int: ...


class NumpyIndex:
    def __init__(self, dimensions: int) -> None:
        self._dimensions = dimensions
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._matrix = np.zeros((0, dimensions), dtype=np.float32)

    def upsert(self, ids: Sequence[str], vectors: Vectors) -> None:
        if vectors.shape != (len(ids), self._dimensions):
            raise ValueError(f"expected {len(ids)} x {self._dimensions} vectors")
        fresh = [(i, cid) for i, cid in enumerate(ids) if cid not in self._row]
        for i, cid in enumerate(ids):
            if cid in self._row:
                self._matrix[self._row[cid]] = vectors[i]
        if fresh:
            for offset, (_, cid) in enumerate(fresh):
                self._row[cid] = len(self._ids) + offset
            self._ids.extend(cid for _, cid in fresh)
            self._matrix = np.vstack([self._matrix, vectors[[i for i, _ in fresh]]])

    def delete(self, ids: Sequence[str]) -> None:
        gone = set(ids) & set(self._row)
        if not gone:
            return
        keep = [i for i, cid in enumerate(self._ids) if cid not in gone]
        self._ids = [self._ids[i] for i in keep]
        self._matrix = self._matrix[keep]
        self._row = {cid: i for i, cid in enumerate(self._ids)}

    def search(self, vectors: Vectors, k: int) -> list[list[Hit]]:
        if not self._ids or k <= 0:
            return [[] for _ in range(len(vectors))]
        sims = vectors @ self._matrix.T
        k = min(k, len(self._ids))
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        results: list[list[Hit]] = []
        for row, candidates in zip(sims, top, strict=True):
            ordered = candidates[np.argsort(-row[candidates], kind="stable")]
            results.append([Hit(self._ids[j], float(row[j])) for j in ordered])
        return results

    def __len__(self) -> int:
        return len(self._ids)
