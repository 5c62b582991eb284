"""The Celery worker and beat: every task a domain declared (`core.tasks`), bound to this
process's runtime, and the beat schedule from the periodic ones.

`veracity worker` and `veracity beat` run `celery -A runtime.worker:app`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from celery import Celery, Task

from core import dispatch
from core.settings import get_settings
from core.tasks import RetryLater, TaskSpec, periodic, registered
from pipeline.celery_app import make_celery
from runtime.celery_dispatch import CeleryDispatcher
from runtime.container import Runtime, build_runtime

EXCLUSIVE_LOCK_SECONDS = 120  # an exclusive run that died frees its lock after this


@cache
def worker_runtime() -> Runtime:
    rt = build_runtime(get_settings())
    rt.dispatcher = CeleryDispatcher(rt.settings.redis.url or "")
    dispatch.install(rt.sessions, rt.dispatcher)
    return rt


def _run_exclusive(spec: TaskSpec, *args: str) -> object:
    """At most one run across workers (a Redis lock); a run that finds it taken does nothing."""
    import redis

    client = redis.Redis.from_url(worker_runtime().settings.redis.url or "")
    lock = client.lock(f"veracity:{spec.name}", timeout=EXCLUSIVE_LOCK_SECONDS)
    if not lock.acquire(blocking=False):
        return None
    try:
        return spec.body(worker_runtime(), *args)
    finally:
        lock.release()


def bind(app: Celery, spec: TaskSpec) -> None:
    def run(self: Task, *args: str) -> object:
        try:
            if spec.exclusive:
                return _run_exclusive(spec, *args)
            return spec.body(worker_runtime(), *args)
        except RetryLater as later:  # countdowns are bounded below the visibility timeout
            raise self.retry(countdown=later.countdown) from None

    app.task(name=spec.name, bind=True, max_retries=None)(run)


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Sent by exactly one `veracity beat` (or one `worker --beat`): two beats would send
    everything twice. Each task is safe to run twice, but there is no point."""
    return {spec.name: {"task": spec.name, "schedule": spec.every} for spec in periodic()}


def make_worker_app() -> Celery:
    app = make_celery()
    for spec in registered().values():
        bind(app, spec)
    app.conf.beat_schedule = beat_schedule()
    return app


app = make_worker_app()
