"""A receiver answering 429/503 with Retry-After: a statement delivery's next attempt waits
for it (the sweep takes only due rows), is made once due, and is dead-lettered when the
attempts are spent; an attempt in flight holds the delivery, and a late answer of an overtaken
attempt changes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any, cast

import pytest
from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent
from core.clock import utcnow
from core.db import transaction
from core.outbound import policy_from
from runtime.container import Runtime
from statements.config import StatementSettings
from statements.delivery import (
    BACKOFF_BASE_SECONDS,
    DeliveryOutcome,
    PermanentDeliveryError,
    TransientDeliveryError,
    WebhookSender,
    deliver,
    deliver_pending,
)
from statements.models import DeliveryStatus, StatementDelivery
from statements.repository import dead_delivery_count
from tests.conftest import due_at, stored
from tests.core.remote import Remote
from tests.statements.helpers import OFFICIAL_SECRET, stored_statement


@pytest.fixture
def sender(remote: Remote, any_rt: Runtime) -> Iterator[WebhookSender]:
    sender = WebhookSender(remote.url, OFFICIAL_SECRET, outbound=policy_from(any_rt.settings))
    yield sender
    sender.close()


@pytest.fixture
def settings(remote: Remote) -> StatementSettings:
    return StatementSettings(
        webhook_url=remote.url, webhook_secret=OFFICIAL_SECRET, max_delivery_attempts=3
    )


@dataclass
class Pending:
    """A statement's pending delivery (version 1) to the official channel, and the sweep."""

    rt: Runtime
    sender: WebhookSender
    settings: StatementSettings
    id: str

    def sweep(self, now: datetime | None = None) -> dict[str, int]:
        return deliver_pending(self.rt.sessions, self.sender, self.settings, now=now)

    def deliver(self) -> DeliveryOutcome:
        """The delivery called directly, as a publish of the statement does."""
        return deliver(self.rt.sessions, self.id, self.sender, self.settings)

    def row(self) -> StatementDelivery:
        return stored(self.rt, StatementDelivery, self.id)

    def due(self) -> datetime:
        return due_at(self.rt, StatementDelivery, self.id)


@pytest.fixture
def pending(any_rt: Runtime, sender: WebhookSender, settings: StatementSettings) -> Pending:
    with transaction(any_rt.sessions) as s:
        statement = stored_statement(s, "t")
        delivery = StatementDelivery(
            statement_id=statement.id,
            channel="official",
            event="publish",
            version=1,
            idempotency_key=f"stmt-{statement.id}-1",
        )
        s.add(delivery)
        s.flush()
        return Pending(any_rt, sender, settings, delivery.id)


def test_a_429_with_retry_after_holds_the_next_attempt_until_it_is_due(
    pending: Pending, remote: Remote
) -> None:
    remote.answers = [(429, "120")]
    failed_at = utcnow()
    assert pending.sweep() == {"retry": 1}
    row = pending.row()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "receiver answered 429")
    # The receiver's 120 s is more than the first backoff (at most 30 s): it decides the wait.
    assert 119 <= (pending.due() - failed_at).total_seconds() <= 121

    assert pending.sweep() == {}  # the next sweep: not due
    just_before = pending.due() - timedelta(seconds=2)
    assert pending.sweep(just_before) == {}
    # Called directly (a publish of the same statement racing the sweep): no attempt either.
    assert pending.deliver().status == "waiting"
    assert remote.hits == 1 and pending.row().attempts == 1

    assert pending.sweep(pending.due()) == {"delivered": 1}
    row = pending.row()
    assert (row.status, row.attempts) == ("delivered", 2) and row.delivered_at is not None
    assert remote.hits == 2


def test_retry_after_as_an_http_date_and_dead_lettering_after_max_attempts(
    pending: Pending, remote: Remote
) -> None:
    in_5_min = format_datetime(utcnow() + timedelta(seconds=300), usegmt=True)
    remote.answers = [(503, in_5_min), (503, None), (503, None), (503, None)]
    before = utcnow()
    assert pending.sweep() == {"retry": 1}
    assert 297 <= (pending.due() - before).total_seconds() <= 301

    second_at = pending.due()
    assert pending.sweep(second_at) == {"retry": 1}
    # No Retry-After: full jitter under the second ceiling (2 x the base).
    wait = (pending.due() - second_at).total_seconds()
    assert 0 <= wait <= 2 * BACKOFF_BASE_SECONDS

    third_at = pending.due()
    assert pending.sweep(third_at) == {"dead": 1}
    row = pending.row()
    assert (row.status, row.attempts) == (DeliveryStatus.DEAD, 3)
    later = third_at + timedelta(days=1)
    assert pending.sweep(later) == {}
    assert remote.hits == 3  # three attempts, the last answer never asked for
    with pending.rt.sessions() as s:
        logged: list[Any] = [
            cast(Any, e.document["veracity"])["after"]
            for e in s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == Action.STATEMENT_DELIVERY_FAILED)
                .order_by(AuditEvent.seq)
            )
        ]
    assert [after["status"] for after in logged] == ["pending", "pending", "dead"]
    assert logged[0]["retry_after"] is not None and logged[2]["next_attempt_at"] is None


def test_a_permanent_refusal_is_dead_lettered_at_once(pending: Pending, remote: Remote) -> None:
    remote.answers = [(410, "60")]
    with pending.rt.sessions() as s:
        assert dead_delivery_count(s) == 0
    assert pending.sweep() == {"dead": 1}
    row = pending.row()
    assert (row.status, row.attempts, row.next_attempt_at) == ("dead", 1, None)
    with pending.rt.sessions() as s:
        assert dead_delivery_count(s) == 1  # what /metrics reports as given up


class Meanwhile(WebhookSender):
    """The receiver: runs `during` while the request is in flight, then answers or raises."""

    def __init__(self, during: Callable[[], object], error: Exception | None = None) -> None:
        self.during, self.error, self.calls = during, error, 0

    def send(self, event_id: str, body: bytes) -> str:
        self.calls += 1
        self.during()
        if self.error is not None:
            raise self.error
        return f"ref-{self.calls}"


def _failures_logged(rt: Runtime) -> int:
    with rt.sessions() as s:
        query = select(AuditEvent).where(AuditEvent.action == Action.STATEMENT_DELIVERY_FAILED)
        return len(list(s.scalars(query)))


def test_a_delivery_in_flight_is_not_sent_again_by_a_publish_or_the_sweep(
    pending: Pending,
) -> None:
    """Before, a second call or sweep during a slow send posted the statement again."""
    seen: dict[str, object] = {}
    second = Meanwhile(lambda: None)

    def meanwhile() -> None:
        seen["direct"] = deliver(pending.rt.sessions, pending.id, second, pending.settings)
        seen["swept"] = deliver_pending(pending.rt.sessions, second, pending.settings)

    first = Meanwhile(meanwhile)
    assert deliver(pending.rt.sessions, pending.id, first, pending.settings).status == "delivered"
    assert seen == {"direct": DeliveryOutcome("waiting", "not due yet"), "swept": {}}
    assert (first.calls, second.calls) == (1, 0)
    assert (pending.row().status, pending.row().attempts) == (DeliveryStatus.DELIVERED, 1)


@pytest.mark.parametrize(
    "error", [TransientDeliveryError("timed out"), PermanentDeliveryError("409 in progress")]
)
def test_a_late_failure_after_another_attempt_delivered_changes_nothing(
    pending: Pending, error: Exception
) -> None:
    """The lease ran out during a slow send and another attempt delivered; the slow one then
    failed. Before, that failure set the delivered row back to pending (or dead) and logged it."""
    lease_ran_out = pending.row().created_at  # any time before the slow attempt's lease

    def overtaken() -> None:
        with transaction(pending.rt.sessions) as s:
            row = s.get(StatementDelivery, pending.id)
            assert row is not None
            row.next_attempt_at = lease_ran_out
        fast = Meanwhile(lambda: None)
        assert (
            deliver(pending.rt.sessions, pending.id, fast, pending.settings).status == "delivered"
        )

    slow = Meanwhile(overtaken, error=error)
    outcome = deliver(pending.rt.sessions, pending.id, slow, pending.settings)
    assert outcome.status == "skipped"
    row = pending.row()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.DELIVERED, 2, None)
    assert _failures_logged(pending.rt) == 0
