"""Each post takes the model for its language, end to end on the embedded default with the
real shipped models (English falsehood model, Chinese model, both claim matchers): score ->
route -> case. Traditional Chinese is converted for the models, stored as sent; a language
with no model stays `unsupported_language`."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from claims.models import Claim, stable_claim_id
from classifier.serving.loader import load_classifier
from classifier.zh.serving import load_zh_classifier
from pipeline.models import Post, Score
from pipeline.routing import RoutingPolicy
from pipeline.triage import MatchInfo, Signals, triage_band
from runtime.web import create_app
from tests.conftest import auth, new_api_key, wait_for
from tests.review_ui.conftest import (
    Stack,
    signed_in,
    take_next,
)

SALT = stable_claim_id("fixture", "zh-005")  # 喝盐水或用盐水漱口可以预防新冠病毒感染。
BLEACH = stable_claim_id("fixture", "fx-002")
ZH = "家人们注意！每天用盐水漱口、多喝淡盐水，新冠病毒就传染不上，赶紧转给爸妈"
ZH_TRADITIONAL = "家人們注意！每天用鹽水漱口、多喝淡鹽水，新冠病毒就傳染不上，趕緊轉給爸媽"
EN = "Doctors won't tell you: drinking bleach cures covid-19, share before they delete it!!"
ES = "Los médicos no lo dicen: beber lejía cura el COVID-19, compártelo antes de que lo borren"


def _score(client: TestClient, key: str, *posts: dict[str, Any]) -> dict[str, Any]:
    resp = client.post("/v1/score", json={"posts": list(posts)}, headers=auth(key))
    assert resp.status_code == 200, resp.text
    return {r["id"]: r for r in resp.json()["results"]}


def test_chinese_and_english_posts_take_their_own_models_to_a_case(bilingual: Stack) -> None:
    chinese = load_zh_classifier()
    assert chinese is not None
    english_version = load_classifier().model_version
    key = new_api_key(bilingual.rt)
    with TestClient(create_app(bilingual.rt)) as client:
        got = _score(
            client,
            key,
            {"id": "zh", "text": ZH},
            {"id": "zh-hant", "text": ZH_TRADITIONAL, "lang": "zh-TW"},
            {"id": "en", "text": EN},
            {"id": "es", "text": ES, "lang": "es"},
        )
        again = _score(client, key, {"id": "zh", "text": ZH})["zh"]
    zh, hant, en, es = got["zh"], got["zh-hant"], got["en"], got["es"]
    # Chinese: the Chinese model and the Chinese claim; English: the English ones.
    assert (zh["detected_lang"], zh["model_version"]) == ("zh", chinese.model_version)
    assert zh["claim_matches"][0]["claim_id"] == SALT
    assert zh["claim_matches"][0]["status"] == "confirmed" and zh["band"] == "urgent"
    # the Chinese check-worthiness head (models/checkworthiness-zh-*): a rumour passes its gate
    assert zh["checkworthiness"] is not None
    assert zh["checkworthiness"] >= RoutingPolicy().checkworthiness_min
    assert (en["detected_lang"], en["model_version"]) == ("en", english_version)
    assert en["claim_matches"][0]["claim_id"] == BLEACH and en["band"] == "urgent"
    # Re-sent unchanged: the stored Chinese score is current (its own model's version).
    assert again["cached"] is True and again["score"] == zh["score"]
    # Traditional: converted for the models (same score as its Simplified twin), stored as sent.
    assert hant["model_version"] == chinese.model_version
    (simplified,) = chinese.predict([ZH])
    assert hant["score"] == pytest.approx(simplified.score, abs=1e-6)
    assert hant["claim_matches"][0]["claim_id"] == SALT
    # Spanish: no model, never a confident band from the wrong one; not queued by default.
    assert es["detected_lang"] == "es" and es["band"] == "unsupported_language"
    assert es["claim_matches"] == [] and es["case_opened"] is False
    with bilingual.rt.sessions() as session:
        post = session.get(Post, "zh-hant")
        assert post is not None and post.text == ZH_TRADITIONAL
        versions = {s.post_id: s.model_version for s in session.scalars(select(Score))}
        assert versions["zh"] == chinese.model_version and versions["en"] == english_version
    wait_for(lambda: bilingual.case("zh") is not None, what="the Chinese post's case")
    wait_for(lambda: bilingual.case("en") is not None, what="the English post's case")
    for post_id, claim_id in (("zh", SALT), ("en", BLEACH)):
        case = bilingual.case(post_id)
        assert case is not None and (case.band, case.claim_id) == ("urgent", claim_id)
    assert bilingual.case("es") is None


def test_the_reviewer_sees_the_chinese_post_and_its_chinese_claim(bilingual: Stack) -> None:
    with TestClient(create_app(bilingual.rt)) as client:
        _score(client, new_api_key(bilingual.rt), {"id": "zh", "text": ZH})
    wait_for(lambda: bilingual.case("zh") is not None, what="the Chinese case")
    case = bilingual.case("zh")
    assert case is not None
    reviewer = signed_in(bilingual, "reviewer")
    assert take_next(reviewer) == f"/ui/review/cases/{case.id}"
    page = reviewer.get(f"/ui/review/cases/{case.id}").text
    with bilingual.rt.sessions() as session:
        claim = session.get(Claim, SALT)
        assert claim is not None
    post = page[page.index('id="post"') if 'id="post"' in page else 0 :]
    # the post (marked up clause by clause with the Chinese model's reasons) and the claim
    for clause in ("家人们注意", "每天用盐水漱口", "赶紧转给爸妈"):
        assert clause in post
    assert "raises the falsehood score" in page
    assert claim.text in page and "language zh" in page
    assert '<p lang="zh">' in page  # detected, though the platform sent no language hint


def test_a_chinese_post_is_at_most_review_unless_a_confirmed_match_raises_it() -> None:
    """The Chinese check-worthiness head gates but does not decide urgent: the falsehood score
    never makes a Chinese post urgent on its own, measured or not (an English one with no
    check-worthiness measured keeps its band, as before)."""
    policy = RoutingPolicy()
    assert triage_band(Signals(0.99, "urgent", lang="zh"), policy) == ("review", "checkworthiness")
    assert triage_band(Signals(0.99, "urgent", lang="en"), policy) == ("urgent", "band")
    assert triage_band(Signals(0.99, "urgent", lang=None), policy) == ("urgent", "band")
    confirmed = MatchInfo("c1", policy.claim_match_min_similarity + 0.01, "false")
    matched = Signals(0.2, "ignore", matches=(confirmed,), lang="zh")
    assert triage_band(matched, policy) == ("urgent", "claim_match")
