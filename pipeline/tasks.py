"""Pipeline task bodies: ids in, re-fetch, delegate. Celery and the in-process runner run them
(`core.tasks`)."""

from __future__ import annotations

import logging
from datetime import timedelta

from core.clock import utcnow
from core.db import transaction
from core.dispatch import enqueue_after_commit
from core.retry import attempt_lease
from core.tasks import RetryLater, task
from pipeline import hooks
from pipeline.decisions import EXECUTE_TASK
from pipeline.enforcement import Outcome, execute_action
from pipeline.intake import ROUTE_TASK
from pipeline.platform_client import DrillGate
from pipeline.policy_store import active_policy
from pipeline.process import PipelineProcess
from pipeline.queue import expire_leases, open_case_for_post
from pipeline.repository.actions import stale_pending_action_ids
from pipeline.repository.posts import unrouted_post_ids
from pipeline.routing import routed_bands

log = logging.getLogger(__name__)


def route_post(rt: PipelineProcess, post_id: str) -> str | None:
    with transaction(rt.sessions) as session:
        incident_id = hooks.incident_of(session, post_id)  # incidents say (incidents.listeners)
        case = open_case_for_post(
            session, post_id, active_policy(session, rt.policy), incident_id=incident_id
        )
        return case.id if case else None


@task(ROUTE_TASK, batched=True)  # one message per intake request, not one per post
def route_posts(rt: PipelineProcess, *post_ids: str) -> list[str | None]:
    """Each post in its own transaction, so one that fails does not hold back the others; the
    first failure is raised after the rest are routed (the sweeper retries the post)."""
    routed: list[str | None] = []
    failure: Exception | None = None
    for post_id in post_ids:
        try:
            routed.append(route_post(rt, post_id))
        except Exception as exc:
            log.exception("routing post %s failed; the sweeper will retry it", post_id)
            routed.append(None)
            failure = failure or exc
    if failure is not None:
        raise failure
    return routed


def enforce(rt: PipelineProcess, action_id: str) -> Outcome:
    platform = DrillGate(rt.platform, send_drills=rt.settings.platform.send_drill_actions)
    settings = rt.settings.platform
    return execute_action(
        rt.sessions,
        action_id,
        platform,
        max_attempts=settings.max_attempts,
        lease_seconds=attempt_lease(settings.timeout),  # outlasts the client's own timeout
    )


@task(EXECUTE_TASK)
def run_enforcement(rt: PipelineProcess, action_id: str) -> str:
    outcome = enforce(rt, action_id)
    if outcome.status == "retry":  # retry_in is bounded below the visibility timeout
        raise RetryLater(outcome.retry_in)
    return outcome.status


@task("pipeline.sweep", every=30.0)
def sweep(rt: PipelineProcess, *, older_than: timedelta = timedelta(seconds=30)) -> dict[str, int]:
    """Re-enqueue work the database says is unfinished (lost messages, broker restarts).

    Also returns cases whose review lease ran out to the queue.
    """
    now = utcnow()
    cutoff = now - older_than
    with transaction(rt.sessions) as session:
        expired = expire_leases(session, now, limit=1000)
    with transaction(rt.sessions) as session:
        policy = active_policy(session, rt.policy)
        # the triage band when measured (unrouted ignored posts are not lost)
        unrouted = unrouted_post_ids(session, routed_bands(policy), cutoff, 1000)
        pending = stale_pending_action_ids(session, cutoff, 1000)
        for post_id in unrouted:
            enqueue_after_commit(session, ROUTE_TASK, post_id)
        for action_id in pending:
            enqueue_after_commit(session, EXECUTE_TASK, action_id)
    if unrouted or pending:
        log.info("sweeper re-enqueued %d posts and %d actions", len(unrouted), len(pending))
    return {"posts": len(unrouted), "actions": len(pending), "leases_expired": expired}
