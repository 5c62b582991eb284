"""Batch scoring of (id, text) records into JSON-ready rows (used by `veracity score`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from classifier.interface import Classifier, EmptyTextError, Prediction
from classifier.serving.text_guard import clean_text

CHUNK = 256


def prediction_row(pid: str, pred: Prediction) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": pid,
        "score": pred.score,
        "band": str(pred.band),
        "model_version": pred.model_version,
    }
    if pred.flags:
        row["flags"] = list(pred.flags)
    if pred.reasons:
        row["reasons"] = [{"phrase": r.phrase, "weight": r.weight} for r in pred.reasons]
    return row


def score_records(
    clf: Classifier, records: Iterable[tuple[str, str]], *, explain: bool = False
) -> Iterator[dict[str, Any]]:
    """Score in chunks; an empty post yields an error row instead of failing the whole file."""
    it = iter(records)
    while chunk := list(islice(it, CHUNK)):
        ok: list[str] = []
        refused: dict[int, str] = {}
        for i, (_, text) in enumerate(chunk):
            try:
                clean_text(text)
                ok.append(text)
            except EmptyTextError as exc:
                refused[i] = str(exc)
        preds = iter(clf.predict(ok, explain=explain)) if ok else iter(())
        for i, (pid, _) in enumerate(chunk):
            if i in refused:
                yield {
                    "id": pid,
                    "error": f"EmptyTextError: {refused[i]}",
                    "score": None,
                    "band": None,
                    "model_version": clf.model_version,
                }
            else:
                yield prediction_row(pid, next(preds))
