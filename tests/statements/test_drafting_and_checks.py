"""Drafts grounded in library claims pass the checks; the checks catch what they must."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from core.db import transaction
from core.errors import Invalid
from core.outbound import policy_from
from runtime.container import Runtime
from statements import service
from statements.checks import check_draft, flesch_reading_ease
from statements.generators import GeneratorUnavailable, OfflineGenerator, OpenAICompatibleGenerator
from statements.schemas import DraftIn
from tests.statements.helpers import SYSTEM, FakeChatServer, load_fixture_claims


@pytest.mark.parametrize("channel", ["web", "x", "banner"])
def test_drafts_from_every_false_library_claim_cite_their_source_and_pass(
    rt: Runtime, channel: str
) -> None:
    claims = [c for c in load_fixture_claims(rt) if c.verdict in {"false", "misleading"}]
    assert len(claims) >= 20
    with transaction(rt.sessions) as session:
        for claim in claims:
            draft_in = DraftIn(kind="counter_statement", channel=channel, claim_id=claim.id)
            made = service.draft(session, draft_in, SYSTEM, OfflineGenerator(), platform="Demo")
            report = service.checks_for(made)
            assert report.passed, (claim.origin_ref, report.failures, made.body)
            assert claim.source_url and claim.source_url in made.body
            assert claim.text.lower() not in made.title.lower()
            assert report.readability == flesch_reading_ease(made.body)  # shown, not a gate


def test_a_true_claim_gets_no_counter_statement(rt: Runtime) -> None:
    true = next(c for c in load_fixture_claims(rt) if c.verdict == "true")
    draft_in = DraftIn(kind="counter_statement", claim_id=true.id)
    with transaction(rt.sessions) as session, pytest.raises(Invalid, match="rated 'true'"):
        service.draft(session, draft_in, SYSTEM, OfflineGenerator(), platform="Demo")


def test_missing_incident_facts_stay_visible_as_placeholders(rt: Runtime) -> None:
    draft_in = DraftIn(
        kind="service_interruption",
        facts={"service": "Messaging", "current_status": "degraded"},
    )
    with transaction(rt.sessions) as session:
        made = service.draft(session, draft_in, SYSTEM, OfflineGenerator(), platform="Demo")
        codes = {f.code for f in service.checks_for(made).failures}
    assert codes == {"placeholder", "no_source"}


def test_checks_name_each_problem() -> None:
    src = ["https://example.org/fact"]
    claim = "Drinking bleach cures the flu."
    cases = {
        "claim_in_headline": ("Drinking bleach cures the flu", "Bleach is poison. " + src[0]),
        "claim_first": ("Bleach is poison", "Drinking bleach cures the flu, they say. " + src[0]),
        "no_source": ("Bleach is poison", "Bleach is poison when swallowed."),
        "unknown_source": ("Bleach is poison", "Bleach is poison. https://made.up/page"),
        "placeholder": ("Bleach is poison", "Bleach is poison. [TODO add doctor] " + src[0]),
        "too_long": ("Bleach is poison", "Bleach is poison. " * 20 + src[0]),
    }
    for code, (title, body) in cases.items():
        report = check_draft(title, body, channel="x", sources=src, false_claim=claim)
        assert code in {f.code for f in report.failures}, (code, report.failures)
    ok = check_draft("Bleach is poison", "Bleach is poison. " + src[0], channel="x", sources=src)
    assert ok.passed


def test_readability_prefers_plain_words() -> None:
    plain = "Wash your hands. Use soap. It helps."
    dense = "Comprehensive institutional epidemiological surveillance necessitates multidisciplinary collaboration."
    assert flesch_reading_ease(plain) > 80 > 0 > flesch_reading_ease(dense)


@pytest.fixture
def llm() -> Iterator[FakeChatServer]:
    fake = FakeChatServer()
    yield fake
    fake.server.shutdown()


def test_llm_drafts_are_grounded_and_pass_the_same_checks(rt: Runtime, llm: FakeChatServer) -> None:
    claim = next(c for c in load_fixture_claims(rt) if c.origin_ref == "fx-001")
    generator = OpenAICompatibleGenerator(
        llm.url, "small-model", outbound=policy_from(rt.settings), api_key="k-123"
    )
    draft_in = DraftIn(kind="counter_statement", claim_id=claim.id, generator="llm")
    llm.answer = json.dumps(
        {
            "title": "Radio waves do not carry viruses",
            "body": f"Viruses cannot travel on mobile networks. Source: {claim.source_url}",
        }
    )
    with transaction(rt.sessions) as session:
        good = service.draft(session, draft_in, SYSTEM, generator, platform="Demo")
        assert service.checks_for(good).passed and good.generator == "llm:small-model"
        llm.answer = json.dumps(
            {"title": claim.text, "body": "It is spreading! See https://invented.example/x"}
        )
        bad = service.draft(session, draft_in, SYSTEM, generator, platform="Demo")
        codes = {f.code for f in service.checks_for(bad).failures}
    assert {"claim_in_headline", "unknown_source"} <= codes
    sent = llm.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer k-123"
    assert claim.source_url in sent["body"]["messages"][1]["content"]
    llm.answer = "not json"
    with transaction(rt.sessions) as session, pytest.raises(GeneratorUnavailable):
        service.draft(session, draft_in, SYSTEM, generator, platform="Demo")
