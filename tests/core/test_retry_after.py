"""A remote answering 429 with Retry-After: the next attempt is scheduled as it asked, with the
broker's countdown bounded below the visibility timeout (enforcement and webhooks)."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from sqlalchemy import select, update

from core.clock import utcnow
from core.db import transaction
from core.outbound import policy_from
from core.retry import COUNTDOWN_BOUND_SECONDS
from pipeline.decisions import decide
from pipeline.enforcement import execute_action
from pipeline.models import ActionStatus, EnforcementAction
from pipeline.platform_client import HttpPlatformClient
from pipeline.queue import claim_next
from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode
from runtime.container import Runtime
from tests.core.remote import Remote
from tests.pipeline.factories import make_case, reviewer
from webhooks import service
from webhooks.models import WebhookDelivery, WebhookSubscription


def _pending_action(rt: Runtime) -> str:
    make_case(rt.sessions)
    ann = reviewer("ann")
    with transaction(rt.sessions) as s:
        case = claim_next(s, ann)
        assert case is not None
        note = DecisionIn(
            reason_code=ReasonCode.FALSE_CLAIM, action=DecisionAction.REMOVE, note="x"
        )
        decision_id = decide(s, case.id, ann, note).id
    with rt.sessions() as s:
        return str(
            s.scalars(
                select(EnforcementAction.id).where(EnforcementAction.decision_id == decision_id)
            ).one()
        )


def _due_in(due: datetime | None) -> float:
    assert due is not None
    return (due - utcnow()).total_seconds()


def _make_overdue(
    rt: Runtime, model: type[EnforcementAction] | type[WebhookDelivery], id_: str
) -> None:
    """Time passes: the row's wait is over."""
    overdue = utcnow() - timedelta(seconds=1)
    with transaction(rt.sessions) as s:
        s.execute(update(model).where(model.id == id_).values(next_attempt_at=overdue))


def test_a_platform_429_schedules_the_next_takedown_per_retry_after_in_bounded_hops(
    rt: Runtime, remote: Remote
) -> None:
    action_id = _pending_action(rt)
    client = HttpPlatformClient(remote.url, outbound=policy_from(rt.settings), timeout=5)
    remote.answers = [(429, "600")]
    first = execute_action(rt.sessions, action_id, client, max_attempts=5)
    assert first.status == "retry" and first.retry_in == COUNTDOWN_BOUND_SECONDS  # 600 capped
    with rt.sessions() as s:
        row = s.get(EnforcementAction, action_id)
        assert row is not None and row.attempts == 1
        assert 595 <= _due_in(row.next_attempt_at) <= 600  # the platform's wait, in the database
    woken = execute_action(rt.sessions, action_id, client, max_attempts=5)  # the countdown ran out
    assert woken.status == "retry" and woken.detail == "not due yet"
    assert 0 < woken.retry_in <= COUNTDOWN_BOUND_SECONDS
    assert remote.hits == 1  # the early wake-up did not call the platform, nor count an attempt

    _make_overdue(rt, EnforcementAction, action_id)
    in_40s = format_datetime(utcnow() + timedelta(seconds=40), usegmt=True)
    remote.answers = [(429, in_40s)]  # the HTTP-date form
    second = execute_action(rt.sessions, action_id, client, max_attempts=5)
    assert second.status == "retry" and 38 <= second.retry_in <= 40
    _make_overdue(rt, EnforcementAction, action_id)
    assert execute_action(rt.sessions, action_id, client, max_attempts=5).status == "confirmed"
    with rt.sessions() as s:
        row = s.get(EnforcementAction, action_id)
        assert row is not None and row.status == ActionStatus.CONFIRMED and row.attempts == 3
    assert remote.hits == 3
    client.close()


def _pending_delivery(rt: Runtime, url: str) -> str:
    with transaction(rt.sessions) as s:
        sub = WebhookSubscription(
            url=url, secret="whsec_test", events=["post.restored"], created_by="test"
        )
        s.add(sub)
        s.flush()
        delivery = WebhookDelivery(
            subscription_id=sub.id, event_id="e" * 32, event="post.restored", payload={}
        )
        s.add(delivery)
        s.flush()
        return delivery.id


def test_a_receiver_429_schedules_the_next_webhook_delivery_per_retry_after(
    rt: Runtime, remote: Remote
) -> None:
    delivery_id = _pending_delivery(rt, remote.url)
    remote.answers = [(429, "30"), (503, "7200")]
    with httpx.Client(timeout=5) as http:
        first = service.deliver(rt.sessions, delivery_id, http)
        assert first.status == "retry" and first.retry_in == pytest.approx(30, abs=0.01)
        with rt.sessions() as s:
            row = s.get(WebhookDelivery, delivery_id)
            assert row is not None and 28 <= _due_in(row.next_attempt_at) <= 30
        assert service.deliver(rt.sessions, delivery_id, http).status == "retry"  # early: a hop
        assert remote.hits == 1
        _make_overdue(rt, WebhookDelivery, delivery_id)
        second = service.deliver(rt.sessions, delivery_id, http)
        assert second.status == "retry" and second.retry_in == COUNTDOWN_BOUND_SECONDS
        with rt.sessions() as s:
            row = s.get(WebhookDelivery, delivery_id)
            assert row is not None and 3595 <= _due_in(row.next_attempt_at) <= 3600  # capped
        _make_overdue(rt, WebhookDelivery, delivery_id)
        assert service.deliver(rt.sessions, delivery_id, http).status == "delivered"
    assert remote.hits == 3
