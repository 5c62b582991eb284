"""Encoder batches: every row once, shortest first, each padded to its own longest row."""

from __future__ import annotations

from classifier.serving.batching import length_sorted_batches, padded_batches


def test_batches_cover_every_row_once_shortest_first() -> None:
    lengths = [5, 1, 3, 9, 2]
    batches = list(length_sorted_batches(lengths, 2))
    assert batches == [[1, 4], [2, 0], [3]]
    assert sorted(r for b in batches for r in b) == list(range(len(lengths)))


def test_each_batch_is_padded_to_its_longest_row_and_masked() -> None:
    ids = [[7, 8, 9], [4], [5, 6]]
    seen = {}
    for rows, input_ids, mask in padded_batches(ids, 2):
        width = max(len(ids[r]) for r in rows)
        assert input_ids.shape == mask.shape == (len(rows), width)
        for k, r in enumerate(rows):
            seen[r] = input_ids[k, : int(mask[k].sum())].tolist()
            assert input_ids[k, int(mask[k].sum()) :].tolist() == [0] * (width - len(ids[r]))
    assert seen == {0: [7, 8, 9], 1: [4], 2: [5, 6]}
    assert [rows for rows, _, _ in padded_batches(ids, 2)] == [[1, 2], [0]]
