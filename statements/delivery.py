"""Sending queued statement deliveries to the official-account webhook: signed, idempotent,
retried when the failure is transient, dead-lettered when retries are spent.

A failed delivery is due again after core/retry's backoff (full jitter), and no sooner than the
receiver's `Retry-After`; the time is stored as `next_attempt_at` and the periodic sweep sends
only due rows, so a receiver answering 429 is not hit again on every sweep.

The webhook URL passes the outbound gate (`core/outbound.py`) on every request: an address that
is private or loopback, and not on the allow-list, is refused before anything is sent, and the
delivery fails with that reason. Redirects are not followed: a 3xx is a failed delivery.

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
from datetime import datetime, timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.clock import utcnow
from core.db import transaction
from core.outbound import OutboundPolicy, RefusedDestination, gated_client
from core.retry import RetryPolicy, attempt_lease, early_by, parse_retry_after
from statements import repository
from statements.config import StatementSettings
from statements.feeds import statement_url
from statements.models import DeliveryStatus, Statement, StatementDelivery

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "Veracity-Signature"
EVENT_HEADER = "Veracity-Event-Id"
_PUBLISHER = Actor.system("statement-publisher")
# The sweep runs every 30 s (beat) or every few seconds (embedded), so the backoff starts at
# the same order: full jitter over 30, 60, 120 ... s spreads 5 attempts over minutes.
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0


class TransientDeliveryError(Exception):
    """Worth retrying: timeouts, connection errors, 5xx, 429."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds the receiver asked us to wait, if it did


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
        outbound: OutboundPolicy,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = url  # checked by the gated transport on every send
        self._secret = secret
        self._client = gated_client(outbound, timeout=timeout, transport=transport)

    def send(self, event_id: str, body: bytes) -> str:
        headers = {
            "content-type": "application/json",
            SIGNATURE_HEADER: sign(self._secret, body),
            EVENT_HEADER: event_id,
            "Idempotency-Key": event_id,
        }
        try:
            resp = self._client.post(self._url, content=body, headers=headers)
        except RefusedDestination as exc:
            # Retried like a network error: a name that does not resolve now may later, and
            # nothing was sent. A private address stays refused; startup names the setting.
            raise TransientDeliveryError(f"webhook URL {exc}") from exc
        except httpx.TransportError as exc:
            raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if resp.status_code == 429 or resp.status_code >= 500:
            retry_after = parse_retry_after(resp.headers.get("retry-after"))
            raise TransientDeliveryError(f"receiver answered {resp.status_code}", retry_after)
        if 300 <= resp.status_code < 400:
            raise PermanentDeliveryError(
                f"receiver answered {resp.status_code} (redirects are not followed)"
            )
        if not resp.is_success:  # 4xx, or a 1xx a receiver should never answer
            raise PermanentDeliveryError(f"receiver refused with {resp.status_code}")
        return resp.headers.get("x-reference") or event_id

    def close(self) -> None:
        self._client.close()


def sender_from(settings: StatementSettings, *, outbound: OutboundPolicy) -> WebhookSender | None:
    if not settings.webhook_url or not settings.webhook_secret:
        return None
    return WebhookSender(
        settings.webhook_url,
        settings.webhook_secret,
        outbound=outbound,
        timeout=settings.webhook_timeout,
    )


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str  # delivered | retry | dead | skipped | waiting (not due yet: no attempt)
    detail: str = ""


def deliver(
    factory: sessionmaker[Session],
    delivery_id: str,
    sender: WebhookSender,
    settings: StatementSettings,
    now: datetime | None = None,
) -> DeliveryOutcome:
    """Make one attempt. It takes the delivery under a row lock and holds it for the send's
    timeout and a margin (`next_attempt_at`), so a publish racing the sweep, or a second sweep,
    waits instead of sending it again; its answer settles the delivery only if no other
    attempt has."""
    with transaction(factory) as session:
        delivery = session.get(StatementDelivery, delivery_id, with_for_update=True)
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return DeliveryOutcome("skipped", "missing or already done")
        started = now or utcnow()
        if early_by(delivery.next_attempt_at, started):  # backing off, or an attempt in flight
            return DeliveryOutcome("waiting", "not due yet")
        delivery.attempts += 1
        attempt = delivery.attempts
        lease = attempt_lease(settings.webhook_timeout)
        delivery.next_attempt_at = started + timedelta(seconds=lease)
        key, body = delivery.idempotency_key, _payload(session, delivery, settings)
    try:
        reference = sender.send(key, body)
    except (TransientDeliveryError, PermanentDeliveryError) as exc:
        return _failed(factory, delivery_id, attempt, exc, retry_policy(settings), now or utcnow())
    with transaction(factory) as session:
        delivery = session.get(StatementDelivery, delivery_id, with_for_update=True)
        assert delivery is not None
        if delivery.status == DeliveryStatus.DELIVERED:  # another attempt got there first
            return DeliveryOutcome("skipped", "already delivered")
        delivery.status = DeliveryStatus.DELIVERED  # a dead letter too: the receiver has it
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
    now: datetime | None = None,
) -> dict[str, int]:
    """Send what is pending and due (right after publishing, and from the retry sweep)."""
    with factory() as session:
        ids = repository.pending_due_delivery_ids(
            session, now or utcnow(), statement_id=statement_id
        )
    counts: dict[str, int] = {}
    for delivery_id in ids:
        outcome = deliver(factory, delivery_id, sender, settings, now)
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts


def _payload(session: Session, delivery: StatementDelivery, settings: StatementSettings) -> bytes:
    statement = session.get(Statement, delivery.statement_id)
    assert statement is not None
    version = repository.version_numbered(session, statement.id, delivery.version)
    assert version is not None
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
    return RetryPolicy(
        max_attempts=settings.max_delivery_attempts,
        base_seconds=BACKOFF_BASE_SECONDS,
        max_backoff_seconds=BACKOFF_CAP_SECONDS,
    )


def _failed(
    factory: sessionmaker[Session],
    delivery_id: str,
    attempt: int,
    exc: TransientDeliveryError | PermanentDeliveryError,
    policy: RetryPolicy,
    now: datetime,
) -> DeliveryOutcome:
    """Count a failed attempt, unless the delivery was settled or a later attempt started
    meanwhile (a late failure then changes nothing and logs nothing)."""
    error, transient = str(exc), isinstance(exc, TransientDeliveryError)
    retry_after = exc.retry_after if isinstance(exc, TransientDeliveryError) else None
    with transaction(factory) as session:
        delivery = session.get(StatementDelivery, delivery_id, with_for_update=True)
        assert delivery is not None
        if delivery.status != DeliveryStatus.PENDING or delivery.attempts != attempt:
            log.info(
                "statement delivery %s: late failure of attempt %d ignored", delivery_id, attempt
            )
            return DeliveryOutcome("skipped", "settled by another attempt")
        delivery.last_error = error
        dead = policy.gives_up(delivery.attempts, transient=transient)
        if dead:
            delivery.status = DeliveryStatus.DEAD
            delivery.next_attempt_at = None  # the attempt's lease: nothing is due any more
        else:
            delay = policy.delay(delivery.attempts, retry_after)
            delivery.next_attempt_at = due = now + timedelta(seconds=delay)
        record(
            session,
            Action.STATEMENT_DELIVERY_FAILED,
            _PUBLISHER,
            Subject(statement_id=delivery.statement_id),
            reason=error,
            after={
                "attempts": delivery.attempts,
                "status": delivery.status,
                "retry_after": retry_after,
                "next_attempt_at": None if dead else due.isoformat(),
            },
        )
    log.warning("statement delivery %s failed: %s (dead=%s)", delivery_id, error, dead)
    return DeliveryOutcome("dead" if dead else "retry", error)
