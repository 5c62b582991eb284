"""The shipped Chinese model (models/bge-small-zh-*): real weights, no training data needed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifier.serving.loader import find_model_dir, load_classifier
from classifier.serving.routed import LanguageRoutedClassifier, scoring_version, with_chinese
from classifier.zh.encoder import ENCODER_FILE, ZhEncoder, encoder_name
from classifier.zh.serving import ZhClassifier, clause_spans, find_zh_model_dir
from classifier.zh.text import to_simplified

RUMOUR = "紧急扩散！喝盐水可以预防新冠病毒，家里有老人的一定要转告！"
RUMOUR_TRADITIONAL = "緊急擴散！喝鹽水可以預防新冠病毒，家裡有老人的一定要轉告！"
NOTICE = "【市气象台发布暴雨蓝色预警】预计今天夜间到明天白天，我市大部分地区有大到暴雨，请市民注意出行安全。"
ENGLISH = "Drinking bleach cures COVID-19, share before they delete it"


@pytest.fixture(scope="module")
def zh_dir() -> Path:
    found = find_zh_model_dir()
    assert found is not None, "models/bge-small-zh-*/ is shipped with the repository"
    return found


@pytest.fixture(scope="module")
def zh(zh_dir: Path) -> ZhClassifier:
    return ZhClassifier(zh_dir, threads=1)


def test_the_shipped_encoder_is_the_int8_one_the_head_was_trained_on(zh_dir: Path) -> None:
    size = (zh_dir / ENCODER_FILE).stat().st_size
    assert 15_000_000 < size < 30_000_000  # int8 (fp32 is 95 MB)
    config = json.loads((zh_dir / "config.json").read_text(encoding="utf-8"))
    assert config["encoder"].startswith(encoder_name(zh_dir) + ":")
    for name in ("MODEL_CARD.md", "NOTICE.md", "thresholds.json", "metrics.json", "matcher.json"):
        assert (zh_dir / name).is_file(), name


def test_traditional_text_is_converted_to_simplified() -> None:
    assert to_simplified(RUMOUR_TRADITIONAL) == RUMOUR
    assert to_simplified("plain ASCII stays") == "plain ASCII stays"


def test_a_rumour_scores_above_an_official_notice_and_bands_follow_thresholds(
    zh: ZhClassifier,
) -> None:
    rumour, notice = zh.predict([RUMOUR, NOTICE])
    assert rumour.score > notice.score
    assert rumour.band == zh.thresholds.band_for(rumour.score)
    assert rumour.model_version == zh.model_version


def test_traditional_and_simplified_score_the_same(zh: ZhClassifier) -> None:
    simplified, traditional = zh.predict([RUMOUR, RUMOUR_TRADITIONAL])
    assert traditional.score == pytest.approx(simplified.score, abs=1e-6)


def test_reasons_are_clauses_of_the_post(zh: ZhClassifier) -> None:
    (explained,) = zh.predict([RUMOUR], explain=True)
    assert explained.reasons
    assert all(r.phrase in RUMOUR for r in explained.reasons)
    assert len(clause_spans("一，二。三！" * 20)) <= 12


def test_each_post_takes_its_own_model(zh: ZhClassifier) -> None:
    english_dir = find_model_dir()
    assert english_dir is not None
    routed = with_chinese(load_classifier(english_dir))
    assert isinstance(routed, LanguageRoutedClassifier)
    zh_pred, en_pred = routed.predict([RUMOUR_TRADITIONAL, ENGLISH])
    assert zh_pred.model_version == zh.model_version
    assert en_pred.model_version == routed.english.model_version != zh.model_version
    assert scoring_version(routed.model_version, RUMOUR) == zh.model_version
    assert scoring_version(routed.model_version, ENGLISH) == routed.english.model_version
    assert scoring_version("only-one-model", RUMOUR) == "only-one-model"


def test_a_posts_vector_does_not_depend_on_the_posts_scored_with_it() -> None:
    # The int8 encoder quantises activations per input tensor: batched, a post's vector moved
    # with its neighbours (0.766 alone, 0.788 beside a long post). One text per call fixes it.
    model_dir = find_zh_model_dir()
    assert model_dir is not None
    encoder = ZhEncoder(model_dir, pooling="mean", threads=1)
    post = "网传喝盐水可以预防新冠病毒，专家：没有科学依据"
    long = "【重磅】" + "国家卫健委今日发布通知称全国各地要加强疫情防控工作并落实各项措施" * 3
    alone = encoder.embed([post])[0]
    for neighbours in (["今天天气不错"], [long], [long, "晚安"]):
        assert np.array_equal(encoder.embed([post, *neighbours])[0], alone)
