"""The suite's row and grouping helpers, shared by `veracity evaluate` and the shared head's
evaluation (classifier.training.suite.metric_row, by_method_and_text)."""

from __future__ import annotations

import numpy as np

from classifier.training.suite import by_method_and_text, metric_row, set_metrics


def test_a_row_carries_the_set_metrics_and_the_scores_behind_them() -> None:
    probs = np.array([0.9, 0.2, 0.7, 0.4])
    labels = np.array([1, 0, 0, 1], dtype=np.int64)
    row = metric_row("wiki_claims", False, "tfidf_loso", "destyled", probs, labels)
    assert {k: row[k] for k in ("set", "in_domain", "method", "text")} == {
        "set": "wiki_claims",
        "in_domain": False,
        "method": "tfidf_loso",
        "text": "destyled",
    }
    assert {k: v for k, v in row.items() if k in set_metrics(probs, labels)} == set_metrics(
        probs, labels
    )
    assert row["_probs"] is probs and row["_labels"] is labels


def test_rows_group_by_method_then_text_in_row_order() -> None:
    rows = [
        {"method": "model", "text": "original", "set": "a"},
        {"method": "tfidf_loso", "text": "original", "set": "a"},
        {"method": "model", "text": "destyled", "set": "a"},
        {"method": "model", "text": "original", "set": "b"},
    ]
    grouped = by_method_and_text(rows)
    assert [r["set"] for r in grouped["model"]["original"]] == ["a", "b"]
    assert list(grouped["model"]) == ["original", "destyled"]
    assert [r["set"] for r in grouped["tfidf_loso"]["original"]] == ["a"]
