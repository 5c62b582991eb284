"""Drafts read as text, not template syntax; absolute links use the configured public address;
the public page is styled and dated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from classifier.reference import ReferenceClassifier
from core.actors import Actor, ActorType
from core.db import transaction
from core.migrate import upgrade
from core.settings import Environment, PublicSettings, SecuritySettings, Settings
from runtime.container import Runtime, build_runtime
from runtime.web import create_app
from statements import service
from statements.config import StatementSettings, public_base_url
from statements.generators import OfflineGenerator
from statements.publishers import default_publishers
from statements.schemas import DraftIn, EditIn
from tests.conftest import make_settings
from tests.statements.helpers import (
    OFFICIAL_SECRET,
    PR2,
    SYSTEM,
    WebhookReceiver,
    draft_counter_statement,
    false_claim,
    publish_counter_statement,
)

A = "{http://www.w3.org/2005/Atom}"
SOURCE = "https://health.example.org/bleach"
PR3 = Actor(name="pr-third", type=ActorType.HUMAN, roles=("pr",))


def test_a_claimless_counter_statement_has_no_template_syntax_and_passes_with_a_source(
    rt: Runtime,
) -> None:
    draft_in = DraftIn(
        kind="counter_statement", facts={"fact": "Bleach is a poison when swallowed."}
    )
    with transaction(rt.sessions) as session:
        made = service.draft(session, draft_in, SYSTEM, OfflineGenerator(), platform="Demo")
        assert "$" not in made.title + made.body, made.body
        assert "rated it" not in made.body and "Sources:" not in made.body
        assert made.body.startswith("Bleach is a poison when swallowed.")
        codes = {f.code for f in service.checks_for(made).failures}
        assert codes == {"no_source"}  # the one thing PR has to add
        body = made.body + f"\n\nSources:\n- {SOURCE}"
        fixed = EditIn(title=made.title, body=body, sources=[SOURCE], base_version=1)
        edited = service.edit(session, made.id, fixed, PR2)
        assert service.checks_for(edited).passed


def test_a_counter_statement_names_who_rated_the_claim_only_when_known(rt: Runtime) -> None:
    claim = false_claim(rt)
    with transaction(rt.sessions) as session:
        made = draft_counter_statement(session, claim.id)
        assert f"{claim.source_name} rated it false." in made.body
        assert service.checks_for(made).passed


def test_a_notice_keeps_the_fact_typed_and_marks_what_is_missing_readably(rt: Runtime) -> None:
    draft_in = DraftIn(
        kind="service_interruption",
        facts={
            "fact": "Messages sent since 09:10 arrive late.",
            "service": "Messaging",
            "current_status": "degraded",
            "status_url": "https://status.example.com",
        },
    )
    with transaction(rt.sessions) as session:
        made = service.draft(session, draft_in, SYSTEM, OfflineGenerator(), platform="Demo")
    assert "Messages sent since 09:10 arrive late." in made.body
    assert "[TODO: started at]" in made.body and "$" not in made.body
    price = DraftIn(
        kind="service_interruption",
        facts={"fact": "Refunds of $5 go out today.", "service": "Billing"},
    )
    with transaction(rt.sessions) as session:
        made = service.draft(session, price, SYSTEM, OfflineGenerator(), platform="Demo")
    assert "Refunds of $5 go out today." in made.body  # typed text is not a template


def test_links_use_the_configured_public_address_else_the_request_only_in_development() -> None:
    statements = StatementSettings()
    configured = Settings(public=PublicSettings(base_url="https://trust.example.org/"))
    assert public_base_url(statements, configured, "http://10.0.0.5:8000/") == (
        "https://trust.example.org"
    )
    dev = Settings(environment=Environment.DEVELOPMENT)
    assert public_base_url(statements, dev, "http://review.local:8000/") == (
        "http://review.local:8000"
    )
    test_env = Settings(environment=Environment.TEST)
    assert public_base_url(statements, test_env, "http://10.0.0.5:8000/") == (
        "http://127.0.0.1:8000"
    )
    with pytest.raises(ValidationError, match="PUBLIC__BASE_URL"):
        Settings(
            environment=Environment.PRODUCTION,
            security=SecuritySettings(secret_key="x" * 40),
        )
    with pytest.raises(ValidationError, match="http"):
        PublicSettings(base_url="javascript:alert(1)")


@pytest.fixture
def public_rt(tmp_path: Path) -> Iterator[Runtime]:
    url = f"sqlite:///{tmp_path / 'public.db'}"
    upgrade(url)
    settings = make_settings(url, public=PublicSettings(base_url="https://trust.example.org"))
    runtime = build_runtime(settings, classifier=ReferenceClassifier())
    yield runtime
    runtime.engine.dispose()


def _published(rt: Runtime) -> str:
    claim = false_claim(rt)
    with transaction(rt.sessions) as session:
        return publish_counter_statement(session, claim.id).id


def test_the_feed_claimreview_and_page_link_to_the_public_address(public_rt: Runtime) -> None:
    statement_id = _published(public_rt)
    with TestClient(create_app(public_rt)) as client:
        feed = ET.fromstring(client.get("/v1/statements/feed.atom").content)  # noqa: S314
        links = [link.get("href", "") for link in feed.iter(f"{A}link")]
        alternate = f"https://trust.example.org/v1/statements/{statement_id}/public"
        assert alternate in links and not any("127.0.0.1" in link for link in links)
        review = client.get(f"/v1/statements/{statement_id}/claimreview.jsonld").json()
        assert review["url"] == alternate
        assert review["author"]["url"] == "https://trust.example.org"
        page = client.get(f"/v1/statements/{statement_id}/public").text
        assert f'rel="canonical" href="{alternate}"' in page


def test_the_public_page_is_styled_and_dated_and_says_when_it_was_corrected(rt: Runtime) -> None:
    statement_id = _published(rt)
    with TestClient(create_app(rt)) as client:
        first = client.get(f"/v1/statements/{statement_id}/public")
        assert "<style>" in first.text and 'id="dates"' in first.text
        assert "Published <time" in first.text and "Last updated" not in first.text
        assert "style-src 'unsafe-inline'" in first.headers["content-security-policy"]
    with transaction(rt.sessions) as session:
        statement = service.get(session, statement_id)
        fixed = EditIn(
            title=statement.title,
            body=statement.body.replace("What we are doing", "What we do"),
            note="clearer wording",
            base_version=statement.version,
        )
        service.edit(session, statement_id, fixed, PR2)
        service.approve(session, statement_id, PR3)
        service.publish(session, statement_id, PR3, default_publishers(webhook=False))
    with TestClient(create_app(rt)) as client:
        second = client.get(f"/v1/statements/{statement_id}/public").text
    assert "Last updated <time" in second and "Corrected: clearer wording" in second
    assert "What we do" in second


def test_deliveries_sent_by_the_sweep_link_to_the_public_address(
    public_rt: Runtime, official: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from statements.config import get_statement_settings
    from statements.tasks import deliver_statements

    monkeypatch.setenv("STATEMENTS__WEBHOOK_URL", official.url)
    monkeypatch.setenv("STATEMENTS__WEBHOOK_SECRET", OFFICIAL_SECRET)
    get_statement_settings.cache_clear()
    try:
        claim = false_claim(public_rt)
        with transaction(public_rt.sessions) as session:
            made = publish_counter_statement(session, claim.id, webhook=True)
        deliver_statements(public_rt)
    finally:
        get_statement_settings.cache_clear()
    (event,) = official.events.values()
    assert event["url"] == (f"https://trust.example.org/v1/statements/{made.id}/public"), event
