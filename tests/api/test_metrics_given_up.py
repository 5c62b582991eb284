"""/metrics counts outbound work whose retries are spent, by kind, so an alert can page before a
removal or a statement is silently missing on the platform."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.db import transaction
from core.dispatch import InProcessDispatcher
from pipeline.platform_receiver import ReceiverState
from runtime.container import Runtime
from tests.conftest import new_user_token, wait_for
from tests.pipeline.factories import make_case
from tests.pipeline.test_review_api import REMOVE, actions, add_library_claim, claim, decide
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

GIVEN_UP = "veracity_outbound_given_up"


def _given_up(client: TestClient) -> dict[str, float]:
    prefix = GIVEN_UP + '{kind="'
    return {
        line[len(prefix) :].split('"')[0]: float(line.split()[-1])
        for line in client.get("/metrics").text.splitlines()
        if line.startswith(prefix)
    }


def test_a_dead_lettered_takedown_and_a_failed_webhook_are_counted_by_kind(
    rt: Runtime,
    pipeline: InProcessDispatcher,
    client: TestClient,
    receiver: tuple[ReceiverState, str],
) -> None:
    assert _given_up(client) == {"takedown": 0, "webhook": 0, "statement": 0}
    receiver[0].fail_next = [500, 503, 500]  # max_attempts is 3 in tests
    add_library_claim(rt)
    case_id = make_case(rt.sessions)
    reviewer = new_user_token(rt, "reviewer")
    claim(client, reviewer)
    decide(client, reviewer, case_id, REMOVE)
    wait_for(lambda: [a.status for a in actions(rt)] == ["dead"], timeout=15)
    with transaction(rt.sessions) as session:
        sub = WebhookSubscription(
            url="https://hooks.example/x", secret="s", events=["x"], created_by="admin"
        )
        session.add(sub)
        session.flush()
        for event_id, status in (("e1", DeliveryStatus.FAILED), ("e2", DeliveryStatus.DELIVERED)):
            session.add(
                WebhookDelivery(
                    subscription_id=sub.id, event_id=event_id, event="x", payload={}, status=status
                )
            )
    assert _given_up(client) == {"takedown": 1, "webhook": 1, "statement": 0}
