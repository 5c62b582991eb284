"""The head's cross-set evaluation on generated sets: LOSO never trains on the held-out set,
every set and text form is reported, the report files are written, vectors are cached."""

from __future__ import annotations

import json
from pathlib import Path

from classifier.shared_head import FalsehoodHead
from classifier.shared_head.evaluation import ALL_SETS, LOSO, head_rows
from classifier.shared_head.package import package
from classifier.shared_head.report import tfidf_rows, write_report
from classifier.shared_head.store import VectorStore
from classifier.training.evalsets import EvalSet
from tests.classifier.shared_head.conftest import HashEmbedder


def test_loso_heads_never_see_the_held_out_set(
    toy_sets: list[EvalSet], embedder: HashEmbedder
) -> None:
    rows, details = head_rows(toy_sets, VectorStore(embedder, None), {"alpha"})
    names = [s.name for s in toy_sets]
    for name in names:
        assert details[name]["trained_on"] == sorted(n for n in names if n != name)
    assert details["all_sets"]["trained_on"] == sorted(names)
    loso = [r for r in rows if r["method"] == LOSO]
    assert {(r["set"], r["text"]) for r in loso} == {
        (n, t) for n in names for t in ("original", "destyled")
    }
    assert {r["set"] for r in loso if r["in_domain"]} == {"alpha"}
    assert all(r["in_domain"] for r in rows if r["method"] == ALL_SETS)
    # the topic words carry across sets and styles: every unseen set is ranked well
    assert min(r["auc"] for r in loso) > 0.9
    assert all(r["n"] == 12 for r in rows)


def test_report_files_and_means(
    tmp_path: Path, toy_sets: list[EvalSet], embedder: HashEmbedder
) -> None:
    rows, details = head_rows(toy_sets, VectorStore(embedder, None), {"alpha"}, all_sets=False)
    rows += tfidf_rows(toy_sets, {"alpha"})
    report = write_report(
        toy_sets, rows, details, tmp_path, encoder=embedder.name, in_domain={"alpha"}
    )
    saved = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert saved["means"] == report["means"]
    means = saved["means"][LOSO]["original"]
    assert means["sets"] == ["beta", "gamma", "delta", "eps"]
    assert means["mean_auc_every_set"] is not None
    assert "tfidf_loso" in saved["summary"]
    assert (tmp_path / "report.html").read_text(encoding="utf-8").count(LOSO) > 0
    assert (tmp_path / f"reliability_{LOSO}_destyled.png").stat().st_size > 0


def test_vectors_are_cached_per_text(tmp_path: Path) -> None:
    first = HashEmbedder()
    a = VectorStore(first, tmp_path, chunk=2).vectors(["one", "two", "three", "one"])
    assert first.texts_seen == 3  # "one" embedded once
    second = HashEmbedder()
    b = VectorStore(second, tmp_path).vectors(["three", "one", "four"])
    assert second.texts_seen == 1  # only "four" is new
    assert (b[0] == a[2]).all() and (b[1] == a[0]).all()


def test_train_writes_a_loadable_opt_in_model(
    tmp_path: Path, toy_sets: list[EvalSet], embedder: HashEmbedder
) -> None:
    package(toy_sets, VectorStore(embedder, None), tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "metadata.json").read_text(encoding="utf-8"))
    assert meta["opt_in"] is True
    assert sorted(meta["training"]["sets"]) == sorted(s.name for s in toy_sets)
    head = FalsehoodHead.load(tmp_path / "m")
    p = head.score_texts(["miracle cure hoax spreads", "ministry study reports"], embedder)
    assert p[0] > 0.5 > p[1]
