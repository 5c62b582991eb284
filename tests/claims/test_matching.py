"""Claim matching: real MiniLM embeddings, BM25, fusion, thresholds, the batch CLI, MAP@k."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from claims.index import NumpyIndex
from claims.matching.evaluation import ClaimRow, average_precision, evaluate_ranking
from claims.matching.matcher import ClaimMatcher, Match
from classifier.post_text import clean_post
from classifier.serving.embeddings import default_embedder
from veracity_cli.main import main

CLAIMS = [
    ClaimRow("10", "5G mobile networks spread the coronavirus.", "Does 5G spread COVID-19?"),
    ClaimRow("11", "Drinking bleach cures COVID-19.", "Can bleach cure the coronavirus?"),
    ClaimRow(
        "12", "The moon landing in 1969 was filmed in a studio.", "Was the moon landing faked?"
    ),
    ClaimRow("13", "Eating carrots improves night vision dramatically.", "Carrots and eyesight"),
]


@pytest.fixture(scope="module")
def matcher() -> ClaimMatcher:
    fitted = ClaimMatcher(default_embedder())
    fitted.fit(CLAIMS)
    return fitted


def test_links_are_stripped_and_the_footer_leaves_only_its_author() -> None:
    tweet = (
        "5G towers are spreading the virus!! https://t.co/abc pic.twitter.com/xyz "
        "— Jane Doe (@jdoe) March 3, 2020"
    )
    assert clean_post(tweet) == "Jane Doe: 5G towers are spreading the virus!!"
    assert clean_post("no footer here #5G @someone") == "no footer here 5G someone"
    assert clean_post("— Jane Doe (@jdoe) March 3, 2020") == ""  # nothing but a footer


def test_a_named_author_goes_in_front_of_the_text() -> None:
    from classifier.post_text import with_author

    assert with_author("I never said that", " Jane\n Doe ") == "Jane Doe: I never said that"
    assert with_author("I never said that", None) == "I never said that"
    assert with_author("I never said that", "  ") == "I never said that"


def test_paraphrased_post_matches_its_claim_first_and_confirmed(matcher: ClaimMatcher) -> None:
    [matches] = matcher.match(["the 5g towers are what is spreading covid, wake up"], top=3)
    assert matches[0].claim_id == "10"
    assert matches[0].level == "confirmed"
    assert matches[0].score > matches[1].score
    assert len(matches) == 3


def test_unrelated_post_is_not_confirmed(matcher: ClaimMatcher) -> None:
    [matches] = matcher.match(["lovely sunny afternoon at the allotment with my dog"])
    assert all(m.level != "confirmed" for m in matches)


def test_embeddings_are_unit_length_and_deterministic() -> None:
    embedder = default_embedder()
    a = embedder.embed(["a short text", "another one, somewhat longer than the first"])
    b = embedder.embed(["another one, somewhat longer than the first"])
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.allclose(a[1], b[0], atol=1e-5)  # batching and padding do not change a vector


def test_numpy_index_upsert_replace_delete() -> None:
    index = NumpyIndex(2)
    index.upsert(["a", "b"], np.array([[1, 0], [0, 1]], dtype=np.float32))
    index.upsert(["a"], np.array([[0, 1]], dtype=np.float32))  # replaced, not duplicated
    assert len(index) == 2
    assert {h.claim_id for h in index.search(np.array([[0, 1]], dtype=np.float32), 2)[0]} == {
        "a",
        "b",
    }
    index.delete(["a"])
    assert [h.claim_id for h in index.search(np.array([[1, 0]], dtype=np.float32), 5)[0]] == ["b"]


def test_map_at_5_counts_rank_of_the_relevant_claim() -> None:
    assert average_precision(["x", "y", "r"], {"r"}, 5) == pytest.approx(1 / 3)
    scores = evaluate_ranking({"q1": ["r"], "q2": ["x", "r"]}, {"q1": {"r"}, "q2": {"r"}})
    assert scores.map_at_k == pytest.approx(0.75)
    assert scores.precision_at_1 == pytest.approx(0.5)


def test_claims_match_cli_writes_one_ranked_object_per_query(tmp_path: Path) -> None:
    claims_tsv = tmp_path / "claims.tsv"
    claims_tsv.write_text(
        "\tvclaim\ttitle\n" + "".join(f"{c.id}\t{c.text}\t{c.title}\n" for c in CLAIMS)
    )
    queries = tmp_path / "queries.tsv"
    queries.write_text(
        "\ttweet_content\n"
        "q1\tBleach will cure covid, drink it — Someone (@some1) April 2, 2020\n"
        "q2\tNASA shot the 1969 moon landing in a film studio\n"
    )
    out = tmp_path / "out.jsonl"
    code = main(
        [
            "claims",
            "match",
            "--claims",
            str(claims_tsv),
            "--input",
            str(queries),
            "--top",
            "2",
            "--output",
            str(out),
            "--no-cache",
        ]
    )
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert code == 0
    assert [r["id"] for r in rows] == ["q1", "q2"]
    assert [r["matches"][0]["claim_id"] for r in rows] == ["11", "12"]
    assert all(len(r["matches"]) == 2 for r in rows)
    scores = [m["score"] for m in rows[0]["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_claims_match_cli_refuses_a_file_without_the_expected_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "claims.tsv"
    bad.write_text("id\ttext\n1\tsomething\n")
    queries = tmp_path / "q.tsv"
    queries.write_text("\ttweet_content\nq\thello\n")
    code = main(
        [
            "claims",
            "match",
            "--claims",
            str(bad),
            "--input",
            str(queries),
            "--output",
            str(tmp_path / "o.jsonl"),
            "--no-cache",
        ]
    )
    assert code == 2
    assert "vclaim" in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl").exists()


def test_base_model_is_used_when_the_fine_tuned_matcher_is_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from claims.matching.model import shipped_model_dir

    monkeypatch.setenv("VERACITY_CLAIM_MATCHER", "base")
    assert shipped_model_dir() is None


def _shipped() -> Path:
    from claims.matching.model import shipped_model_dir

    model_dir = shipped_model_dir()
    if model_dir is None:
        pytest.skip("no fine-tuned claim matcher in models/")
    return model_dir


def test_shipped_matcher_ranks_paraphrases_first_and_leaves_unrelated_unconfirmed() -> None:
    from claims.matching.model import load_parts

    parts = load_parts(_shipped())
    fitted = parts.matcher()
    fitted.fit(CLAIMS)
    posts = [
        "the 5g towers are what is spreading covid, wake up",
        "drink a little bleach and the virus is gone",
        "lovely sunny afternoon at the allotment with my dog",
    ]
    paraphrase, bleach, unrelated = fitted.match(posts, top=3)
    assert [paraphrase[0].claim_id, bleach[0].claim_id] == ["10", "11"]
    assert paraphrase[0].score > paraphrase[1].score
    assert all(m.level != "confirmed" for m in unrelated)
    assert parts.thresholds.suggest <= parts.thresholds.confirmed


def test_shipped_model_directory_is_small_and_complete() -> None:
    model_dir = _shipped()
    for name in ("encoder.onnx", "tokenizer.json", "matcher.json", "MODEL_CARD.md"):
        assert (model_dir / name).is_file(), name
    assert sum(f.stat().st_size for f in model_dir.iterdir()) < 64_000_000


def test_repeated_claims_are_indexed_once_under_the_first_copy() -> None:
    from claims.matching.matcher import first_of_duplicates

    library = [
        *CLAIMS,
        ClaimRow("20", "5G mobile networks spread the 'coronavirus'.", "Does 5G spread COVID-19?"),
        ClaimRow("21", "drinking  bleach cures covid-19", ""),
    ]
    kept, repeats = first_of_duplicates(library)
    assert [c.id for c in kept] == ["10", "11", "12", "13"]
    assert repeats == {"20": "10", "21": "11"}
    fitted = ClaimMatcher(default_embedder())
    fitted.fit(library)
    (matches,) = fitted.match(["5G towers spread the coronavirus"], top=5)
    assert matches[0].claim_id == "10"
    assert {m.claim_id for m in matches}.isdisjoint({"20", "21"})
    assert len(fitted) == 4


VACCINE_CLAIM = ClaimRow("dna", "COVID-19 vaccines change your DNA.", "")
# Claims that share the post's words ("vaccines", "COVID-19", "safe") without being its claim:
# they move the best BM25 score a claim of the library reaches for the post.
CROWD = [
    ClaimRow("c1", "COVID-19 vaccines are not safe for children.", ""),
    ClaimRow("c2", "Safe and effective COVID-19 vaccines were rushed.", ""),
    ClaimRow("c3", "COVID-19 vaccines cause infertility.", ""),
    *CLAIMS,
]
SAFE_POST = "COVID-19 vaccines are safe and effective. Get yours at your local pharmacy."


def _match_of(matcher: ClaimMatcher, claim_id: str) -> Match:
    [matches] = matcher.match([SAFE_POST], top=10)
    return next(m for m in matches if m.claim_id == claim_id)


def test_the_dense_score_does_not_move_with_the_rest_of_the_library() -> None:
    """The fused score moves with the library (BM25 is divided by the best any claim reaches),
    so thresholds chosen on 10,000 claims confirmed everyday vaccine posts against a few; the
    dense score is the encoder's similarities alone (`claims.matching.fusion`)."""
    from claims.matching.model import load_parts

    parts = load_parts(_shipped())
    found = []
    for library in ([VACCINE_CLAIM], [VACCINE_CLAIM, *CROWD]):
        fitted = parts.matcher()
        fitted.fit(library)
        found.append(_match_of(fitted, "dna"))
    alone, crowded = found
    assert alone.dense == pytest.approx(crowded.dense, abs=1e-6)
    assert alone.score - crowded.score > 0.02  # alone, the claim took the whole BM25 weight
    assert alone.score > alone.dense


def test_a_confirmed_match_needs_the_dense_level_too_where_the_model_sets_one() -> None:
    from claims.matching.fusion import MatchThresholds
    from claims.matching.model import load_parts

    both = MatchThresholds(0.5, 0.6, confirmed_dense=0.55)
    assert both.level(0.61, 0.56) == "confirmed"
    assert both.level(0.61, 0.54) == "suggest"  # fused alone is not enough
    assert both.level(0.59, 0.70) == "suggest"  # nor dense alone
    assert both.level(0.49, 0.70) is None
    assert MatchThresholds(0.5, 0.6).level(0.61, 0.0) == "confirmed"  # models without it
    assert both.level(0.61, None) == "confirmed"  # matches stored before dense was kept
    parts = load_parts(_shipped())
    assert parts.thresholds.confirmed_dense is not None
    fitted = parts.matcher()
    fitted.fit([VACCINE_CLAIM])
    news = (
        "Teachers are among the millions of Americans who have received a dose of the "
        "COVID-19 vaccine."
    )
    [[everyday]] = fitted.match([news], top=1)
    assert everyday.score >= parts.thresholds.confirmed  # the small library lifts it...
    assert everyday.level == "suggest"  # ...but it does not repeat the claim
    [[paraphrase]] = fitted.match(["covid vaccines alter your genes permanently"], top=1)
    assert paraphrase.level == "confirmed"
