"""One webhook delivery, two attempts: the sweep leaves a delivery just queued or in flight
alone, a redelivered task waits out the attempt's lease, and a late answer of an overtaken
attempt does not undo the one that settled it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import update

from core.clock import utcnow
from core.db import transaction
from runtime.container import Runtime
from tests.conftest import stored
from tests.pipeline.factories import lease_runs_out
from webhooks import service
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from webhooks.schemas import EventType

LEASE = 30.0


def _queued(rt: Runtime) -> str:
    with transaction(rt.sessions) as session:
        session.add(
            WebhookSubscription(
                url="https://hooks.example/in",
                secret="s",
                events=[EventType.DECISION_MADE.value],
                created_by="admin",
            )
        )
        session.flush()
        assert service.enqueue_event(session, EventType.DECISION_MADE, {"case": "c1"}) == 1
        (delivery_id,) = service.due(session, utcnow() + timedelta(hours=1))
        return delivery_id


def _receiver(
    code: int, during: Callable[[], object] | None = None
) -> tuple[httpx.Client, list[str]]:
    """A client whose receiver answers `code`, running `during` while the post is in flight;
    and the delivery ids it was posted."""
    posted: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        posted.append(request.headers["Veracity-Delivery-Id"])
        if during is not None:
            during()
        return httpx.Response(code)

    return httpx.Client(transport=httpx.MockTransport(answer)), posted


def _send(rt: Runtime, delivery_id: str, client: httpx.Client) -> service.Attempt:
    return service.deliver(rt.sessions, delivery_id, client, lease_seconds=LEASE)


def test_the_sweep_leaves_a_delivery_just_queued_or_in_flight_alone(any_rt: Runtime) -> None:
    delivery_id = _queued(any_rt)
    with any_rt.sessions() as session:
        assert service.due(session) == []  # its task is on its way
    seen: dict[str, object] = {}
    again, posted_again = _receiver(200)

    def meanwhile() -> None:
        with any_rt.sessions() as session:
            seen["swept"] = service.due(session, utcnow() + timedelta(seconds=LEASE / 2))
        seen["redelivered"] = _send(any_rt, delivery_id, again)

    client, posted = _receiver(200, during=meanwhile)
    assert _send(any_rt, delivery_id, client).status == "delivered"

    assert seen["swept"] == []
    redelivered = seen["redelivered"]
    assert isinstance(redelivered, service.Attempt) and redelivered.status == "retry"
    assert (posted, posted_again) == ([delivery_id], [])
    assert stored(any_rt, WebhookDelivery, delivery_id).attempts == 1


def test_a_late_failure_leaves_a_delivered_delivery_delivered(any_rt: Runtime) -> None:
    delivery_id = _queued(any_rt)

    def overtaken() -> None:
        lease_runs_out(any_rt.sessions, WebhookDelivery, delivery_id)
        assert _send(any_rt, delivery_id, _receiver(204)[0]).status == "delivered"

    for late_code in (500, 410):  # transient, permanent
        client, _ = _receiver(late_code, during=overtaken)
        if late_code == 410:
            _reopen(any_rt, delivery_id)
        assert _send(any_rt, delivery_id, client).status == "skipped"
        delivery = stored(any_rt, WebhookDelivery, delivery_id)
        assert (delivery.status, delivery.response_code) == (DeliveryStatus.DELIVERED, 204)
        assert delivery.last_error is None and delivery.delivered_at is not None


def _reopen(rt: Runtime, delivery_id: str) -> None:
    """Pending again, due now (as an admin's replay leaves it)."""
    with transaction(rt.sessions) as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id)
            .values(status=DeliveryStatus.PENDING, next_attempt_at=utcnow())
        )
