"""`python -m claims.matching.relevel`: a matcher's `confirmed_dense` level chosen by the training
rule and written where the matcher and the routing policy read it."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

import pytest

from claims.matching.model import (
    CONFIG_FILE,
    load_parts,
    shipped_thresholds,
)
from claims.matching.relevel import main
from classifier.io import read_json

CLAIMS = {
    "c1": ("5G mobile networks spread the coronavirus.", "Does 5G spread COVID-19?"),
    "c2": ("Drinking bleach cures COVID-19.", "Can bleach cure the coronavirus?"),
    "c3": ("The moon landing in 1969 was filmed in a studio.", "Was the moon landing faked?"),
    "c4": ("Eating carrots improves night vision dramatically.", "Carrots and eyesight"),
    "c5": ("COVID-19 vaccines change your DNA.", "Do vaccines alter DNA?"),
    "c6": ("Holding your breath for ten seconds shows you are virus free.", "Breath test"),
}
TRAIN = {
    "t1": ("the 5g towers are what is spreading covid, wake up", "c1"),
    "t2": ("drink a little bleach and the virus is gone", "c2"),
    "t3": ("nasa shot the moon landing on a film set, everyone knows", "c3"),
    "t4": ("carrots will give you perfect eyesight in the dark", "c4"),
    "t5": ("the mRNA jab rewrites your genes, do not take it", "c5"),
    "t6": ("hold your breath 10 seconds and if you can you do not have covid", "c6"),
}
DEV = {
    "d1": ("5G is giving people the coronavirus", "c1"),
    "d2": ("bleach kills covid inside your body, drink it", "c2"),
}


def _tsv(path: Path, header: str, rows: dict[str, str]) -> None:
    path.write_text(header + "\n" + "".join(f"{k}\t{v}\n" for k, v in rows.items()), "utf-8")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "checkthat2020_task2"
    root.mkdir()
    _tsv(
        root / "verified_claims.docs.tsv",
        "\tvclaim\ttitle",
        {k: f"{t}\t{h}" for k, (t, h) in CLAIMS.items()},
    )
    for split, queries in (("train", TRAIN), ("dev", DEV)):
        (root / split).mkdir()
        _tsv(
            root / split / "tweets.queries.tsv",
            "\ttweet_content",
            {k: t for k, (t, _) in queries.items()},
        )
        qrels = "".join(f"{k}\t0\t{c}\t1\n" for k, (_, c) in queries.items())
        (root / split / "tweet-vclaim-pairs.qrels").write_text(qrels, "utf-8")
    return root


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A copy of the shipped matcher, so --write touches nothing in the repository."""
    shipped = load_parts(_shipped_dir()).model_dir
    assert shipped is not None
    copy = tmp_path / "models" / shipped.name
    shutil.copytree(shipped, copy)
    return copy


def _shipped_dir() -> Path:
    from claims.matching.model import shipped_model_dir

    found = shipped_model_dir()
    if found is None:
        pytest.skip("no fine-tuned claim matcher in models/")
    return found


def test_the_dense_level_is_chosen_written_and_read_back(
    data: Path, model: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = read_json(model / CONFIG_FILE)
    before["thresholds"].pop("confirmed_dense", None)
    (model / CONFIG_FILE).write_text(json.dumps(before), "utf-8")
    assert main(["--model", str(model), "--data", str(data), "--write"]) == 0
    report = json.loads(capsys.readouterr().out)
    chosen = report["chosen"]
    assert {k: chosen[k] for k in ("suggest", "confirmed")} == before["thresholds"]
    assert 0 < chosen["confirmed_dense"] <= 1
    assert report["shipped"] == {**before["thresholds"], "confirmed_dense": None}
    for split, queries in (("train", TRAIN), ("dev", DEV)):
        assert report[split]["chosen"]["queries"] == len(queries)
        # the extra condition can only take confirmed matches away, never suggested ones
        ours, theirs = report[split]["chosen"], report[split]["shipped"]
        assert ours["confirmed_recall"] <= theirs["confirmed_recall"]
        assert ours["suggest_recall"] == theirs["suggest_recall"]
    after = read_json(model / CONFIG_FILE)
    assert after["thresholds"] == chosen
    assert after["fusion"] == before["fusion"]  # ranking is not touched
    assert read_json(model / "metrics.json")["levels"] == report
    assert load_parts(model).thresholds.confirmed_dense == chosen["confirmed_dense"]
    # The routing policy's defaults follow the matcher in use, not the newest directory.
    monkeypatch.setenv("VERACITY_CLAIM_MATCHER", str(model))
    shipped_thresholds.cache_clear()
    try:
        assert asdict(shipped_thresholds()) == chosen
    finally:
        shipped_thresholds.cache_clear()


def test_without_write_nothing_changes_and_without_data_it_says_so(
    data: Path, model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (model / CONFIG_FILE).read_bytes()
    assert main(["--model", str(model), "--data", str(data)]) == 0
    assert "confirmed_dense" in json.loads(capsys.readouterr().out)["chosen"]
    assert (model / CONFIG_FILE).read_bytes() == before
    with pytest.raises(SystemExit) as refused:
        main(["--model", str(model), "--data", str(tmp_path / "nowhere")])
    assert refused.value.code == 2
    assert "verified_claims.docs.tsv" in capsys.readouterr().err
