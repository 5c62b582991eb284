"""Celery entry points for webhooks: deliver one (retrying with backoff), sweep the due ones."""

from __future__ import annotations

from celery import Task

from pipeline.celery_app import app
from pipeline.celery_tasks import runtime
from webhooks import tasks
from webhooks.service import DELIVER_TASK


@app.task(name=DELIVER_TASK, bind=True, max_retries=None)  # type: ignore[untyped-decorator]
def deliver(self: Task, delivery_id: str) -> str:
    attempt = tasks.deliver_webhook(runtime(), delivery_id)
    if attempt.status == "retry":
        raise self.retry(countdown=attempt.retry_in)
    return attempt.status


@app.task(name="webhooks.sweep_due")  # type: ignore[untyped-decorator]
def sweep_due() -> int:
    return tasks.sweep_due(runtime())
