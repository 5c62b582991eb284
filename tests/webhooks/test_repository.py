"""webhooks.repository: the delivery log the admin page and the /v1 route share; subscriptions by
owner and activity; the deliveries that are due."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accounts.models import ApiKey
from core.clock import utcnow
from core.db import transaction
from runtime.container import Runtime
from webhooks import repository
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription


def _logged(
    s: Session, *, limit: int = 10, status: str | None = None, event_id: str | None = None
) -> list[str]:
    """The event ids in the delivery log, newest first, as the repository filters it."""
    found = repository.deliveries_newest_first(s, limit=limit, status=status, event_id=event_id)
    return [d.event_id for d in found]


def _sub(
    url: str, *, owner: str | None, active: bool = True, age_days: int = 0
) -> WebhookSubscription:
    sub = WebhookSubscription(
        url=url, secret="s", events=["x"], created_by="admin", owner_key_id=owner, active=active
    )
    sub.created_at = utcnow() - timedelta(days=age_days)
    return sub


def _delivery(
    sub: WebhookSubscription, event_id: str, status: DeliveryStatus, **at: datetime
) -> WebhookDelivery:
    """A delivery of event "x" to `sub`; `at`: its created_at or next_attempt_at."""
    return WebhookDelivery(
        subscription_id=sub.id, event_id=event_id, event="x", payload={}, status=status, **at
    )


def test_the_log_is_newest_first_and_filters_by_status_and_event(rt: Runtime) -> None:
    now = utcnow()
    with transaction(rt.sessions) as session:
        older = _sub("https://a.example/hook", owner=None, age_days=1)
        newer = _sub("https://b.example/hook", owner=None)
        session.add_all([older, newer])
        session.flush()
        for age, event_id, status in [
            (3, "e1", DeliveryStatus.DELIVERED),
            (2, "e2", DeliveryStatus.FAILED),
            (1, "e3", DeliveryStatus.FAILED),
        ]:
            session.add(_delivery(newer, event_id, status, created_at=now - timedelta(minutes=age)))
    with rt.sessions() as s:
        assert [sub.url for sub in repository.subscriptions_newest_first(s)] == [
            "https://b.example/hook",
            "https://a.example/hook",
        ]
        assert _logged(s) == ["e3", "e2", "e1"]
        assert _logged(s, limit=2) == ["e3", "e2"]
        assert _logged(s, status="failed") == ["e3", "e2"]
        assert _logged(s, event_id="e2") == ["e2"]
        assert _logged(s, status="delivered", event_id="e2") == []
        first = repository.deliveries_newest_first(s, limit=1)[0]
        assert repository.delivery(s, first.id) is first
        assert repository.delivery(s, "nope") is None


def test_subscriptions_by_owner_oldest_first_and_the_active_ones(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        session.add_all(
            [ApiKey(id=k, name=k, key_hash=k, prefix=k, scopes=["webhooks"]) for k in ("k1", "k2")]
        )
        session.flush()
        session.add_all(
            [
                _sub("https://k1-new.example", owner="k1"),
                _sub("https://k1-old.example", owner="k1", age_days=2),
                _sub("https://k2.example", owner="k2", active=False, age_days=1),
                _sub("https://none.example", owner=None, age_days=3),
            ]
        )
    with rt.sessions() as s:
        assert [x.url for x in repository.subscriptions_oldest_first(s, owner_key_id="k1")] == [
            "https://k1-old.example",
            "https://k1-new.example",
        ]
        assert [x.url for x in repository.subscriptions_oldest_first(s)] == [
            "https://none.example",
            "https://k1-old.example",
            "https://k2.example",
            "https://k1-new.example",
        ]
        assert repository.subscriptions_oldest_first(s, owner_key_id="k3") == []
        assert sorted(x.url for x in repository.active_subscriptions(s)) == [
            "https://k1-new.example",
            "https://k1-old.example",
            "https://none.example",
        ]
        one = repository.subscriptions_oldest_first(s, owner_key_id="k2")[0]
        assert repository.subscription(s, one.id) is one
        assert repository.subscription(s, "nope") is None


def test_due_deliveries_are_pending_ones_whose_time_came_soonest_first(rt: Runtime) -> None:
    now = utcnow()
    with transaction(rt.sessions) as session:
        sub = _sub("https://a.example", owner=None)
        session.add(sub)
        session.flush()
        for event_id, status, in_minutes in [
            ("late", DeliveryStatus.PENDING, -5),
            ("later", DeliveryStatus.PENDING, -1),
            ("now", DeliveryStatus.PENDING, 0),
            ("future", DeliveryStatus.PENDING, 5),
            ("done", DeliveryStatus.DELIVERED, -10),
            ("failed", DeliveryStatus.FAILED, -10),
        ]:
            due = now + timedelta(minutes=in_minutes)
            session.add(_delivery(sub, event_id, status, next_attempt_at=due))
    with rt.sessions() as s:
        events = {d.id: d.event_id for d in repository.deliveries_newest_first(s, limit=10)}

        def soonest_due(limit: int) -> list[str]:
            return [events[i] for i in repository.due_delivery_ids(s, now, limit)]

        assert soonest_due(10) == ["late", "later", "now"]
        assert soonest_due(2) == ["late", "later"]
