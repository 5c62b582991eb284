"""The official-account webhook and the LLM drafter call out only through the outbound gate:
a private address not on the allow-list is refused before anything is sent, a redirect is a
failed delivery (never followed), and a refused setting is named at startup."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent
from core.outbound import OutboundPolicy, OutboundRefused, policy_from
from runtime.container import Runtime
from runtime.web import create_app
from statements.cli import statements_deliver
from statements.config import StatementSettings, check_outbound, get_statement_settings
from statements.delivery import deliver_pending, sender_from
from statements.models import DeliveryStatus, StatementDelivery
from tests.conftest import auth, new_user_token
from tests.statements.helpers import (
    OFFICIAL_SECRET,
    FakeChatServer,
    WebhookReceiver,
    false_claim,
    official_receiver,
)

URL = "/v1/statements"


@pytest.fixture
def elsewhere() -> Iterator[WebhookReceiver]:
    """Where a redirect points: it must never be called."""
    yield from official_receiver()


@pytest.fixture
def llm() -> Iterator[FakeChatServer]:
    fake = FakeChatServer()
    yield fake
    fake.server.shutdown()


def _api(rt: Runtime, settings: StatementSettings) -> TestClient:
    app = create_app(rt)
    app.dependency_overrides[get_statement_settings] = lambda: settings
    return TestClient(app)


def _approved(rt: Runtime, api: TestClient) -> tuple[str, str]:
    claim = false_claim(rt)
    pr1, pr2 = new_user_token(rt, "pr"), new_user_token(rt, "pr")
    made = api.post(
        URL, json={"kind": "counter_statement", "claim_id": claim.id}, headers=auth(pr1)
    )
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    assert (
        api.post(f"{URL}/{sid}/approve", json={"version": 1}, headers=auth(pr2)).status_code == 200
    )
    return sid, pr1


def _delivery(rt: Runtime) -> StatementDelivery:
    with rt.sessions() as session:
        [delivery] = session.scalars(select(StatementDelivery)).all()
        return delivery


def _failures(rt: Runtime) -> list[str]:
    with rt.sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.STATEMENT_DELIVERY_FAILED)
        )
        return [str(cast(Any, event.document["veracity"])["reason"]) for event in events]


def test_a_publish_to_a_private_webhook_address_is_refused_and_nothing_is_sent(
    strict_rt: Runtime, official: WebhookReceiver
) -> None:
    settings = StatementSettings(
        webhook_url=official.url, webhook_secret=OFFICIAL_SECRET, max_delivery_attempts=2
    )
    with _api(strict_rt, settings) as api:
        sid, pr = _approved(strict_rt, api)
        published = api.post(f"{URL}/{sid}/publish", headers=auth(pr))
    # The statement is public (feed, page); only the call to the private address is refused.
    assert published.status_code == 200 and published.json()["status"] == "published"
    delivery = _delivery(strict_rt)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "refused: 127.0.0.1 is a loopback address" in (delivery.last_error or "")
    assert [r for r in _failures(strict_rt) if "loopback address" in r]
    sender = sender_from(settings, outbound=policy_from(strict_rt.settings))
    assert sender is not None
    due = delivery.next_attempt_at
    assert deliver_pending(strict_rt.sessions, sender, settings, now=due) == {"dead": 1}
    sender.close()
    assert official.hits == 0 and official.events == {}


def test_a_302_from_the_receiver_is_a_failed_delivery_and_its_target_gets_nothing(
    rt: Runtime, official: WebhookReceiver, elsewhere: WebhookReceiver
) -> None:
    settings = StatementSettings(webhook_url=official.url, webhook_secret=OFFICIAL_SECRET)
    official.redirect_next = [elsewhere.url]  # allowed host, so only "never follow" stops it
    with _api(rt, settings) as api:
        sid, pr = _approved(rt, api)
        assert api.post(f"{URL}/{sid}/publish", headers=auth(pr)).status_code == 200
    delivery = _delivery(rt)
    assert delivery.status == DeliveryStatus.DEAD and delivery.delivered_at is None
    assert delivery.last_error == "receiver answered 302 (redirects are not followed)"
    assert official.hits == 1 and official.events == {}
    assert elsewhere.hits == 0
    with rt.sessions() as session:
        delivered = select(AuditEvent).where(AuditEvent.action == Action.STATEMENT_DELIVERED)
        assert session.scalars(delivered).all() == []


def test_the_llm_drafter_refuses_a_private_address_and_calls_nothing(
    strict_rt: Runtime, llm: FakeChatServer
) -> None:
    settings = StatementSettings(llm_url=llm.url, llm_model="small-model")
    claim = false_claim(strict_rt)
    body = {"kind": "counter_statement", "claim_id": claim.id, "generator": "llm"}
    with _api(strict_rt, settings) as api:
        resp = api.post(URL, json=body, headers=auth(new_user_token(strict_rt, "pr")))
    assert resp.status_code == 502, resp.text
    assert resp.json()["error"]["code"] == "generator_unavailable"
    assert "127.0.0.1 is a loopback address" in resp.json()["error"]["message"]
    assert llm.requests == []


def test_the_llm_drafter_does_not_follow_a_redirect(
    rt: Runtime, llm: FakeChatServer, official: WebhookReceiver
) -> None:
    official.redirect_next = [llm.url + "/chat/completions"]
    llm.answer = json.dumps({"title": "t", "body": "b"})
    settings = StatementSettings(llm_url=official.url)
    claim = false_claim(rt)
    body = {"kind": "counter_statement", "claim_id": claim.id, "generator": "llm"}
    with _api(rt, settings) as api:
        resp = api.post(URL, json=body, headers=auth(new_user_token(rt, "pr")))
    assert resp.status_code == 502 and "302" in resp.json()["error"]["message"]
    assert official.hits == 1 and llm.requests == []


@pytest.mark.parametrize("setting", ["webhook_url", "llm_url"])
@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://platform.example/hook", "http:// or https://"),
        ("https://user:pw@platform.example/hook", "user name or password"),
        ("http://2130706433/hook", "non-standard form"),
    ],
)
def test_a_url_setting_of_the_wrong_form_is_refused_when_settings_load(
    setting: str, url: str, why: str
) -> None:
    with pytest.raises(ValidationError, match=f"STATEMENTS__{setting.upper()}: .*{why}"):
        StatementSettings(**{setting: url, "webhook_secret": OFFICIAL_SECRET})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("setting", "url"),
    [("webhook_url", "http://10.1.2.3/hook"), ("llm_url", "http://[::1]:8080/v1")],
)
def test_startup_names_a_url_setting_that_points_at_a_private_address(
    setting: str, url: str
) -> None:
    settings = StatementSettings(**{setting: url, "webhook_secret": OFFICIAL_SECRET})  # type: ignore[arg-type]
    with pytest.raises(OutboundRefused, match=f"STATEMENTS__{setting.upper()} is refused: "):
        check_outbound(settings, OutboundPolicy())
    check_outbound(settings, OutboundPolicy(frozenset({"10.1.2.3", "::1"})))  # allowed: passes


def test_the_deliver_command_names_a_refused_webhook_setting(
    strict_rt: Runtime,
    official: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STATEMENTS__WEBHOOK_URL", official.url)
    monkeypatch.setenv("STATEMENTS__WEBHOOK_SECRET", OFFICIAL_SECRET)
    get_statement_settings.cache_clear()
    try:
        assert statements_deliver(strict_rt, argparse.Namespace()) == 2
    finally:
        get_statement_settings.cache_clear()
    out = capsys.readouterr().out
    assert "STATEMENTS__WEBHOOK_URL is refused: 127.0.0.1 is a loopback address" in out
    assert official.hits == 0
