"""Choosing the narrative join threshold on data: CheckThat 2020 Task 2 tweets that share a
verified claim belong to one narrative, tweets that do not belong to different ones.

    python -m incidents.narrative_eval --data-dir ../shared/datasets/checkthat2020_task2

For each threshold it replays the tweets (shuffled, fixed seeds) through the same online
`Centroids` the scan uses and reports pairwise precision/recall over tweet pairs, and how many
multi-tweet narratives ended whole (all their tweets in one cluster). Tweets whose claim no
other tweet shares are singletons: they add false pairs when wrongly merged, never true ones.
The threshold is chosen on train (the encoder was fine-tuned on train tweet-claim pairs, so
train is optimistic); dev is the held-out check.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from incidents.narratives import Centroids, Vector

THRESHOLDS = (0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)


@dataclass(frozen=True)
class ClusterScores:
    threshold: float
    precision: float
    recall: float
    whole: float  # share of multi-tweet narratives kept in one cluster

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _pairs(labels: Sequence[str]) -> int:
    return sum(n * (n - 1) // 2 for n in Counter(labels).values())


def cluster_scores(
    vectors: Vector, labels: Sequence[str], threshold: float, seeds: Sequence[int] = (1, 2, 3)
) -> ClusterScores:
    """Pairwise precision/recall of online clustering, averaged over shuffled arrival orders."""
    precision, recall, whole = [], [], []
    for seed in seeds:
        order = list(range(len(labels)))
        random.Random(seed).shuffle(order)
        centroids = Centroids(vectors.shape[1])
        assigned = {i: centroids.assign(vectors[i], f"n{i}", threshold) for i in order}
        both = Counter((assigned[i], labels[i]) for i in order)
        true_pairs = sum(n * (n - 1) // 2 for n in both.values())
        predicted = _pairs([assigned[i] for i in order])
        precision.append(true_pairs / predicted if predicted else 1.0)
        recall.append(true_pairs / max(_pairs(labels), 1))
        sizes = Counter(labels)
        clusters_per_label: dict[str, set[str]] = {}
        for i in order:
            clusters_per_label.setdefault(labels[i], set()).add(assigned[i])
        multi = [label for label, n in sizes.items() if n > 1]
        whole.append(sum(len(clusters_per_label[x]) == 1 for x in multi) / max(len(multi), 1))
    return ClusterScores(
        threshold, float(np.mean(precision)), float(np.mean(recall)), float(np.mean(whole))
    )


def load_split(data_dir: Path, split: str) -> tuple[list[str], list[str]]:
    """(tweet texts, the claim id each repeats), tweets with exactly one verified claim."""
    from claims.matching.evaluation import read_qrels, read_queries

    qrels = read_qrels(data_dir / split / "tweet-vclaim-pairs.qrels")
    texts, labels = [], []
    for query in read_queries(data_dir / split / "tweets.queries.tsv"):
        claims = qrels.get(query.id, set())
        if len(claims) == 1:
            texts.append(query.text)
            labels.append(next(iter(claims)))
    return texts, labels


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    from claims.matching.model import default_parts

    embed = default_parts().embedder.embed
    for split in ("train", "dev"):
        texts, labels = load_split(args.data_dir, split)
        vectors = embed(texts)
        multi = sum(1 for n in Counter(labels).values() if n > 1)
        print(f"{split}: {len(texts)} tweets, {multi} claims shared by 2+ tweets")
        for threshold in THRESHOLDS:
            s = cluster_scores(vectors, labels, threshold)
            print(
                f"  cos>={s.threshold:.2f}  precision {s.precision:.3f}  recall {s.recall:.3f}"
                f"  F1 {s.f1:.3f}  narratives whole {s.whole:.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
