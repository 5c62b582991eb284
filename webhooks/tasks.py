"""Webhook task bodies, and their in-process wiring (timers for backoff, like enforcement)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import cache

import httpx

from core.db import transaction
from core.dispatch import Dispatcher, enqueue_after_commit
from core.outbound import OutboundPolicy, gated_client, policy_from
from runtime.container import Runtime
from webhooks import service

log = logging.getLogger(__name__)
SEND_TIMEOUT_SECONDS = 5.0


@cache
def http_client(policy: OutboundPolicy) -> httpx.Client:
    """Every send passes the outbound gate (checked address, no redirects)."""
    return gated_client(policy, timeout=SEND_TIMEOUT_SECONDS)


def deliver_webhook(
    rt: Runtime, delivery_id: str, client: httpx.Client | None = None
) -> service.Attempt:
    client = client or http_client(policy_from(rt.settings))
    return service.deliver(rt.sessions, delivery_id, client)


def sweep_due(rt: Runtime) -> int:
    """Re-enqueue deliveries whose retry time has passed (timers lost in a restart)."""
    with transaction(rt.sessions) as session:
        ids = service.due(session)
        for delivery_id in ids:
            enqueue_after_commit(session, service.DELIVER_TASK, delivery_id)
    return len(ids)


def inprocess_tasks(
    rt: Runtime, dispatcher: Dispatcher, client: httpx.Client | None = None
) -> dict[str, Callable[..., object]]:
    """Registry entries for the in-process dispatcher; a retry is re-sent on a timer."""

    def run(delivery_id: str) -> object:
        attempt = deliver_webhook(rt, delivery_id, client)
        if attempt.status == "retry":
            timer = threading.Timer(
                attempt.retry_in, dispatcher.send, args=(service.DELIVER_TASK, delivery_id)
            )
            timer.daemon = True
            timer.start()
        return attempt

    return {service.DELIVER_TASK: run}
