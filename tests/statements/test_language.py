"""Statements per language (issue 20, item 5): a claim written in Chinese gets a Chinese
counter-statement, and its readability is measured in sentence length, not with Flesch."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from claims.models import Claim
from claims.schemas import ImportedClaim
from claims.service import import_claims
from core.db import transaction
from pipeline.claim_links import link_post
from runtime.container import Runtime
from statements import service
from statements.checks import (
    FLESCH,
    SENTENCE_CHARS,
    check_draft,
    flesch_reading_ease,
    mean_sentence_chars,
)
from statements.generators import OfflineGenerator
from statements.schemas import DraftIn
from tests.pipeline.factories import case as case_of
from tests.pipeline.factories import make_case
from tests.statements.helpers import SYSTEM, load_fixture_claims, publish_counter_statement

SOURCE = "https://factcheck.example.cn/salt-water"
CLAIM_ZH = "喝盐水可以预防新冠病毒"
EXPLANATION_ZH = "喝盐水不能预防新冠病毒感染。世界卫生组织表示，没有证据表明盐水能杀死病毒。"


def chinese_claim(rt: Runtime) -> Claim:
    record = ImportedClaim(
        origin="fixture",
        origin_ref="zh-test-salt",
        text=CLAIM_ZH,
        verdict="false",
        source_url=SOURCE,
        source_name="示例辟谣平台",
        explanation=EXPLANATION_ZH,
    )
    with transaction(rt.sessions) as session:
        import_claims(session, [record], SYSTEM, source="test")
        return session.query(Claim).filter(Claim.origin_ref == "zh-test-salt").one()


@pytest.mark.parametrize("channel", ["web", "x", "banner"])
def test_a_chinese_claim_gets_a_chinese_counter_statement_that_passes(
    rt: Runtime, channel: str
) -> None:
    claim = chinese_claim(rt)
    with transaction(rt.sessions) as session:
        draft_in = DraftIn(kind="counter_statement", channel=channel, claim_id=claim.id)
        made = service.draft(session, draft_in, SYSTEM, OfflineGenerator(), platform="微博")
        report = service.checks_for(made)
    assert made.title.startswith("事实核查")
    assert SOURCE in made.body
    assert "Fact check" not in made.title and "Learn more" not in made.body
    if channel == "web":
        assert made.body.startswith("喝盐水不能预防新冠病毒感染。")  # the fact first
        assert "示例辟谣平台将其评定为“false”。" in made.body and "来源：" in made.body
    assert report.passed, report.failures
    assert report.readability_measure == SENTENCE_CHARS
    assert report.readability == mean_sentence_chars(made.body)


def test_english_claims_keep_english_templates_and_flesch(rt: Runtime) -> None:
    claim = next(c for c in load_fixture_claims(rt) if c.verdict == "false")
    with transaction(rt.sessions) as session:
        draft_in = DraftIn(kind="counter_statement", channel="web", claim_id=claim.id)
        made = service.draft(session, draft_in, SYSTEM, OfflineGenerator(), platform="Demo")
        report = service.checks_for(made)
    assert made.title.startswith("Fact check")
    assert report.readability_measure == FLESCH
    assert report.readability == flesch_reading_ease(made.body)


def test_sentence_length_counts_characters_per_chinese_sentence() -> None:
    assert (
        mean_sentence_chars("喝盐水不能预防新冠。请看来源！ https://a.example/x") == 6.5
    )  # (9 + 4) / 2
    assert mean_sentence_chars("") == 0.0


def test_a_chinese_headline_repeating_the_claim_fails_and_a_fact_first_one_passes() -> None:
    body = f"喝盐水不能预防新冠病毒感染。详见 {SOURCE}"
    repeated = check_draft(
        "喝盐水可以预防新冠病毒？", body, channel="web", sources=[SOURCE], false_claim=CLAIM_ZH
    )
    assert "claim_in_headline" in {f.code for f in repeated.failures}
    fact_first = check_draft(
        "事实核查：喝盐水不能预防新冠", body, channel="web", sources=[SOURCE], false_claim=CLAIM_ZH
    )
    assert fact_first.passed, fact_first.failures


def test_a_case_about_a_chinese_post_is_answered_in_chinese_even_from_an_english_claim(
    rt: Runtime,
) -> None:
    claim = next(c for c in load_fixture_claims(rt) if c.verdict == "false")
    case_id = make_case(rt.sessions, lang="zh", text="紧急扩散!喝盐水可以预防新冠病毒")
    with transaction(rt.sessions) as session:
        link_post(session, claim.id, case_of(rt.sessions, case_id).post_id, SYSTEM, similarity=0.9)
        draft_in = DraftIn(kind="counter_statement", channel="x", case_id=case_id)
        made = service.draft(session, draft_in, SYSTEM, OfflineGenerator(), platform="微博")
    assert made.title.startswith("事实核查")
    english = DraftIn(kind="counter_statement", channel="x", case_id=case_id, language="en")
    with transaction(rt.sessions) as session:
        made = service.draft(session, english, SYSTEM, OfflineGenerator(), platform="Weibo")
    assert made.title.startswith("Fact check")  # PR's choice wins over the post's language


def test_an_unknown_statement_language_is_refused(rt: Runtime) -> None:
    with pytest.raises(ValidationError, match="language"):
        DraftIn(kind="counter_statement", facts={"fact": "x"}, language="fr")


def test_a_published_chinese_statement_has_a_chinese_public_page_and_feed(rt: Runtime) -> None:
    from fastapi.testclient import TestClient

    from runtime.web import create_app

    claim = chinese_claim(rt)
    with transaction(rt.sessions) as session:
        made = publish_counter_statement(session, claim.id, "微博")
        sid, title = made.id, made.title
    with TestClient(create_app(rt)) as client:
        page = client.get(f"/v1/statements/{sid}/public")
        feed = client.get("/v1/statements/feed.atom")
        review = client.get(f"/v1/statements/{sid}/claimreview.jsonld").json()
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-Hans">' in page.text and "发布于 <time" in page.text
    body = page.text.split("</head>", 1)[1]
    assert "<h2>来源</h2>" in body and body.count(SOURCE) == 2  # listed once: href and text
    assert EXPLANATION_ZH.split("。")[0] in page.text
    assert title.encode() in feed.content  # UTF-8 in the Atom feed, not escaped
    assert review["inLanguage"] == "zh-Hans" and review["claimReviewed"] == CLAIM_ZH
