"""`veracity triage-rates --per-post FILE`: each post's band, the rule that set it and the signals
it read, in input order, agreeing with the summary the command prints."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.conftest import child_env, run_python

POSTS = [
    {"id": "salt", "text": "紧急扩散！早晚用淡盐水漱口、多喝盐水就不会感染新冠"},
    {"id": "cake", "text": "Baked a lemon cake for my sister's birthday, it turned out great"},
    {"id": "bleach", "text": "Drinking bleach cures COVID-19, doctors are hiding it from you"},
]


def test_per_post_rows_explain_the_summary(tmp_path: Path) -> None:
    posts, per_post = tmp_path / "posts.jsonl", tmp_path / "per_post.jsonl"
    posts.write_text("".join(json.dumps(p) + "\n" for p in POSTS), encoding="utf-8")
    env = child_env(drop=("DATABASE__",), DATABASE__URL=f"sqlite:///{tmp_path / 'v.db'}")
    args = ["triage-rates", "--input", str(posts), "--per-post", str(per_post)]
    done = run_python("-m", "veracity_cli.main", *args, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)["all"]
    rows = [json.loads(line) for line in per_post.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["salt", "cake", "bleach"]
    assert Counter(r["band"] for r in rows) == Counter(summary["bands"])
    assert [r["lang"] for r in rows] == ["zh", "en", "en"]
    salt, cake, _ = rows
    assert salt["best_match"]["status"] == "confirmed" and salt["rule"] == "claim_match"
    assert salt["band"] == "urgent"  # a repeat of a bundled rumour, raised by the match
    assert cake["band"] == "ignore" and cake["checkworthiness"] < 0.28
    assert all(0 <= r["score"] <= 1 and r["model_band"] for r in rows)
