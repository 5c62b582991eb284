"""Telling response groups: a notification outbox written with the change (`notices`),
delivered after commit by its channel (`channels`): an HMAC-signed JSON POST (header
`X-Veracity-Signature: sha256=<hex>`), a Slack-compatible incoming webhook, or e-mail.

A failed notification is due again after core/retry's backoff (full jitter), and no sooner
than the group's `Retry-After`; the time is stored as `next_attempt_at` and each incident
round sends only due rows. Every failure counts as transient (a group's 4xx is usually its
endpoint being set up); after `max_attempts` the row is left unsent: dead-lettered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from audit.events import Action, Subject
from audit.service import record
from core.clock import utcnow
from core.db import transaction
from core.retry import RetryPolicy, early_by
from incidents.channels import EMAIL, Mailer, send
from incidents.models import Notification, ResponseGroup
from incidents.repository.incidents import incident_by_id
from incidents.repository.response import due_notification_ids, lock_notification
from incidents.system_notes import SYSTEM

log = logging.getLogger(__name__)
# A round runs every few seconds in the embedded setup, so retrying at each round spent the
# five attempts in about 25 s; full jitter over 30, 60, 120, 240 s spreads them over minutes.
RETRY_POLICY = RetryPolicy(max_attempts=5, base_seconds=30.0, max_backoff_seconds=900.0)


def deliver_pending(
    sessions: sessionmaker[Session],
    client: httpx.Client,
    now: datetime | None = None,
    *,
    mailer: Mailer | None = None,
    incident_id: str | None = None,
) -> int:
    """Send the unsent notifications that are due (each success logged); returns how many.

    With `incident_id`, only that incident's (a drill sends its own and nobody else's).
    """
    with sessions() as session:
        ids = due_notification_ids(session, now or utcnow(), RETRY_POLICY.max_attempts, incident_id)
    delivery = _Delivery(sessions, client, now, mailer)
    return sum(_deliver_isolated(delivery, nid) for nid in ids)


@dataclass(frozen=True)
class _Delivery:
    """What every notification of one `deliver_pending` round is sent with."""

    sessions: sessionmaker[Session]
    client: httpx.Client
    now: datetime | None
    mailer: Mailer | None


def _deliver_isolated(delivery: _Delivery, nid: str) -> bool:
    """One group's failure, whatever it is, must not stop the others' notifications."""
    try:
        return _deliver_one(delivery, nid)
    except Exception:
        log.exception("notification %s could not be delivered", nid)
        _count_failed_attempt(delivery.sessions, nid)
        return False


def _count_failed_attempt(sessions: sessionmaker[Session], nid: str) -> None:
    """An unexpected failure still uses up an attempt, so it cannot block a round forever."""
    try:
        with transaction(sessions) as session:
            note = lock_notification(session, nid)
            if note is not None and note.sent_at is None:
                note.attempts += 1
                _retry_later(note, "unexpected error (see the log)", None, utcnow())
    except Exception:
        log.exception("could not record the failed attempt of notification %s", nid)


def _deliver_one(delivery: _Delivery, nid: str) -> bool:
    now = delivery.now
    with transaction(delivery.sessions) as session:
        note = lock_notification(session, nid)
        if note is None or note.sent_at is not None or not _due(note, now or utcnow()):
            return False  # sent, spent, or failed by an overlapping round a moment ago
        group = session.get(ResponseGroup, note.group_id) if note.group_id else None
        if group is None and note.channel != EMAIL:
            return False
        note.attempts += 1
        role = group.role if group else "owner"
        outcome = send(
            delivery.client,
            delivery.mailer,
            note.channel,
            group.url if group else "",
            group.secret if group else "",
            note.recipients or [],
            note.payload,
        )
        if not outcome.ok:  # for HTTP the status only; the receiver's body is not kept
            error = outcome.error or "failed"
            _retry_later(note, error, outcome.retry_after, now or utcnow())
            log.warning("notification %s to %s (%s) failed: %s", nid, role, note.channel, error)
            return False
        note.sent_at = now or utcnow()
        incident = incident_by_id(session, note.incident_id)
        record(
            session,
            Action.INCIDENT_NOTIFIED,
            SYSTEM,
            Subject(incident_id=note.incident_id),
            after={"role": role, "channel": note.channel, "event": note.payload.get("event")},
            is_drill=bool(incident and incident.is_drill),
            at=note.sent_at,
        )
        return True


def _due(note: Notification, now: datetime) -> bool:
    if note.attempts >= RETRY_POLICY.max_attempts:
        return False
    return not early_by(note.next_attempt_at, now)


def _retry_later(note: Notification, error: str, retry_after: float | None, now: datetime) -> None:
    """Record the failure and when the next try is due (counted from the answer, `now`); none
    once the attempts are spent."""
    note.last_error = error
    if RETRY_POLICY.gives_up(note.attempts):
        log.error("notification %s dead-lettered after %d attempts", note.id, note.attempts)
        return
    delay = RETRY_POLICY.delay(note.attempts, retry_after)
    note.next_attempt_at = now + timedelta(seconds=delay)
