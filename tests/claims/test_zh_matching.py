"""Chinese claim matching with the shipped Chinese encoder: zh posts against the bundled
Chinese claims (posts written for this test, not the ones the thresholds were chosen on)."""

from __future__ import annotations

import pytest

from claims.importers import read_source
from claims.library_service import FixedLibrary, LibraryMatcher, bundled_claims
from claims.matching.model import default_parts, shipped_thresholds
from claims.matching.zh import ScaledLibrary, ScoreScale, is_chinese, is_not_chinese, zh_parts
from claims.models import Claim, stable_claim_id
from claims.service import import_claims
from core.db import transaction
from pipeline.schemas import PostIn
from pipeline.signals import IntakeSignals
from pipeline.signals_zh import ChineseSignals, LanguageRoutedSignals, with_chinese_signals
from runtime.container import Runtime
from tests.conftest import ADMIN

SALT = stable_claim_id("fixture", "zh-005")  # 喝盐水或用盐水漱口可以预防新冠病毒感染。
SEAWEED = stable_claim_id("fixture", "zh-012")  # 市面上的紫菜是用黑色塑料袋做的。
FIVE_G_EN = stable_claim_id("fixture", "fx-001")


@pytest.fixture(scope="module")
def chinese() -> ChineseSignals:
    found = zh_parts()
    assert found is not None, "the Chinese model ships its matcher.json"
    parts, scale = found
    return ChineseSignals(
        ScaledLibrary(FixedLibrary(parts, bundled_claims(), keep=is_chinese), scale)
    )


def _post(text: str, lang: str | None = None) -> PostIn:
    return PostIn(id="p", text=text, lang=lang)


def test_the_chinese_fixture_imports_and_every_claim_reads_as_chinese() -> None:
    claims = list(read_source("fixture_zh", None))
    assert len(claims) >= 25
    assert all(is_chinese(c.text) and c.source_url for c in claims)
    assert not any(is_chinese(c.text) for c in read_source("fixture", None))


def test_a_chinese_post_matches_its_chinese_claim_as_confirmed(chinese: ChineseSignals) -> None:
    confirmed = shipped_thresholds().confirmed
    (salt, seaweed) = chinese.measure(
        [
            _post("大家注意！每天用盐水漱口、喝淡盐水，新冠病毒就传染不上你"),
            _post("千万别给孩子吃紫菜了，那是黑塑料袋加工出来的"),
        ]
    )
    assert salt.lang == "zh" and salt.checkworthiness is None
    assert salt.matches[0].claim_id == SALT and salt.matches[0].similarity >= confirmed
    assert salt.matches[0].verdict == "false"
    assert seaweed.matches[0].claim_id == SEAWEED


def test_a_traditional_post_matches_the_simplified_claim(chinese: ChineseSignals) -> None:
    confirmed = shipped_thresholds().confirmed
    (got,) = chinese.measure([_post("大家注意！每天用鹽水漱口、喝淡鹽水，新冠病毒就傳染不上你")])
    assert got.matches[0].claim_id == SALT and got.matches[0].similarity >= confirmed


def test_an_everyday_chinese_post_matches_nothing(chinese: ChineseSignals) -> None:
    suggest = shipped_thresholds().suggest
    for text in ("今天天气很好，下班去公园跑了五公里", "周末和家人去吃了火锅，好开心"):
        (got,) = chinese.measure([_post(text)])
        assert all(m.similarity < suggest for m in got.matches), text


def test_routed_signals_send_chinese_posts_to_the_chinese_branch_only() -> None:
    parts = default_parts()
    english = IntakeSignals(FixedLibrary(parts, bundled_claims(), keep=is_not_chinese), None)
    routed = with_chinese_signals(english)
    assert isinstance(routed, LanguageRoutedSignals)
    zh, en = routed.measure(
        [
            _post("每天用盐水漱口、喝淡盐水，新冠病毒就传染不上你"),
            _post("5G networks are spreading the coronavirus, turn off your phones now!", "en"),
        ]
    )
    assert (zh.lang, en.lang) == ("zh", "en")
    assert zh.matches[0].claim_id == SALT
    assert en.matches[0].claim_id == FIVE_G_EN


def test_the_scale_maps_raw_thresholds_onto_the_english_ones() -> None:
    scale = ScoreScale(raw_suggest=0.62, raw_confirmed=0.70, suggest=0.524, confirmed=0.609)
    assert scale.apply(0.62) == pytest.approx(0.524)
    assert scale.apply(0.70) == pytest.approx(0.609)
    assert scale.apply(0.0) == 0.0 and scale.apply(5.0) == 1.0


def test_the_library_in_the_database_is_matched_per_language(rt: Runtime) -> None:
    """`veracity claims import --source fixture_zh` (the same service) fills the library with
    Chinese claims next to the English ones; each matcher indexes only its language's."""
    with transaction(rt.sessions) as session:
        for source in ("fixture", "fixture_zh"):
            import_claims(session, read_source(source, None), ADMIN, source=source)
        stored = session.get(Claim, SALT)
        assert stored is not None and stored.text == "喝盐水或用盐水漱口可以预防新冠病毒感染。"
    found = zh_parts()
    assert found is not None
    zh_library = ScaledLibrary(LibraryMatcher(rt.sessions, found[0], keep=is_chinese), found[1])
    english = IntakeSignals(LibraryMatcher(rt.sessions, default_parts(), keep=is_not_chinese), None)
    routed = LanguageRoutedSignals(english, ChineseSignals(zh_library))
    zh, en = routed.measure(
        [
            _post("每天用盐水漱口、喝淡盐水，新冠病毒就传染不上你"),
            _post("5G networks are spreading the coronavirus, turn off your phones now!", "en"),
        ]
    )
    zh_ids = {stable_claim_id("fixture", c.origin_ref) for c in read_source("fixture_zh", None)}
    assert zh.matches and {m.claim_id for m in zh.matches} <= zh_ids
    assert en.matches and not {m.claim_id for m in en.matches} & zh_ids
