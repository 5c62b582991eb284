"""Encoder inputs in batches of similar length: sorting by length wastes little compute on
padding (a batch costs as much as its longest row)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> Iterator[list[int]]:
    """Row indices, shortest first, `batch_size` at a time."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def padded_batches(
    ids: Sequence[Sequence[int]], batch_size: int
) -> Iterator[tuple[list[int], IntArray, IntArray]]:
    """(rows, input_ids, attention_mask) per batch, each padded with 0 to its longest row."""
    for rows in length_sorted_batches([len(i) for i in ids], batch_size):
        width = max(len(ids[r]) for r in rows)
        input_ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for k, r in enumerate(rows):
            input_ids[k, : len(ids[r])] = ids[r]
            mask[k, : len(ids[r])] = 1
        yield rows, input_ids, mask
