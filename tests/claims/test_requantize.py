"""The shipped claim matcher's int8 encoder: made from its fp16 source by `requantize`, and
ranking claims as that source does."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from claims.matching.requantize import encoder_agreement, requantize
from classifier.checkworthiness.encoder import load_encoder, newest_matcher_dir
from classifier.io import read_json
from classifier.serving.embeddings import ENCODER_FILE

SHIPPED = newest_matcher_dir()
CLAIMS = [
    "5G mobile networks spread the coronavirus.",
    "Drinking bleach cures COVID-19.",
    "The vaccine alters your DNA.",
    "Bill Gates wants to implant microchips through vaccines.",
    "Holding your breath for ten seconds shows you do not have the virus.",
]
POSTS = [
    "they are putting 5g towers everywhere and thats what makes people sick with covid",
    "my uncle says a spoon of bleach kills the virus inside you",
    "the new mRNA jab will rewrite your genes, do not take it",
    "gates and his chips... they inject them with the vaccine",
    "if you can hold your breath 10 secs you are covid free, doctors said",
]


@pytest.fixture(scope="module")
def source() -> Path:
    """The fp16 model directory the shipped matcher was quantized from."""
    provenance = read_json(SHIPPED / "metrics.json").get("int8_requantized")
    if provenance is None:
        pytest.skip(f"{SHIPPED.name} was not made by requantize")
    return SHIPPED.parent / str(provenance["source"])


@pytest.fixture(scope="module")
def remade(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("matcher") / "claim-matcher-remade"
    requantize(source, out, POSTS)
    return out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_shipped_encoder_is_what_requantize_makes_from_its_source(
    source: Path, remade: Path
) -> None:
    assert _digest(remade / ENCODER_FILE) == _digest(SHIPPED / ENCODER_FILE)
    # int8 weights: about half the bytes of the fp16-stored source.
    assert (remade / ENCODER_FILE).stat().st_size < 0.55 * (source / ENCODER_FILE).stat().st_size


def test_thresholds_and_fusion_are_copied_and_the_version_renamed(
    source: Path, remade: Path
) -> None:
    old, new = read_json(source / "matcher.json"), read_json(remade / "matcher.json")
    assert new["version"] == "claim-matcher-remade" != old["version"]
    assert (new["fusion"], new["thresholds"]) == (old["fusion"], old["thresholds"])
    assert read_json(remade / "metrics.json")["int8_requantized"]["texts"] == len(POSTS)


def test_the_int8_encoder_ranks_claims_as_its_source_does(source: Path, remade: Path) -> None:
    ranked = []
    for model in (source, remade):
        embedder = load_encoder(model)
        claims, posts = embedder.embed(CLAIMS), embedder.embed(POSTS)
        ranked.append(np.argsort(-(posts @ claims.T), axis=1))
    assert (ranked[0][:, 0] == np.arange(len(POSTS))).all()  # the source finds each post's claim
    # The same best claim for every post (the unrelated claims below it score close together).
    assert (ranked[1][:, 0] == ranked[0][:, 0]).all()
    agreement = encoder_agreement(source, remade, POSTS)
    assert float(agreement["min_cosine"]) > 0.97


def test_requantize_refuses_to_overwrite_a_model(tmp_path: Path) -> None:
    with pytest.raises(FileExistsError):
        requantize(SHIPPED, tmp_path, POSTS)
