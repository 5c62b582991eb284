"""Sending queued statement deliveries to the official-account webhook: signed, idempotent,
retried when the failure is transient, dead-lettered when retries are spent.

Signature header as the API's webhooks: `Veracity-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
"<t>.<raw body>">`; `Veracity-Event-Id` carries the idempotency key for deduplication.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from audit.events import Action, Actor, Subject
from audit.service import record
from core.clock import utcnow
from core.db import transaction
from core.retry import RetryPolicy
from statements.config import StatementSettings
from statements.feeds import statement_url
from statements.models import DeliveryStatus, Statement, StatementDelivery, StatementVersion

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "Veracity-Signature"
EVENT_HEADER = "Veracity-Event-Id"
_PUBLISHER = Actor.system("statement-publisher")


class TransientDeliveryError(Exception):
    """Worth retrying: timeouts, connection errors, 5xx, 429."""


class PermanentDeliveryError(Exception):
    """The receiver refused the request; retrying will not help."""


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class WebhookSender:
    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = url
        self._secret = secret
        self._client = httpx.Client(timeout=timeout, transport=transport)

    def send(self, event_id: str, body: bytes) -> str:
        headers = {
            "content-type": "application/json",
            SIGNATURE_HEADER: sign(self._secret, body),
            EVENT_HEADER: event_id,
            "Idempotency-Key": event_id,
        }
        try:
            resp = self._client.post(self._url, content=body, headers=headers)
        except httpx.TransportError as exc:
            raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if resp.status_code == 429 or resp.status_code >= 500:
            raise TransientDeliveryError(f"receiver answered {resp.status_code}")
        if resp.status_code >= 400:
            raise PermanentDeliveryError(f"receiver refused with {resp.status_code}")
        return resp.headers.get("x-reference") or event_id

    def close(self) -> None:
        self._client.close()


def sender_from(settings: StatementSettings) -> WebhookSender | None:
    if not settings.webhook_url or not settings.webhook_secret:
        return None
    return WebhookSender(
        settings.webhook_url, settings.webhook_secret, timeout=settings.webhook_timeout
    )


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str  # delivered | retry | dead | skipped
    detail: str = ""


def deliver(
    factory: sessionmaker[Session],
    delivery_id: str,
    sender: WebhookSender,
    settings: StatementSettings,
) -> DeliveryOutcome:
    with transaction(factory) as session:
        delivery = session.get(StatementDelivery, delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return DeliveryOutcome("skipped", "missing or already done")
        delivery.attempts += 1
        key, body = delivery.idempotency_key, _payload(session, delivery, settings)
    try:
        reference = sender.send(key, body)
    except (TransientDeliveryError, PermanentDeliveryError) as exc:
        transient = isinstance(exc, TransientDeliveryError)
        return _failed(factory, delivery_id, str(exc), transient, retry_policy(settings))
    with transaction(factory) as session:
        delivery = session.get(StatementDelivery, delivery_id)
        assert delivery is not None
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = utcnow()
        delivery.reference = reference
        record(
            session,
            Action.STATEMENT_DELIVERED,
            _PUBLISHER,
            Subject(statement_id=delivery.statement_id),
            after={"channel": delivery.channel, "event": delivery.event, "reference": reference},
        )
    return DeliveryOutcome("delivered", reference)


def deliver_pending(
    factory: sessionmaker[Session],
    sender: WebhookSender,
    settings: StatementSettings,
    *,
    statement_id: str | None = None,
) -> dict[str, int]:
    """Send what is still pending (right after publishing, and from the retry sweep)."""
    with factory() as session:
        query = select(StatementDelivery.id).where(
            StatementDelivery.status == DeliveryStatus.PENDING
        )
        if statement_id:
            query = query.where(StatementDelivery.statement_id == statement_id)
        ids = list(session.scalars(query.order_by(StatementDelivery.created_at)))
    counts: dict[str, int] = {}
    for delivery_id in ids:
        outcome = deliver(factory, delivery_id, sender, settings)
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts


def _payload(session: Session, delivery: StatementDelivery, settings: StatementSettings) -> bytes:
    statement = session.get(Statement, delivery.statement_id)
    assert statement is not None
    version = session.scalars(
        select(StatementVersion).where(
            StatementVersion.statement_id == statement.id,
            StatementVersion.number == delivery.version,
        )
    ).one()
    doc: dict[str, object] = {
        "event": f"statement.{delivery.event}",
        "statement_id": statement.id,
        "version": delivery.version,
        "kind": statement.kind,
        "channel": statement.channel,
        "url": statement_url(settings, statement.id),
    }
    if delivery.event == "publish":
        doc.update(title=version.title, body=version.body, sources=list(version.sources))
    else:
        doc.update(reason=statement.withdrawn_reason)
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def retry_policy(settings: StatementSettings) -> RetryPolicy:
    """Only the dead-letter decision: pending deliveries are retried by the periodic sweep."""
    return RetryPolicy(max_attempts=settings.max_delivery_attempts)


def _failed(
    factory: sessionmaker[Session],
    delivery_id: str,
    error: str,
    transient: bool,
    policy: RetryPolicy,
) -> DeliveryOutcome:
    with transaction(factory) as session:
        delivery = session.get(StatementDelivery, delivery_id)
        assert delivery is not None
        delivery.last_error = error
        dead = policy.gives_up(delivery.attempts, transient=transient)
        if dead:
            delivery.status = DeliveryStatus.DEAD
        record(
            session,
            Action.STATEMENT_DELIVERY_FAILED,
            _PUBLISHER,
            Subject(statement_id=delivery.statement_id),
            reason=error,
            after={"attempts": delivery.attempts, "status": delivery.status},
        )
    log.warning("statement delivery %s failed: %s (dead=%s)", delivery_id, error, dead)
    return DeliveryOutcome("dead" if dead else "retry", error)
