"""Webhook logic: subscribing, turning events into deliveries, sending one, replaying one.

`enqueue_event` is the hook other domains call inside their transaction; deliveries are
rows (an outbox), sent after commit and retried with exponential backoff until they land.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.clock import utcnow
from core.db import get_or_not_found, new_id, transaction
from core.dispatch import enqueue_after_commit
from core.errors import Invalid, NotFound
from core.messages import Msg
from core.outbound import OutboundPolicy, OutboundRefused
from core.retry import RetryPolicy, attempt_lease, countdown, early_by, parse_retry_after
from webhooks import repository
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from webhooks.schemas import MAX_GRACE_SECONDS, EventType, SubscriptionIn
from webhooks.signing import SIGNATURE_HEADER, sign

DELIVER_TASK = "webhooks.deliver"
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 3600.0  # between two attempts; Celery's countdown is bounded far lower
SEND_TIMEOUT_SECONDS = 5.0
# An attempt holds its delivery this long (next_attempt_at), so neither the sweep nor a
# redelivered task posts it again meanwhile: the send's timeout (each phase) and a margin.
ATTEMPT_LEASE_SECONDS = attempt_lease(SEND_TIMEOUT_SECONDS)
# The sweep leaves a delivery alone this long after it fell due: its task is on its way.
SWEEP_GRACE = timedelta(seconds=30)


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def subscribe(
    session: Session,
    body: SubscriptionIn,
    actor: Actor,
    *,
    outbound: OutboundPolicy,
    owner_key_id: str | None = None,
) -> WebhookSubscription:
    outbound.check(body.url)  # refused with its reason: loopback, private, credentials, ...
    sub = WebhookSubscription(
        url=body.url,
        secret=_new_secret(),
        events=sorted({e.value for e in body.events}),
        created_by=actor.name,
        owner_key_id=owner_key_id,
    )
    session.add(sub)
    session.flush()
    record(
        session,
        Action.WEBHOOK_SUBSCRIBED,
        actor,
        Subject(other={"subscription": sub.id}),
        after={"url": sub.url, "events": sub.events, "owner_key_id": owner_key_id},
    )
    return sub


def find_subscription(
    session: Session, subscription_id: str, *, owned_by: str | None, for_update: bool = False
) -> WebhookSubscription:
    """The subscription, or NotFound. With `owned_by` (an API key's id) another key's, or an
    ownerless, subscription is not found either: a 403 would confirm that the id exists."""
    sub = repository.subscription(session, subscription_id, for_update=for_update)
    if sub is None or (owned_by is not None and sub.owner_key_id != owned_by):
        raise NotFound(
            Msg("no webhook subscription '{subscription_id}'", subscription_id=subscription_id)
        )
    return sub


def _active(sub: WebhookSubscription | None, subscription_id: str) -> WebhookSubscription:
    """`sub` while it is active; a missing or unsubscribed one is not found."""
    if sub is None or not sub.active:
        raise NotFound(
            Msg(
                "no active webhook subscription '{subscription_id}'",
                subscription_id=subscription_id,
            )
        )
    return sub


def unsubscribe(
    session: Session, subscription_id: str, actor: Actor, *, owned_by: str | None = None
) -> WebhookSubscription:
    """Stop sending to a subscription (`owned_by`: only if this API key registered it)."""
    sub = find_subscription(session, subscription_id, owned_by=owned_by)
    if sub.active:
        sub.active = False
        record(
            session,
            Action.WEBHOOK_UNSUBSCRIBED,
            actor,
            Subject(other={"subscription": sub.id}),
            before={"url": sub.url, "events": sub.events},
        )
    return sub


MAX_ROTATION_GRACE = timedelta(seconds=MAX_GRACE_SECONDS)


def rotate_secret(
    session: Session,
    subscription_id: str,
    actor: Actor,
    grace: timedelta,
    now: datetime | None = None,
    *,
    owned_by: str | None = None,
) -> WebhookSubscription:
    """A new signing secret; the old one keeps signing (alongside) for `grace`, so receivers
    can switch without dropping deliveries. Zero grace retires it at once (a leaked secret)."""
    if not timedelta(0) <= grace <= MAX_ROTATION_GRACE:
        raise Invalid(Msg("grace must be between 0 and 7 days"), code="bad_grace")
    found = find_subscription(session, subscription_id, owned_by=owned_by, for_update=True)
    sub = _active(found, subscription_id)
    now = now or utcnow()
    sub.previous_secret = sub.secret if grace else None
    sub.previous_secret_expires_at = now + grace if grace else None
    sub.secret = _new_secret()
    record(
        session,
        Action.WEBHOOK_SECRET_ROTATED,
        actor,
        Subject(other={"subscription": sub.id}),
        after={  # never the secrets themselves
            "previous_secret_valid_until": sub.previous_secret_expires_at.isoformat()
            if sub.previous_secret_expires_at
            else None
        },
    )
    return sub


def enqueue_event(session: Session, event_type: EventType | str, payload: dict[str, Any]) -> int:
    """One delivery per active subscriber of `event_type`; sent after the caller commits."""
    event = EventType(event_type).value
    subs = [s for s in repository.active_subscriptions(session) if event in s.events]
    event_id = new_id()
    for sub in subs:
        delivery = WebhookDelivery(
            subscription_id=sub.id,
            event_id=event_id,
            event=event,
            payload=dict(payload),
            next_attempt_at=utcnow(),
        )
        session.add(delivery)
        session.flush()
        enqueue_after_commit(session, DELIVER_TASK, delivery.id)
    return len(subs)


def replay(session: Session, delivery_id: str, actor: Actor) -> WebhookDelivery:
    """Send a delivery again now, whatever its state (e.g. after the platform fixed its end)."""
    missing = Msg("no webhook delivery '{delivery_id}'", delivery_id=delivery_id)
    delivery = get_or_not_found(session, WebhookDelivery, delivery_id, missing)
    subject = Subject(other={"delivery": delivery.id, "event_id": delivery.event_id})
    before = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = utcnow()
    after = {"status": delivery.status}
    record(session, Action.WEBHOOK_REPLAYED, actor, subject, before=before, after=after)
    enqueue_after_commit(session, DELIVER_TASK, delivery.id)
    return delivery


def envelope(delivery: WebhookDelivery) -> bytes:
    body = {
        "id": delivery.event_id,
        "type": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def retry_policy(
    max_attempts: int = MAX_ATTEMPTS, base: float = BACKOFF_BASE_SECONDS
) -> RetryPolicy:
    return RetryPolicy(max_attempts, base, max_backoff_seconds=BACKOFF_CAP_SECONDS)


@dataclass(frozen=True)
class Attempt:
    status: str  # delivered | retry | failed | skipped
    retry_in: float = 0.0  # for "retry": the countdown to the next run (bounded for the broker)


@dataclass(frozen=True)
class _Answer:
    code: int | None  # None: no answer (network error)
    error: str | None
    retry_after: float | None = None


@dataclass(frozen=True)
class _Send:
    url: str
    secrets: list[str]
    body: bytes
    event_id: str


def deliver(
    factory: sessionmaker[Session],
    delivery_id: str,
    client: httpx.Client,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    backoff_base: float = BACKOFF_BASE_SECONDS,
    lease_seconds: float = ATTEMPT_LEASE_SECONDS,
) -> Attempt:
    """Make one attempt. 2xx delivers; 5xx, 408, 429 and network errors retry; other 4xx fail.

    The attempt holds the delivery for `lease_seconds`; its answer settles the delivery only if
    no other attempt has (`_settle`)."""
    with transaction(factory) as session:
        started = _start(session, delivery_id, lease_seconds)
        if isinstance(started, Attempt):
            return started
        out, attempt = started
    answer = _post(client, out, delivery_id)
    with transaction(factory) as session:
        delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
        assert delivery is not None
        return _settle(delivery, attempt, answer, retry_policy(max_attempts, backoff_base))


def _start(session: Session, delivery_id: str, lease_seconds: float) -> Attempt | tuple[_Send, int]:
    """Take the delivery for one attempt (what to post and the attempt's number), or why not."""
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return Attempt("skipped")
    now = utcnow()
    if delivery.attempts and (wait := early_by(delivery.next_attempt_at, now)):
        return Attempt("retry", countdown(wait))  # a long wait in hops, or another in flight
    sub = session.get(WebhookSubscription, delivery.subscription_id)
    if sub is None or not sub.active:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = "subscription removed"
        return Attempt("failed")
    delivery.attempts += 1
    delivery.next_attempt_at = now + timedelta(seconds=lease_seconds)  # the attempt's lease
    out = _Send(sub.url, sub.signing_secrets(now), envelope(delivery), delivery.event_id)
    return out, delivery.attempts


def _post(client: httpx.Client, out: _Send, delivery_id: str) -> _Answer:
    headers = {
        "content-type": "application/json",
        SIGNATURE_HEADER: sign(out.secrets, out.body),
        "Veracity-Event-Id": out.event_id,
        "Veracity-Delivery-Id": delivery_id,
    }
    try:
        response = client.post(out.url, content=out.body, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL, OutboundRefused) as exc:
        return _Answer(None, f"{type(exc).__name__}: {exc}"[:500])
    # The status code only: a receiver's error body is not ours to show to admins.
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    return _Answer(response.status_code, None, retry_after)


def _settle(
    delivery: WebhookDelivery, attempt: int, answer: _Answer, policy: RetryPolicy
) -> Attempt:
    """Settle attempt number `attempt`. A 2xx delivers unless another attempt did; a failure
    counts only while the delivery is pending and no later attempt started."""
    delivered = answer.code is not None and 200 <= answer.code < 300
    if delivery.status == DeliveryStatus.DELIVERED or (
        not delivered
        and (delivery.status != DeliveryStatus.PENDING or delivery.attempts != attempt)
    ):
        return Attempt("skipped")  # a late answer of an overtaken attempt changes nothing
    code = delivery.response_code = answer.code
    delivery.last_error = answer.error
    if code is not None and 200 <= code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = utcnow()
        return Attempt("delivered")
    transient = code is None or code >= 500 or code in (408, 429)
    if policy.gives_up(delivery.attempts, transient=transient):
        delivery.status = DeliveryStatus.FAILED
        return Attempt("failed")
    delay = policy.delay(delivery.attempts, answer.retry_after)
    delivery.next_attempt_at = utcnow() + timedelta(seconds=delay)
    return Attempt("retry", countdown(delay))


def due(session: Session, now: datetime | None = None, limit: int = 500) -> list[str]:
    """Pending deliveries whose time came over `SWEEP_GRACE` ago (the sweeper's backstop for
    lost timers); one in flight is due only when its attempt's lease ran out."""
    return repository.due_delivery_ids(session, (now or utcnow()) - SWEEP_GRACE, limit)


PING_EVENT = "ping"


def queue_ping(session: Session, subscription_id: str, actor: Actor) -> WebhookDelivery:
    """A signed `ping` to one subscription, logged; the caller sends it after committing."""
    sub = _active(session.get(WebhookSubscription, subscription_id), subscription_id)
    delivery = WebhookDelivery(
        subscription_id=sub.id,
        event_id=new_id(),
        event=PING_EVENT,
        payload={"subscription_id": sub.id, "message": "test send from veracity"},
        next_attempt_at=utcnow(),
    )
    session.add(delivery)
    session.flush()
    record(
        session,
        Action.WEBHOOK_TESTED,
        actor,
        Subject(other={"subscription": sub.id, "delivery": delivery.id}),
    )
    return delivery


def settle_ping(session: Session, delivery_id: str) -> WebhookDelivery | None:
    """A ping is tried once: not delivered, it fails at once rather than retrying for days."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is not None and delivery.status == DeliveryStatus.PENDING:
        delivery.status = DeliveryStatus.FAILED
    return delivery
