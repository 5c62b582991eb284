"""Celery entry points: thin wrappers that bind the runtime and call the plain task bodies."""

from __future__ import annotations

from functools import cache

from celery import Task

from audit.tasks import ship_outbox as ship_outbox_body
from core.settings import get_settings
from pipeline import tasks
from pipeline.celery_app import app
from runtime.container import Runtime, build_runtime


@cache
def runtime() -> Runtime:
    from core import dispatch
    from runtime.celery_dispatch import CeleryDispatcher

    rt = build_runtime(get_settings())
    rt.dispatcher = CeleryDispatcher(rt.settings.redis.url or "")
    dispatch.install(rt.sessions, rt.dispatcher)
    return rt


@app.task(name="pipeline.route_post", bind=True, max_retries=5)
def route_post(self: Task, post_id: str) -> str | None:
    return tasks.route_post(runtime(), post_id)


@app.task(name="pipeline.execute_action", bind=True, max_retries=None)
def execute_action(self: Task, action_id: str) -> str:
    outcome = tasks.enforce(runtime(), action_id)
    if outcome.status == "retry":  # retry_in is bounded below the visibility timeout
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@app.task(name="audit.ship_outbox")
def ship_outbox() -> int:
    result = ship_outbox_body(runtime())
    return result.shipped if result else 0


@app.task(name="pipeline.sweep")
def sweep() -> dict[str, int]:
    return tasks.sweep(runtime())


@app.task(name="statements.deliver_pending")
def deliver_statements() -> dict[str, int]:
    from runtime.housekeeping import deliver_statements as body

    return body(runtime())


INCIDENT_SCAN_LOCK_SECONDS = 120


@app.task(name="incidents.scan")
def scan_incidents() -> int:
    """One scanner at a time across workers (a Redis lock), as the scan cursor expects."""
    import redis

    from runtime.housekeeping import incident_round

    rt = runtime()
    client = redis.Redis.from_url(rt.settings.redis.url or "")
    lock = client.lock("veracity:incidents-scan", timeout=INCIDENT_SCAN_LOCK_SECONDS)
    if not lock.acquire(blocking=False):
        return 0
    try:
        incident_round(rt)
    finally:
        lock.release()
    return 1
