"""The triage band: falsehood, check-worthiness, claim matches and language in one rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from claims.matching.model import shipped_thresholds
from classifier.language import UNDETERMINED, detect_language, model_language, normalise_hint
from core.clock import utcnow
from pipeline.routing import Reach, RoutingPolicy, route
from pipeline.schemas import RoutingPolicyBody
from pipeline.triage import MatchInfo, Signals, triage_band

NOW = utcnow()
QUIET = Reach(views=10, shares=0, created_at=NOW - timedelta(hours=5))
POLICY = RoutingPolicy()
SUGGEST, CONFIRM = shipped_thresholds().suggest, shipped_thresholds().confirmed


def test_a_post_with_no_checkworthy_claim_and_no_match_is_not_queued_whatever_its_score() -> None:
    bakery = Signals(0.985, "urgent", checkworthiness=0.05, lang="en")
    assert triage_band(bakery, POLICY) == ("ignore", "not_checkworthy")
    assert route(bakery, QUIET, NOW, POLICY).queue is False


def test_a_confirmed_match_to_a_false_claim_goes_urgent_even_when_not_checkworthy() -> None:
    match = MatchInfo("c1", CONFIRM + 0.01, "false")
    repeats = Signals(0.1, "ignore", checkworthiness=0.1, matches=(match,), lang="en")
    assert triage_band(repeats, POLICY) == ("urgent", "claim_match")
    routed = route(repeats, QUIET, NOW, POLICY)
    assert routed.queue and routed.band == "urgent" and routed.claim_id == "c1"


def test_a_match_confirmed_only_by_a_small_library_goes_to_review_not_urgent() -> None:
    """The fused score grows in a small library; a confirmed match also needs the matcher's
    dense score (`claim_match_min_dense`). Rows without one (older scores) keep the old rule."""
    floor = POLICY.claim_match_min_dense
    assert floor is not None  # the shipped matcher sets one
    lifted = MatchInfo("dna", CONFIRM + 0.02, "false", dense=floor - 0.03)
    everyday = Signals(0.1, "ignore", checkworthiness=0.1, matches=(lifted,), lang="en")
    assert lifted.status(POLICY) == "suggested"
    assert triage_band(everyday, POLICY) == ("ignore", "band")
    routed = route(everyday, QUIET, NOW, POLICY)
    assert routed.queue is False and routed.claim_id == "dna"  # still shown as suggested
    repeats = MatchInfo("dna", CONFIRM + 0.02, "false", dense=floor + 0.01)
    assert triage_band(Signals(0.1, "ignore", 0.1, (repeats,), "en"), POLICY)[0] == "urgent"
    legacy = MatchInfo("dna", CONFIRM + 0.02, "false")
    assert legacy.status(POLICY) == "confirmed"
    off = RoutingPolicy(claim_match_min_dense=None)
    assert lifted.status(off) == "confirmed"
    assert MatchInfo.from_json(lifted.to_json()) == lifted
    assert "dense" not in legacy.to_json()


def test_a_stored_policy_without_the_dense_minimum_gets_the_shipped_one() -> None:
    body = POLICY.to_body()
    del body["claim_match_min_dense"]
    parsed = RoutingPolicyBody.model_validate(body)
    assert parsed.claim_match_min_dense == POLICY.claim_match_min_dense
    restored = RoutingPolicy.from_body(parsed.model_dump(), "v-old")
    assert restored.claim_match_min_dense == POLICY.claim_match_min_dense
    with pytest.raises(ValidationError):
        RoutingPolicyBody.model_validate({**POLICY.to_body(), "claim_match_min_dense": 1.5})


def test_a_confirmed_match_to_a_true_claim_raises_nothing_but_passes_the_gate() -> None:
    true_claim = MatchInfo("c2", 0.9, "true")
    signals = Signals(0.7, "review", checkworthiness=0.1, matches=(true_claim,), lang="en")
    assert triage_band(signals, POLICY) == ("review", "band")
    assert route(signals, QUIET, NOW, POLICY).claim_id is None


def test_a_suggested_match_counts_as_a_known_claim_but_does_not_raise() -> None:
    maybe = MatchInfo("c3", (SUGGEST + CONFIRM) / 2, "false")
    signals = Signals(0.6, "review", checkworthiness=0.1, matches=(maybe,), lang="en")
    assert triage_band(signals, POLICY) == ("review", "band")
    assert route(signals, QUIET, NOW, POLICY).claim_id == "c3"
    below = Signals(0.6, "review", checkworthiness=0.1, matches=(MatchInfo("c", 0.3, "false"),))
    assert triage_band(below, POLICY)[0] == "ignore"


def test_a_suggested_match_does_not_make_an_urgent_post_that_makes_no_claim_urgent() -> None:
    """Only a confirmed match raises: a suggested one keeps an English post out of the ignore
    gate, but the check-worthiness and Chinese caps on urgent still apply (an everyday Chinese
    post about a cold used to go urgent on a suggested match to a health claim)."""
    maybe = MatchInfo("c3", (SUGGEST + CONFIRM) / 2, "false")
    english = Signals(0.9, "urgent", checkworthiness=0.1, matches=(maybe,), lang="en")
    assert triage_band(english, POLICY) == ("review", "checkworthiness")
    chinese_claim = Signals(0.9, "urgent", checkworthiness=0.95, matches=(maybe,), lang="zh")
    assert triage_band(chinese_claim, POLICY) == ("review", "checkworthiness")
    english_claim = Signals(0.9, "urgent", checkworthiness=0.95, matches=(maybe,), lang="en")
    assert triage_band(english_claim, POLICY) == ("urgent", "band")


def test_in_chinese_a_suggested_match_does_not_keep_a_post_that_makes_no_claim() -> None:
    """The Chinese matcher is the encoder's raw cosine: everyday posts sharing a topic with a
    library claim ("drank a cup of salt water, my throat feels better" beside "salt water
    prevents COVID-19") reach its suggest threshold, and went to review on that alone."""
    maybe = MatchInfo("c3", (SUGGEST + CONFIRM) / 2, "false")
    everyday = Signals(0.77, "urgent", checkworthiness=0.0002, matches=(maybe,), lang="zh")
    assert triage_band(everyday, POLICY) == ("ignore", "not_checkworthy")
    english = Signals(0.77, "urgent", checkworthiness=0.0002, matches=(maybe,), lang="en")
    assert triage_band(english, POLICY) == ("review", "checkworthiness")
    sure = MatchInfo("c3", CONFIRM, "false")
    repeated = Signals(0.77, "urgent", checkworthiness=0.0002, matches=(sure,), lang="zh")
    assert triage_band(repeated, POLICY)[0] == "urgent"  # a confirmed match still raises


def test_moderate_checkworthiness_lowers_urgent_to_review() -> None:
    middling = (POLICY.checkworthiness_min + POLICY.checkworthiness_urgent_min) / 2
    signals = Signals(0.99, "urgent", checkworthiness=middling, lang="en")
    assert triage_band(signals, POLICY) == ("review", "checkworthiness")
    sure = Signals(0.99, "urgent", checkworthiness=0.95, lang="en")
    assert triage_band(sure, POLICY) == ("urgent", "band")


def test_unmeasured_signals_gate_nothing() -> None:
    """Rows scored before triage (and runs without the models) keep the model's band."""
    assert triage_band(Signals(0.9, "urgent"), POLICY) == ("urgent", "band")


def test_a_language_with_no_model_is_unsupported_and_not_queued_unless_the_policy_says() -> None:
    spanish = Signals(0.99, "urgent", checkworthiness=0.9, lang="es")
    assert triage_band(spanish, POLICY) == ("unsupported_language", "language")
    routed = route(spanish, QUIET, NOW, POLICY)
    assert routed.queue is False and routed.band == "unsupported_language"
    to_review = RoutingPolicy(unsupported_language_route="review")
    routed = route(spanish, QUIET, NOW, to_review)
    assert routed.queue and routed.band == "review" and routed.triage_band == "unsupported_language"


def test_checkworthiness_and_a_confirmed_match_weigh_in_priority() -> None:
    plain = route(Signals(0.6, "review", checkworthiness=0.6), QUIET, NOW, POLICY)
    worthier = route(Signals(0.6, "review", checkworthiness=1.0), QUIET, NOW, POLICY)
    assert worthier.priority > plain.priority


def test_policy_body_checks_the_triage_thresholds() -> None:
    body = POLICY.to_body()
    assert body["claim_match_min_similarity"] == CONFIRM
    assert body["claim_match_suggest_similarity"] == SUGGEST
    RoutingPolicyBody.model_validate(body)
    with pytest.raises(ValidationError, match="claim_match_suggest_similarity"):
        RoutingPolicyBody.model_validate(body | {"claim_match_suggest_similarity": 0.99})
    with pytest.raises(ValidationError, match="checkworthiness_min"):
        RoutingPolicyBody.model_validate(body | {"checkworthiness_min": 0.9})
    with pytest.raises(ValidationError, match="routes must be one of"):
        RoutingPolicyBody.model_validate(body | {"unsupported_language_route": "delete"})


def test_language_detection_uses_the_text_and_the_hint_only_when_unsure() -> None:
    assert detect_language("今天天气很好，我们下午去公园散步吧") == "zh"
    assert detect_language("Drinking bleach cures COVID-19 and everyone should try it") == "en"
    assert detect_language("今天天气很好，我们下午去公园散步吧", hint="en") == "zh"
    assert detect_language("ok", hint="de-DE") == "de"
    assert detect_language("ok") == UNDETERMINED
    assert normalise_hint("zh_Hans") == "zh" and normalise_hint("") is None
    assert model_language("en") == "en" and model_language(UNDETERMINED) == "en"
    assert model_language("es") is None
    # Chinese has its own model (models/bge-small-zh-*), Simplified and Traditional alike
    assert model_language("zh") == "zh"
    assert detect_language("喝鹽水可以預防新冠") == "zh"  # short: langid alone is unsure
    assert detect_language("東京に行きます") == "ja"  # kana: not Chinese
    # Cantonese and Wu as py3langid detects them (often short Traditional posts) are stored as
    # detected and read by the Chinese model
    assert detect_language("緊急擴散！喝鹽水可以預防新冠病毒") == "yue"
    assert model_language("yue") == "zh" and model_language("wuu") == "zh"
