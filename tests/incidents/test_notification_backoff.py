"""A response group answering 429/503 with Retry-After: the notification's next attempt waits
for it (a round sends only due rows), is made once due, and is dead-lettered after the fifth
attempt; rounds every 5 s (the embedded cadence) no longer spend the attempts in 25 s.
On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest
from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent
from core.clock import utcnow
from incidents.models import Notification
from incidents.notify import RETRY_POLICY, deliver_pending
from runtime.container import Runtime
from tests.conftest import due_at, stored
from tests.core.remote import Remote
from tests.incidents.conftest import add_groups, open_incident


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def _one_notification(rt: Runtime, url: str) -> str:
    add_groups(rt, pr=url)
    open_incident(rt, wave=12)
    with rt.sessions() as s:
        return s.scalars(select(Notification.id)).one()


def test_a_429_with_retry_after_holds_the_next_notification_until_it_is_due(
    any_rt: Runtime, remote: Remote, http: httpx.Client
) -> None:
    rt = any_rt
    nid = _one_notification(rt, remote.url)
    remote.answers = [(429, "120")]
    failed_at = utcnow()
    assert deliver_pending(rt.sessions, http) == 0
    row = stored(rt, Notification, nid)
    assert (row.attempts, row.last_error, row.sent_at) == (1, "HTTP 429", None)
    # The group's 120 s is more than the first backoff (at most 30 s): it decides the wait.
    assert 119 <= (due_at(rt, Notification, nid) - failed_at).total_seconds() <= 121

    assert deliver_pending(rt.sessions, http) == 0  # the next round, moments later: not due
    assert (
        deliver_pending(rt.sessions, http, now=due_at(rt, Notification, nid) - timedelta(seconds=2))
        == 0
    )
    assert remote.hits == 1 and stored(rt, Notification, nid).attempts == 1

    assert deliver_pending(rt.sessions, http, now=due_at(rt, Notification, nid)) == 1
    row = stored(rt, Notification, nid)
    assert row.attempts == 2 and row.sent_at is not None and remote.hits == 2
    with rt.sessions() as s:
        notified = s.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.INCIDENT_NOTIFIED)
        ).all()
    assert len(notified) == 1


def test_retry_after_as_an_http_date_and_dead_lettering_after_five_attempts(
    any_rt: Runtime, remote: Remote, http: httpx.Client
) -> None:
    rt = any_rt
    nid = _one_notification(rt, remote.url)
    in_5_min = format_datetime(utcnow() + timedelta(seconds=300), usegmt=True)
    remote.answers = [(503, in_5_min)] + [(503, None)] * 5
    before = utcnow()
    assert deliver_pending(rt.sessions, http) == 0
    assert 297 <= (due_at(rt, Notification, nid) - before).total_seconds() <= 301

    for attempt in range(2, RETRY_POLICY.max_attempts + 1):
        at = due_at(rt, Notification, nid)
        assert deliver_pending(rt.sessions, http, now=at) == 0
        assert stored(rt, Notification, nid).attempts == attempt and remote.hits == attempt
        if attempt < RETRY_POLICY.max_attempts:  # no Retry-After: full jitter under the ceiling
            ceiling = RETRY_POLICY.base_seconds * 2 ** (attempt - 1)
            assert 0 <= (due_at(rt, Notification, nid) - at).total_seconds() <= ceiling

    row = stored(rt, Notification, nid)
    assert (row.attempts, row.sent_at, row.last_error) == (5, None, "HTTP 503")
    assert deliver_pending(rt.sessions, http, now=utcnow() + timedelta(days=1)) == 0
    assert remote.hits == 5  # dead-lettered: never tried again


def test_rounds_every_five_seconds_no_longer_spend_the_attempts_in_25_seconds(
    any_rt: Runtime, remote: Remote, http: httpx.Client
) -> None:
    rt = any_rt
    nid = _one_notification(rt, remote.url)
    remote.answers = [(503, None)] * 10
    random.seed(1413)  # the jitter; any seed gives this with probability ~1 - 1e-5
    start = utcnow()
    for k in range(6):  # the embedded housekeeper's cadence, over 25 s
        deliver_pending(rt.sessions, http, now=start + timedelta(seconds=5 * k))
    row = stored(rt, Notification, nid)
    assert 1 <= row.attempts < RETRY_POLICY.max_attempts and row.sent_at is None
    assert remote.hits == row.attempts
