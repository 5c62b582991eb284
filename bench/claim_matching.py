"""Claim-matching speed in one run: the base matcher (packaged MiniLM in torch) as the baseline
vs the shipped matcher (`models/claim-matcher-*`: fine-tuned encoder in ONNX Runtime).

For each: the time to index the library (embedding every claim, no cache) and the latency of
matching one post at a time (p50/p99, posts/s), plus the shipped/base ratios. The library is
CheckThat 2020 Task 2's verified claims (and its dev tweets as posts) when
`$VERACITY_DATA_DIR` or ../shared has them, else the demo posts stand in as both claims and posts.

    python bench/claim_matching.py [--claims N] [--posts 200] [--out bench/results/claim_matching.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from claims.match_cli import default_data_dir  # noqa: E402
from claims.matching.evaluation import ClaimRow, read_claims, read_queries  # noqa: E402
from claims.matching.matcher import ClaimMatcher  # noqa: E402


def library(limit: int) -> tuple[list[ClaimRow], list[str], str]:
    data = default_data_dir()
    if (data / "verified_claims.docs.tsv").is_file():
        claims = read_claims(data / "verified_claims.docs.tsv")[:limit]
        posts = [q.text for q in read_queries(data / "dev" / "tweets.queries.tsv")]
        return claims, posts, f"CheckThat 2020 T2 ({len(claims)} claims, dev tweets)"
    rows = [json.loads(line) for line in (ROOT / "models" / "demo_posts.jsonl").open()]
    claims = [ClaimRow(r["id"], r["text"]) for r in rows][:limit]
    return claims, [r["text"] for r in rows], f"demo posts as claims ({len(claims)})"


def measure(matcher: ClaimMatcher, claims: list[ClaimRow], posts: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    matcher.fit(claims)
    fit_s = time.perf_counter() - started
    matcher.match(posts[:5])  # warm-up
    latencies = []
    for post in posts:
        t = time.perf_counter()
        matcher.match([post], top=5)
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    return {
        "index_s": round(fit_s, 2),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        "posts_per_s": round(len(latencies) / (sum(latencies) / 1000), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=2000, help="library size (at most)")
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "claim_matching.json"
    )
    args = parser.parse_args()

    from claims.matching.model import load_parts, shipped_model_dir
    from classifier.serving.embeddings import default_embedder

    claims, posts, source = library(args.claims)
    posts = (posts * (args.posts // max(1, len(posts)) + 1))[: args.posts]
    print(f"library: {source}; {len(posts)} posts matched one at a time")
    base = measure(ClaimMatcher(default_embedder()), claims, posts)
    print(f"baseline  base MiniLM (torch)      {base}")
    model_dir = shipped_model_dir()
    if model_dir is None:
        print("no shipped matcher in models/: nothing to compare")
        return 1
    shipped = measure(load_parts(model_dir).matcher(), claims, posts)
    print(f"shipped   {model_dir.name} (ONNX)  {shipped}")
    ratios = {
        "index_speedup": round(base["index_s"] / shipped["index_s"], 2),
        "p50_speedup": round(base["p50_ms"] / shipped["p50_ms"], 2),
        "throughput_ratio": round(shipped["posts_per_s"] / base["posts_per_s"], 2),
    }
    print(f"shipped vs base: {ratios}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {"library": source, "base": base, "shipped": shipped, "model": model_dir.name}
    args.out.write_text(json.dumps({**result, "ratios": ratios}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
