"""Failures with real services: a worker killed mid-action, a Redis restart, a failing platform,
Elasticsearch unreachable. PostgreSQL is the system of record throughout."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from elastic_transport import TransportError
from sqlalchemy import func, select

from audit.models import AuditEvent
from audit.tasks import ship_outbox
from classifier.reference import ReferenceClassifier
from core.db import transaction
from core.retry import EARLY_TOLERANCE_SECONDS
from core.settings import ElasticsearchSettings
from pipeline.actions import retry_dead
from pipeline.decisions import decide
from pipeline.models import ActionStatus, EnforcementAction
from pipeline.platform_receiver import ReceiverState
from pipeline.queue import claim_next
from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode
from pipeline.tasks import sweep
from runtime.container import Runtime, build_runtime
from tests.conftest import ADMIN, free_port, make_settings, stored, wait_for
from tests.core.remote import start_remote
from tests.pipeline.factories import make_case, reviewer
from tests.pipeline.workers import celery_runtime, kill, start_redis, start_worker, stop, worker_env

pytestmark = pytest.mark.services
REDIS_DB = 7  # the own_redis fixture's database, no other suite's
REMOVE = DecisionIn(reason_code=ReasonCode.FALSE_CLAIM, action=DecisionAction.REMOVE, note="x")
ANN = reviewer("ann")


@pytest.fixture
def pg_rt(
    postgres_url: str, own_redis: str, receiver: tuple[ReceiverState, str]
) -> Iterator[Runtime]:
    rt = celery_runtime(postgres_url, own_redis, receiver[1])
    yield rt
    rt.engine.dispose()


@dataclass
class Workers:
    platform: ReceiverState  # the platform the workers call
    start: Callable[..., subprocess.Popen[bytes]]  # `extra`: further settings


@pytest.fixture
def workers(
    postgres_url: str, own_redis: str, receiver: tuple[ReceiverState, str], tmp_path: Path
) -> Workers:
    """Workers on this test's database and Redis, calling the receiver; one log file."""

    def start(**extra: str) -> subprocess.Popen[bytes]:
        env = worker_env(postgres_url, own_redis, receiver[1], **extra)
        return start_worker(env, tmp_path / "worker.log")

    return Workers(receiver[0], start)


def remove_one(rt: Runtime) -> str:
    """Open, claim and decide a case for removal; returns the enforcement action's id."""
    make_case(rt.sessions)
    with transaction(rt.sessions) as s:
        case = claim_next(s, ANN)
        assert case is not None
        decision = decide(s, case.id, ANN, REMOVE)
        decision_id = decision.id
    with rt.sessions() as s:
        return str(
            s.scalars(
                select(EnforcementAction.id).where(EnforcementAction.decision_id == decision_id)
            ).one()
        )


def reaches(
    rt: Runtime, action_id: str, status: ActionStatus, *, timeout: float, what: str
) -> EnforcementAction:
    """Waits until the enforcement action has `status`; the action then."""
    wait_for(lambda: stored(rt, EnforcementAction, action_id).status == status, timeout, what)
    return stored(rt, EnforcementAction, action_id)


def test_worker_killed_mid_request_is_redelivered_and_the_platform_acts_once(
    pg_rt: Runtime, workers: Workers
) -> None:
    state = workers.platform
    state.delay_seconds = 2.0  # the platform is slow: the kill lands while the worker waits
    first = workers.start()
    try:
        action_id = remove_one(pg_rt)
        # On the wire, not only counted: the attempt is committed before the request is sent.
        wait_for(lambda: state.arrived == 1, what="the first attempt at the platform")
        kill(first)  # SIGKILL: no ack, no cleanup
        state.delay_seconds = 0.0
        second = workers.start()
        try:
            reaches(
                pg_rt,
                action_id,
                ActionStatus.CONFIRMED,
                timeout=45,
                what="redelivery to the second worker",
            )
        finally:
            stop(second)
    finally:
        kill(first)
    assert len(state.requests) == 2  # the same action was sent twice ...
    assert len(state.actions_applied()) == 1  # ... and took effect once (idempotency key)
    assert stored(pg_rt, EnforcementAction, action_id).attempts == 2


def test_redis_restart_loses_nothing_the_sweeper_re_enqueues(
    postgres_url: str, receiver: tuple[ReceiverState, str], tmp_path: Path
) -> None:
    state, url = receiver
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    redis_proc = start_redis(port)
    rt = celery_runtime(postgres_url, broker, url)
    worker = start_worker(worker_env(postgres_url, broker, url), tmp_path / "worker.log")
    try:
        stop(worker)  # messages now wait in Redis with no one to take them
        queued = [remove_one(rt) for _ in range(2)]
        kill(redis_proc)  # the queued messages die with it (no persistence)
        redis_proc = start_redis(port)
        worker = start_worker(worker_env(postgres_url, broker, url), tmp_path / "worker.log")
        assert sweep(rt, older_than=timedelta(0))["actions"] == 2
        wait_for(
            lambda: all(
                stored(rt, EnforcementAction, a).status == ActionStatus.CONFIRMED for a in queued
            ),
            timeout=45,
            what="re-enqueued actions to run",
        )
        assert len(state.actions_applied()) == 2
    finally:
        stop(worker)
        kill(redis_proc)
        rt.engine.dispose()


def test_platform_timeouts_are_retried_then_dead_lettered_and_an_admin_retry_succeeds(
    pg_rt: Runtime, workers: Workers
) -> None:
    state = workers.platform
    state.fail_next = [500]  # one 5xx, then timeouts
    state.delay_seconds = 1.5
    worker = workers.start(PLATFORM__TIMEOUT="0.5")
    try:
        action_id = remove_one(pg_rt)
        dead = reaches(
            pg_rt, action_id, ActionStatus.DEAD, timeout=45, what="the action to be dead-lettered"
        )
        assert dead.attempts == 3 and dead.last_error
        state.delay_seconds = 0.0
        with transaction(pg_rt.sessions) as s:
            retry_dead(s, action_id, ADMIN)
        reaches(pg_rt, action_id, ActionStatus.CONFIRMED, timeout=30, what="the retried action")
    finally:
        stop(worker)
    assert len(state.actions_applied()) == 1
    with pg_rt.sessions() as s:
        logged = list(
            s.scalars(select(AuditEvent.action).where(AuditEvent.post_id == dead.post_id))
        )
    assert logged.count("enforcement.failed") == 2
    assert {"enforcement.dead_lettered", "enforcement.retried", "enforcement.confirmed"} <= set(
        logged
    )


def test_a_platform_429_is_waited_out_per_retry_after_in_countdowns_below_the_visibility_timeout(
    postgres_url: str, own_redis: str, tmp_path: Path
) -> None:
    """Retry-After 6 s with a 3 s visibility timeout: the worker hops (countdowns of at most
    2.25 s, so Redis never redelivers) and calls the platform again only once 6 s have passed."""
    server, remote = start_remote()
    rt = celery_runtime(postgres_url, own_redis, remote.url)
    remote.answers = [(429, "6")]
    worker = start_worker(worker_env(postgres_url, own_redis, remote.url), tmp_path / "w.log")
    try:
        action_id = remove_one(rt)
        reaches(
            rt,
            action_id,
            ActionStatus.CONFIRMED,
            timeout=60,
            what="the action to land after the platform's wait",
        )
        time.sleep(3)  # a redelivered duplicate would arrive within a visibility timeout
    finally:
        stop(worker)
        server.shutdown()
        rt.engine.dispose()
    first, second = remote.hit_times  # exactly two calls: no early retry, no redelivery
    assert second - first >= 6 - EARLY_TOLERANCE_SECONDS
    assert stored(rt, EnforcementAction, action_id).attempts == 2


def test_decisions_proceed_with_elasticsearch_down_and_the_log_ships_later(
    postgres_url: str,
    elasticsearch_url: str,
    es_prefix: str,
    receiver: tuple[ReceiverState, str],
) -> None:
    down = ElasticsearchSettings(hosts=[f"http://127.0.0.1:{free_port()}"], index_prefix=es_prefix)
    rt = build_runtime(
        make_settings(postgres_url, receiver[1], elasticsearch=down),
        classifier=ReferenceClassifier(),
    )
    try:
        remove_one(rt)  # no exception: the log waits in the outbox
        # A shipping round against a dead cluster fails (with an error result or a transport
        # exception, retried by the next beat); either way nothing leaves the outbox.
        with contextlib.suppress(TransportError):
            result = ship_outbox(rt)
            assert result is not None and result.error and result.shipped == 0
        with rt.sessions() as s:
            pending = s.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.shipped_at.is_(None))
            )
        assert pending
    finally:
        rt.engine.dispose()
    up = ElasticsearchSettings(hosts=[elasticsearch_url], index_prefix=es_prefix)
    rt = build_runtime(make_settings(postgres_url, receiver[1], elasticsearch=up))
    try:
        assert rt.action_log is not None
        rt.action_log.ensure_template()
        result = ship_outbox(rt)
        assert result is not None and result.error is None
        assert result.shipped == pending and result.remaining == 0
        rt.action_log.refresh()
        assert rt.action_log.count({"term": {"event.action": "case.decided"}}) == 1
    finally:
        rt.engine.dispose()
