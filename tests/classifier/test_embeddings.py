"""`OnnxEmbedder` on the shipped matchers: a dynamically quantized encoder embeds one text per
call, side by side on its threads, and each text's vector is the one it gets alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifier.checkworthiness.encoder import load_encoder, newest_matcher_dir
from classifier.io import read_json
from classifier.serving.call_plan import dynamically_quantized
from classifier.serving.embeddings import ENCODER_FILE
from classifier.serving.threads import THREADS_ENV

TEXTS = [
    "5G networks are spreading the coronavirus, turn off your phones now!",
    "Our bakery opens at 8am",
    "Drinking bleach cures COVID-19, doctors are hiding it, share before they delete it " * 3,
    "ok",
    "The council says the bridge reopens on Monday after repairs",
]


@pytest.fixture
def int8_dir() -> Path:
    shipped = newest_matcher_dir()
    if not dynamically_quantized(shipped / ENCODER_FILE):
        pytest.skip(f"{shipped.name} is not dynamically quantized")
    return shipped


def test_a_quantized_encoder_embeds_texts_side_by_side_as_each_alone(
    int8_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(THREADS_ENV, "2")
    embedder = load_encoder(int8_dir)
    together = embedder.embed(TEXTS)
    alone = np.stack([embedder.embed([text])[0] for text in TEXTS])
    np.testing.assert_array_equal(together, alone)
    # in the caller's order, and the same vectors with the texts reversed
    np.testing.assert_array_equal(embedder.embed(TEXTS[::-1]), alone[::-1])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_one_thread_gives_the_same_vectors_as_two(
    int8_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vectors = []
    for threads in ("1", "2"):
        monkeypatch.setenv(THREADS_ENV, threads)
        vectors.append(load_encoder(int8_dir).embed(TEXTS))
    np.testing.assert_array_equal(vectors[0], vectors[1])


def test_an_unquantized_encoder_still_embeds_in_batches(int8_dir: Path) -> None:
    provenance = read_json(int8_dir / "metrics.json").get("int8_requantized")
    if provenance is None:
        pytest.skip("no fp16 source shipped beside the int8 matcher")
    source = int8_dir.parent / str(provenance["source"])
    assert not dynamically_quantized(source / ENCODER_FILE)
    batched, int8 = load_encoder(source), load_encoder(int8_dir)
    assert (batched.embed(TEXTS) * int8.embed(TEXTS)).sum(axis=1).min() > 0.95
    assert batched._batch_size > 1 and int8._batch_size == 1
