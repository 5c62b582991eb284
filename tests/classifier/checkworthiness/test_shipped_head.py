"""The shipped check-worthiness head: loads, scores plausibly, shares the matcher's encoder,
keeps ordinary posts out, and handles bad input. No ../shared, no training."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from classifier.checkworthiness import (
    CheckWorthiness,
    EncoderMismatchError,
    load_checkworthiness,
    prepare,
    shipped_model_dir,
)
from classifier.checkworthiness.evaluate import rates_above
from classifier.checkworthiness.head import Head
from classifier.checkworthiness.model_card import EXAMPLES, render
from classifier.checkworthiness.ordinary_posts import load
from classifier.io import read_json
from classifier.serving.embeddings import Vectors

CHECK_WORTHY = [
    "The unemployment rate fell to 3.5% in 2019",
    "5G towers spread the coronavirus",
    "Crime in our cities has doubled since the new mayor took office",
    "Drinking bleach cures COVID-19",
]
EVERYDAY = [
    "good morning everyone",
    "Our bakery opens at 8am",
    "happy birthday mom, love you lots",
    "What a game last night! Let's go Lakers",
]
# The share of the shipped ordinary posts at or above the head's own threshold, as measured
# when the head was trained (metrics.json), plus margin; a retrained head must stay under it.
ORDINARY_BOUND = {"en": 0.04, "zh": 0.12}  # measured 0.014 and 0.072


@pytest.fixture(scope="module")
def model() -> CheckWorthiness:
    return load_checkworthiness()


def test_the_shipped_directory_is_small_and_complete() -> None:
    d = shipped_model_dir()
    for name in ("head.npz", "config.json", "metrics.json", "MODEL_CARD.md"):
        assert (d / name).is_file(), name
    assert sum(f.stat().st_size for f in d.iterdir()) < 5 * 2**20


def test_check_worthy_sentences_score_clearly_above_everyday_ones(model: CheckWorthiness) -> None:
    worthy = model.score(CHECK_WORTHY)
    everyday = model.score(EVERYDAY)
    assert min(worthy) > max(everyday)
    assert np.mean(worthy) - np.mean(everyday) > 0.3
    assert all(s < model.threshold for s in everyday)
    assert all(0.0 <= s <= 1.0 for s in worthy + everyday)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ordinary_posts_rarely_reach_the_threshold(model: CheckWorthiness, lang: str) -> None:
    scores = model.score(load(lang))
    rate = rates_above(scores, [model.threshold])[f"{model.threshold:g}"]
    assert rate <= ORDINARY_BOUND[lang]


def test_scoring_shared_embeddings_gives_the_same_numbers(model: CheckWorthiness) -> None:
    from claims.matching.model import default_parts

    shared = default_parts().embedder  # what intake already runs for claim matching
    # A new claim-matcher release changes the encoder: retrain this head on it
    # (`veracity checkworthiness train`), or the two can no longer share one encoder pass.
    assert shared.name == model.embedder.name, "retrain the check-worthiness head"
    again = load_checkworthiness(embedder=shared)
    prepared = [prepare(t) for t in CHECK_WORTHY + EVERYDAY]
    from_vectors = again.score_embeddings(shared.embed(prepared), prepared)
    assert np.allclose(from_vectors, model.score(CHECK_WORTHY + EVERYDAY), atol=1e-5)


def test_one_encoder_pass_serves_claim_matching_and_check_worthiness(
    model: CheckWorthiness,
) -> None:
    """The intake recipe: prepare, embed once, hand the same vectors to both."""
    from claims.matching.evaluation import ClaimRow
    from claims.matching.model import default_parts

    parts = default_parts()
    matcher = parts.matcher()
    matcher.fit(
        [
            ClaimRow("5g", "5G towers spread the coronavirus."),
            ClaimRow("b", "Bleach cures COVID-19."),
        ]
    )
    posts = ["5G towers are spreading covid!! https://t.co/x #5G", "good morning everyone"]
    cleaned = [prepare(p) for p in posts]
    vectors = parts.embedder.embed(cleaned)
    assert matcher.match_vectors(cleaned, vectors) == matcher.match(posts)
    cw = load_checkworthiness(embedder=parts.embedder)
    assert np.allclose(cw.score_embeddings(vectors, cleaned), model.score(posts), atol=1e-5)


def test_a_different_encoder_is_refused(model: CheckWorthiness) -> None:
    class OtherEncoder:
        name = "minilm-l6-v2:something-else"
        dimensions = 384

        def embed(self, texts: Sequence[str]) -> Vectors:
            return np.zeros((len(texts), 384), dtype=np.float32)

    with pytest.raises(EncoderMismatchError):
        load_checkworthiness(embedder=OtherEncoder())


def test_calibrated_score_rises_with_the_margin() -> None:
    head = Head.load(shipped_model_dir())
    z = np.linspace(-15, 15, 301)
    p = head.calibration.apply(z)
    assert np.all(np.diff(p) > 0)
    assert head.calibration.a > 0


def test_bad_input_is_handled(model: CheckWorthiness) -> None:
    assert model.score([]) == []
    assert model.score(["", "   \n\t"]) == [0.0, 0.0]  # nothing stated, nothing to check
    long = "The unemployment rate fell to 3.5% in 2019. " * 2000
    odd = ["\u200b\u200b", "🙂🙂🙂", "https://t.co/abc", "\x00\x01 control", "a"]
    scores = model.score([long, *odd])
    assert all(math.isfinite(s) and 0.0 <= s <= 1.0 for s in scores)
    with pytest.raises(TypeError):
        model.score([None])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        model.score([b"bytes"])  # type: ignore[list-item]


def test_mismatched_embedding_rows_are_refused(model: CheckWorthiness) -> None:
    with pytest.raises(ValueError, match="embeddings"):
        model.score_embeddings(np.zeros((2, 384), dtype=np.float32), ["one text"])


def test_the_model_card_states_data_terms_and_figures() -> None:
    card = (shipped_model_dir() / "MODEL_CARD.md").read_text(encoding="utf-8")
    for needle in (
        "claimbuster",
        "checkthat2021_task1a_en",
        "checkthat2022_task1_en",
        "research",
        "ECE",
        "0.898",
        "Ordinary posts",
    ):
        assert needle in card, needle


def test_the_model_card_is_rendered_from_metrics_that_hold_this_heads_own_scores(
    model: CheckWorthiness,
) -> None:
    metrics = read_json(shipped_model_dir() / "metrics.json")
    card = (shipped_model_dir() / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert card == render(metrics)
    quoted = [metrics["examples"][text] for text in EXAMPLES]
    assert model.score(list(EXAMPLES)) == pytest.approx(quoted, abs=1e-6)


def test_the_loader_reads_an_explicit_directory(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "checkworthiness-copy"
    shutil.copytree(shipped_model_dir(), copy)
    loaded = load_checkworthiness(copy)
    assert loaded.version == "checkworthiness-copy"
    assert loaded.score(["5G towers spread the coronavirus"]) == pytest.approx(
        load_checkworthiness().score(["5G towers spread the coronavirus"]), abs=1e-9
    )
