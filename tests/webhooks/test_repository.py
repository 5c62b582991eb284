"""webhooks.repository: the delivery log the admin page and the /v1 route share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from core.clock import utcnow
from core.db import transaction
from runtime.container import Runtime
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from webhooks.repository import deliveries_newest_first, delivery, subscriptions_newest_first


def _events(found: Sequence[WebhookDelivery]) -> list[str]:
    return [d.event_id for d in found]


def test_the_log_is_newest_first_and_filters_by_status_and_event(rt: Runtime) -> None:
    now = utcnow()
    with transaction(rt.sessions) as session:
        older = WebhookSubscription(
            url="https://a.example/hook", secret="s", events=["x"], created_by="admin"
        )
        older.created_at = now - timedelta(days=1)
        newer = WebhookSubscription(
            url="https://b.example/hook", secret="s", events=["x"], created_by="admin"
        )
        session.add_all([older, newer])
        session.flush()
        for age, event_id, status in [
            (3, "e1", DeliveryStatus.DELIVERED),
            (2, "e2", DeliveryStatus.FAILED),
            (1, "e3", DeliveryStatus.FAILED),
        ]:
            session.add(
                WebhookDelivery(
                    subscription_id=newer.id,
                    event_id=event_id,
                    event="x",
                    payload={},
                    status=status,
                    created_at=now - timedelta(minutes=age),
                )
            )
    with rt.sessions() as s:
        assert [sub.url for sub in subscriptions_newest_first(s)] == [
            "https://b.example/hook",
            "https://a.example/hook",
        ]
        assert _events(deliveries_newest_first(s, limit=10)) == ["e3", "e2", "e1"]
        assert _events(deliveries_newest_first(s, limit=2)) == ["e3", "e2"]
        assert _events(deliveries_newest_first(s, limit=10, status="failed")) == ["e3", "e2"]
        assert _events(deliveries_newest_first(s, limit=10, event_id="e2")) == ["e2"]
        assert (
            _events(deliveries_newest_first(s, limit=10, status="delivered", event_id="e2")) == []
        )
        first = deliveries_newest_first(s, limit=1)[0]
        assert delivery(s, first.id) is first
        assert delivery(s, "nope") is None
