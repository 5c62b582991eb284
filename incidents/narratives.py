"""Online narrative clustering on sentence embeddings: a post joins the nearest open narrative
whose centroid is at least `JOIN_COSINE` away in cosine, else it starts one.

Near-duplicate MinHash (`incidents.clustering`) only groups copies; paraphrases of one claim
share few word 3-shingles, so a wave written in varied wording split into many small
clusters, none reaching the volume threshold. A centroid (the running mean of its members'
unit vectors) rather than single-link keeps one loose paraphrase from chaining two narratives.

`JOIN_COSINE` was chosen on CheckThat 2020 Task 2 train tweets (tweets that share a verified
claim belong together, others do not) with `python -m incidents.narrative_eval`: the lowest
threshold whose pairwise precision stays above 0.95 (merging two narratives is the worse error:
one incident would carry another's posts and grade). Replayed online in shuffled order:

    cosine  precision  recall  narratives whole      (train: 799 tweets, 114 shared claims)
    0.55    0.73       0.68    0.62
    0.60    0.82       0.53    0.51
    0.65    0.97       0.41    0.38   <- chosen
    0.70    0.97       0.29    0.33
    0.80    1.00       0.10    0.13

CheckThat tweets sharing a claim are often different statements of it, not paraphrases; the
hand-written 24-post paraphrase wave in `tests/incidents` ends whole. Dev has only 8 shared
claims (precision 1.00 at every threshold tried; too few to choose on). The encoder was
fine-tuned on train tweet-claim pairs, so train figures are optimistic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
# Texts -> one L2-normalised row each (the claim matcher's encoder: `Embedder.embed`).
TextEmbedder = Callable[[Sequence[str]], npt.NDArray[np.float32]]

JOIN_COSINE = 0.65


class Centroids:
    """Narrative centroids held as sums of unit vectors; the cosine is to the normalised sum.
    The normalised rows are kept up to date row by row, so a lookup is one matrix-vector
    product over the open narratives (no rebuild per post)."""

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self.keys: list[str] = []
        self.counts: list[int] = []
        self._index: dict[str, int] = {}
        self._sums = np.zeros((0, dimensions), dtype=np.float32)
        self._unit = np.zeros((0, dimensions), dtype=np.float32)

    def __len__(self) -> int:
        return len(self.keys)

    def _set(self, i: int, total: Vector) -> None:
        self._sums[i] = total
        norm = float(np.linalg.norm(total))
        self._unit[i] = total / norm if norm > 0 else 0.0

    def load(self, key: str, total: Vector, count: int) -> None:
        i = len(self.keys)
        if i == self._sums.shape[0]:  # grow by doubling: appends stay amortised O(d)
            grown = max(16, 2 * i)
            self._sums = np.resize(self._sums, (grown, self.dimensions))
            self._unit = np.resize(self._unit, (grown, self.dimensions))
        self._index[key] = i
        self.keys.append(key)
        self.counts.append(count)
        self._set(i, total.astype(np.float32))

    def _cosines(self, vector: Vector) -> npt.NDArray[np.float32]:
        cosines: npt.NDArray[np.float32] = self._unit[: len(self.keys)] @ vector
        return cosines

    def nearest(self, vector: Vector) -> tuple[str, float] | None:
        """The closest centroid and its cosine, or None when there are none."""
        if not self.keys:
            return None
        cosines = self._cosines(vector)
        best = int(np.argmax(cosines))
        return self.keys[best], float(cosines[best])

    def assign(self, vector: Vector, new_key: str, threshold: float = JOIN_COSINE) -> str:
        """The key of the narrative this vector joins (added to it), or `new_key` started;
        then narratives that converged are merged (the larger keeps its key)."""
        found = self.nearest(vector)
        key = found[0] if found is not None and found[1] >= threshold else new_key
        self.add(key, vector)
        return self.consolidate(key, lambda k: (False, self.counts[self._index[k]]), threshold)[0]

    def consolidate(
        self, key: str, rank: Callable[[str], tuple[bool, int]], threshold: float = JOIN_COSINE
    ) -> tuple[str, list[tuple[str, str]]]:
        """Merge narratives whose centroids came within the threshold of `key`'s. `rank(k)` is
        (pinned, size): the higher rank keeps its key; a pinned one (a live incident, a claim)
        is never absorbed. Returns the surviving key and the (winner, loser) merges."""
        merges = []
        for other in self.close_to(key, threshold):
            if other not in self._index:
                continue
            winner, loser = (key, other) if rank(key) >= rank(other) else (other, key)
            if rank(loser)[0]:
                continue
            self.absorb(winner, loser)
            merges.append((winner, loser))
            key = winner
        return key, merges

    def add(self, key: str, vector: Vector) -> None:
        i = self._index.get(key)
        if i is None:
            self.load(key, vector, 1)
            return
        self._set(i, self._sums[i] + vector)
        self.counts[i] += 1

    def close_to(self, key: str, threshold: float = JOIN_COSINE) -> list[str]:
        """Other narratives whose centroid has come within the threshold of `key`'s: early
        posts of one narrative that arrived far apart start separate centroids, which
        converge as the narrative fills in."""
        if len(self.keys) < 2:
            return []
        cosines = self._cosines(self._unit[self._index[key]])
        return [self.keys[i] for i in np.flatnonzero(cosines >= threshold) if self.keys[i] != key]

    def absorb(self, winner: str, loser: str) -> None:
        """Fold `loser`'s members into `winner` and drop `loser` (its row takes the last)."""
        i, j = self._index[winner], self._index.pop(loser)
        self._set(i, self._sums[i] + self._sums[j])
        self.counts[i] += self.counts[j]
        last = len(self.keys) - 1
        if j != last:  # move the last row into the hole
            moved = self.keys[last]
            self.keys[j], self.counts[j] = moved, self.counts[last]
            self._sums[j], self._unit[j] = self._sums[last], self._unit[last]
            self._index[moved] = j
        self.keys.pop()
        self.counts.pop()

    def total(self, key: str) -> tuple[Vector, int]:
        i = self._index[key]
        total: Vector = self._sums[i].copy()
        return total, self.counts[i]
