"""`veracity score` rows carry check-worthiness beside the falsehood score (the shipped head)."""

from __future__ import annotations

import json
from pathlib import Path

from classifier.cli import score_main

CLAIM = "Unemployment fell to 3.5 percent last year, the lowest rate in fifty years."
EVERYDAY = "look at this sleepy dog, love you lots!!"


def test_score_rows_carry_checkworthiness(tmp_path: Path) -> None:
    src = tmp_path / "posts.jsonl"
    rows = [{"id": "c", "text": CLAIM}, {"id": "e", "text": EVERYDAY}, {"id": "x", "text": " "}]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "scores.jsonl"
    assert score_main(["--input", str(src), "--output", str(out)]) == 0
    claim, everyday, refused = (json.loads(line) for line in out.read_text().splitlines())
    assert 0.0 <= everyday["checkworthiness"] < claim["checkworthiness"] <= 1.0
    assert refused["checkworthiness"] is None and refused["score"] is None
