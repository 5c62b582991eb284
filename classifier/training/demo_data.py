"""Build the demo sample: posts from covid19_rumor (MIT) with synthetic, seeded reach fields.

`python -m classifier.training.demo_data --output models/demo_posts.jsonl` (needs ../shared once; the
output is committed so the demo runs without it).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from classifier.training.datasets import dedup_key, default_data_dir, iter_rumor_rows

QUOTA = {"F": 90, "T": 70, "U": 40}
START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def build(data_dir: Path, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    pools: dict[str, list[str]] = {k: [] for k in QUOTA}
    seen: set[str] = set()
    for label, text in iter_rumor_rows(data_dir):
        key = dedup_key(text)
        if label in pools and key not in seen and 20 <= len(text) <= 400:
            seen.add(key)
            pools[label].append(" ".join(text.split()))
    chosen = [(lab, t) for lab, n in QUOTA.items() for t in rng.sample(pools[lab], n)]
    rng.shuffle(chosen)
    authors = [f"user{rng.randrange(10**6):06d}" for _ in range(80)]
    rows = []
    for i, (label, text) in enumerate(chosen, 1):
        followers = int(rng.lognormvariate(6.5, 2.0))
        views = int(rng.lognormvariate(7.0, 1.8)) + followers // 20
        rows.append(
            {
                "id": f"demo-{i:04d}",
                "text": text,
                "label": label,
                "views": views,
                "shares": int(views * rng.betavariate(1.2, 60)),
                "author_followers": followers,
                "author_id": rng.choice(authors),
                "lang": "en",
                "created_at": (START + timedelta(seconds=rng.randrange(48 * 3600))).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                ),
            }
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", type=Path, default=default_data_dir())
    p.add_argument("--output", type=Path, default=Path("models/demo_posts.jsonl"))
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args(argv)
    rows = build(a.data_dir, a.seed)
    with a.output.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} posts to {a.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
