"""Training the matcher's models on tiny synthetic data: contrastive bi-encoder, listwise
cross-encoder, ONNX export parity, and choosing fusion weights and thresholds from held-out
signals."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from claims.matching.fusion import Fusion
from claims.matching.rerank import OnnxCrossEncoder, TorchCrossEncoder
from claims.matching.selection import QuerySignals, choose_thresholds, grid_search
from claims.matching.train import (
    BiEncoderRecipe,
    CrossEncoderRecipe,
    TrainQuery,
    cross_encoder_groups,
    train_bi_encoder,
    train_cross_encoder,
)
from classifier.serving.embeddings import MiniLMEmbedder, OnnxEmbedder, packaged_model_path

# Queries are made-up words, so the base model can only guess; training must teach the pairs.
CLAIMS = {
    "a": "Vitamin pills shield people from every winter illness.",
    "b": "The city council secretly sold the river to a bottling firm.",
    "c": "A comet will hit the northern hemisphere next spring.",
    "d": "Local schools now ban handwritten homework entirely.",
}
QUERIES = [
    TrainQuery("zorblat quenty vesh", ("a",), ("b", "c")),
    TrainQuery("grelmix pavodor", ("b",), ("c", "d")),
    TrainQuery("flarnish okkubat", ("c",), ("d", "a")),
    TrainQuery("quillon trabesk mo", ("d",), ("a", "b")),
]


def _claim_text(cid: str, _rng: random.Random | None = None) -> str:
    return CLAIMS[cid]


def _rank_of_positive(embedder: MiniLMEmbedder) -> list[int]:
    ids = list(CLAIMS)
    claims = embedder.embed([CLAIMS[c] for c in ids])
    queries = embedder.embed([q.text for q in QUERIES])
    order = np.argsort(-(queries @ claims.T), axis=1)
    return [list(order[i]).index(ids.index(q.positives[0])) for i, q in enumerate(QUERIES)]


@pytest.fixture(scope="module")
def tuned_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bi")
    recipe = BiEncoderRecipe(epochs=6, lr=2e-4, batch_size=4, warmup=0.0, seed=1)
    return train_bi_encoder(packaged_model_path(), QUERIES, _claim_text, out, recipe)


def test_bi_encoder_learns_pairs_it_could_not_match_before(tuned_encoder: Path) -> None:
    before = _rank_of_positive(MiniLMEmbedder())
    after = _rank_of_positive(MiniLMEmbedder(tuned_encoder))
    assert sum(before) > 0  # the base model gets some wrong
    assert after == [0, 0, 0, 0]


def test_shipped_onnx_encoder_keeps_fp32_quality_at_half_the_size(
    tuned_encoder: Path, tmp_path: Path
) -> None:
    from claims.matching.export import copy_tokenizer, export_model

    half = export_model(tuned_encoder, tmp_path / "encoder.onnx", tmp_path / "w", encoder=True)
    int8 = export_model(
        tuned_encoder,
        tmp_path / "encoder.int8.onnx",
        tmp_path / "w",
        encoder=True,
        precision="int8",
    )
    copy_tokenizer(tuned_encoder, tmp_path)
    texts = [q.text for q in QUERIES] + list(CLAIMS.values())
    fp32 = MiniLMEmbedder(tuned_encoder).embed(texts)
    served = OnnxEmbedder(half, tmp_path / "tokenizer.json", name="half").embed(texts)
    quantised = OnnxEmbedder(int8, tmp_path / "tokenizer.json", name="int8").embed(texts)
    assert np.allclose(np.linalg.norm(served, axis=1), 1.0, atol=1e-4)
    half_cos = float((fp32 * served).sum(axis=1).min())
    assert half_cos > 0.9999
    assert half_cos > float((fp32 * quantised).sum(axis=1).min())  # why int8 is not shipped
    fp32_file = tmp_path / "w" / "encoder.fp32.onnx"
    assert half.stat().st_size < 0.55 * fp32_file.stat().st_size


def test_cross_encoder_groups_put_the_positive_first_and_sample_the_pool() -> None:
    query = TrainQuery("q", ("a",), ("b", "c", "d", "e"))
    recipe = CrossEncoderRecipe(negatives_per_query=2, pool=3)
    seen: set[str] = set()
    for seed in range(20):
        ((index, ids),) = cross_encoder_groups([query], recipe, random.Random(seed))
        assert index == 0 and ids[0] == "a" and len(ids) == 3
        assert set(ids[1:]) <= {"b", "c", "d"} and len(set(ids[1:])) == 2
        seen |= set(ids[1:])
    assert seen == {"b", "c", "d"}  # beyond the pool ("e") is never drawn


def test_cross_encoder_scores_true_pairs_above_false_ones_and_exports(tmp_path: Path) -> None:
    from claims.matching.export import copy_tokenizer, export_model

    recipe = CrossEncoderRecipe(
        epochs=5, lr=2e-4, queries_per_step=2, negatives_per_query=2, warmup=0.0, seed=1
    )
    model_dir = train_cross_encoder(
        packaged_model_path(), QUERIES, _claim_text, tmp_path / "ce", recipe
    )
    scorer = TorchCrossEncoder(model_dir)
    for q in QUERIES:
        logits = scorer.score(q.text, [CLAIMS[c] for c in (q.positives[0], *q.hard_negatives)])
        assert logits[0] > logits[1:].max()
    onnx_path = export_model(model_dir, tmp_path / "reranker.onnx", tmp_path / "w", encoder=False)
    copy_tokenizer(model_dir, tmp_path)
    served = OnnxCrossEncoder(onnx_path, tmp_path / "tokenizer.json")
    query, passages = QUERIES[0].text, list(CLAIMS.values())
    assert np.allclose(served.score(query, passages), scorer.score(query, passages), atol=0.02)


def test_negative_pools_interleave_sources_without_repeats() -> None:
    from claims.train_matcher import interleave

    assert interleave(["a", "b", "c"], ["b", "d"]) == ("a", "b", "d", "c")
    assert interleave([], ["x"]) == ("x",)


def test_cross_validation_folds_hold_each_query_out_once_with_the_others_of_its_claim() -> None:
    from claims.train_matcher import fold_split

    # 300 queries; every 3rd shares its claim with the next, and query 299 links 0's and 150's.
    positives = [(f"c{i - 1 if i % 3 == 1 else i}",) for i in range(299)] + [("c0", "c150")]
    folds = fold_split(positives, 5, seed=13)
    assert sorted(i for fold in folds for i in fold) == list(range(300))
    fold_of = {i: k for k, fold in enumerate(folds) for i in fold}
    for i in range(0, 297, 3):
        assert fold_of[i] == fold_of[i + 1]  # same claim, same fold
    assert fold_of[0] == fold_of[150] == fold_of[299]  # linked through query 299
    assert max(map(len, folds)) - min(map(len, folds)) <= 3
    assert folds == fold_split(positives, 5, seed=13) != fold_split(positives, 5, seed=14)


def _signals(qid: str, good_bm25: bool) -> QuerySignals:
    # Row 0 is relevant: its BM25 signal is strong, its dense signal slightly weaker.
    claim = np.array([0.60, 0.62], dtype=np.float32)
    bm25 = np.array([1.0, 0.0] if good_bm25 else [0.0, 1.0], dtype=np.float32)
    signals = np.stack([claim, claim, claim, bm25], axis=1)
    return QuerySignals(qid, "t", np.array([0, 1]), signals)


def test_grid_search_picks_the_weights_that_rank_relevant_claims_first() -> None:
    signals = [_signals("q1", True), _signals("q2", True)]
    qrels = {"q1": {"rel"}, "q2": {"rel"}}
    fusion, scores = grid_search(signals, ["rel", "other"], qrels, Fusion(), {"bm25": (0.0, 0.5)})
    assert fusion.bm25 == 0.5
    assert scores.map_at_k == 1.0


def test_thresholds_sit_where_top1_precision_reaches_the_target() -> None:
    best = {"q1": 0.9, "q2": 0.8, "q3": 0.7, "q4": 0.6}
    correct = {"q1": True, "q2": True, "q3": False, "q4": False}
    thresholds = choose_thresholds(best, correct.__getitem__, 0.5, 0.9)
    assert thresholds.confirmed == 0.8
    assert thresholds.suggest == 0.6


def test_thresholds_rise_until_few_posts_without_a_claim_reach_them() -> None:
    best = {f"q{i}": 0.5 + i / 100 for i in range(10)}  # every top match is right: 0.50..0.59
    no_match = {f"q{i}": 0.40 + i / 50 for i in range(10)}  # without their claim: 0.40..0.58
    thresholds = choose_thresholds(
        best,
        lambda _: True,
        no_match=no_match,
        suggest_false_rate=0.2,
        confirmed_false_rate=0.0,
    )
    assert thresholds.confirmed == 0.58  # no post without a claim reaches it
    assert thresholds.suggest == 0.544  # a fifth of them do
    assert choose_thresholds(best, lambda _: True).confirmed == 0.5  # precision alone


def test_no_match_score_is_the_best_once_relevant_claims_are_removed() -> None:
    from claims.matching.selection import no_match_scores

    signals = [_signals("q1", True)]
    fusion = Fusion(claim=0.0, title=0.0, combined=0.0, bm25=1.0)
    assert no_match_scores(signals, ["rel", "other"], fusion, {"q1": {"rel"}}) == {"q1": 0.0}
    fusion = Fusion(claim=1.0, title=0.0, combined=0.0, bm25=0.0)
    scores = no_match_scores(signals, ["rel", "other"], fusion, {"q1": {"rel"}})
    assert scores["q1"] == pytest.approx(0.62)
