"""Webhook task bodies: deliver one (retried with backoff), re-send the due ones."""

from __future__ import annotations

import logging
from functools import cache

import httpx

from core.db import transaction
from core.dispatch import enqueue_after_commit
from core.outbound import OutboundPolicy, gated_client, policy_from
from core.process import Process
from core.tasks import RetryLater, task
from webhooks import service

log = logging.getLogger(__name__)


@cache
def http_client(policy: OutboundPolicy) -> httpx.Client:
    """Every send passes the outbound gate (checked address, no redirects)."""
    return gated_client(policy, timeout=service.SEND_TIMEOUT_SECONDS)


def deliver_webhook(
    rt: Process, delivery_id: str, client: httpx.Client | None = None
) -> service.Attempt:
    client = client or http_client(policy_from(rt.settings))
    return service.deliver(rt.sessions, delivery_id, client)


@task("webhooks.sweep_due", every=30.0)
def sweep_due(rt: Process) -> int:
    """Re-enqueue deliveries whose retry time has passed (timers lost in a restart)."""
    with transaction(rt.sessions) as session:
        ids = service.due(session)
        for delivery_id in ids:
            enqueue_after_commit(session, service.DELIVER_TASK, delivery_id)
    return len(ids)


@task(service.DELIVER_TASK)
def deliver(rt: Process, delivery_id: str) -> str:
    attempt = deliver_webhook(rt, delivery_id)
    if attempt.status == "retry":
        raise RetryLater(attempt.retry_in)
    return attempt.status
