"""Admin manages webhook subscriptions and replays a failed delivery to a real local receiver."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import transaction
from tests.review_ui.conftest import Stack, csrf_of, signed_in
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from webhooks.receiver import WebhookReceiverState
from webhooks.service import enqueue_event


@pytest.fixture
def stack(module_stack: Stack) -> Stack:
    return module_stack


def test_subscribe_see_a_failed_delivery_replay_it_and_remove(
    stack: Stack, hooks: tuple[WebhookReceiverState, str]
) -> None:
    receiver, url = hooks
    client = signed_in(stack, "admin")
    token = csrf_of(client.get("/ui/admin/webhooks").text)
    added = client.post(
        "/ui/admin/webhooks",
        data={"csrf_token": token, "url": url, "events": ["decision.made"]},
    )
    assert added.status_code == 200
    secret = re.search(r'id="new-webhook-secret">(whsec_[^<]+)<', added.text)
    assert secret, "the signing secret is shown once"
    receiver.secret = secret.group(1)
    assert secret.group(1) not in client.get("/ui/admin/webhooks").text

    receiver.fail_next.append(400)  # a permanent refusal: no automatic retry
    with transaction(stack.rt.sessions) as session:
        enqueue_event(session, "decision.made", {"post_id": "p-1", "action": "remove"})
    stack.dispatcher.drain()
    page = client.get("/ui/admin/webhooks?status=failed")
    assert "decision.made" in page.text and "400" in page.text
    with stack.rt.sessions() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
        assert delivery.status == DeliveryStatus.FAILED
        delivery_id = delivery.id

    replayed = client.post(
        f"/ui/admin/webhooks/deliveries/{delivery_id}/replay",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert replayed.headers["location"] == "/ui/admin/webhooks?notice=replayed"
    stack.dispatcher.drain()
    assert receiver.wait_for(2)
    with stack.rt.sessions() as session:
        assert session.get(WebhookDelivery, delivery_id).status == DeliveryStatus.DELIVERED  # type: ignore[union-attr]
        sub_id = session.scalars(select(WebhookSubscription.id)).one()
        logged = set(session.scalars(select(AuditEvent.action)))
    assert {"webhook.subscribed", "webhook.replayed"} <= logged
    assert len(receiver.events) == 1

    removed = client.post(
        f"/ui/admin/webhooks/{sub_id}/remove", data={"csrf_token": token}, follow_redirects=False
    )
    assert removed.headers["location"] == "/ui/admin/webhooks?notice=removed"
    with stack.rt.sessions() as session:
        assert session.get(WebhookSubscription, sub_id).active is False  # type: ignore[union-attr]
    missing = client.post("/ui/admin/webhooks/nope/remove", data={"csrf_token": token})
    assert missing.status_code == 404


def test_a_subscription_without_events_or_with_a_bad_url_is_refused(stack: Stack) -> None:
    client = signed_in(stack, "admin")
    token = csrf_of(client.get("/ui/admin/webhooks").text)
    no_events = client.post(
        "/ui/admin/webhooks", data={"csrf_token": token, "url": "https://platform.example/h"}
    )
    assert no_events.status_code == 422 and "Choose at least one event" in no_events.text
    bad_url = client.post(
        "/ui/admin/webhooks",
        data={"csrf_token": token, "url": "ftp://x y", "events": ["post.restored"]},
    )
    assert bad_url.status_code == 422 and "must start with http" in bad_url.text
    with stack.rt.sessions() as session:
        urls = set(session.scalars(select(WebhookSubscription.url)))
    assert not urls & {"https://platform.example/h", "ftp://x y"}
