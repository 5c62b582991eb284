"""Two attempts at one takedown: an attempt in flight holds a lease, so neither a redelivered
task nor the sweep starts another; when two overlap anyway (the lease ran out), the first to
settle wins and a late result changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import select

from audit.events import Action
from audit.models import AuditEvent
from core.actors import Actor
from core.clock import utcnow
from core.db import transaction
from pipeline.actions import request_action
from pipeline.enforcement import Outcome, execute_action
from pipeline.models import ActionStatus, EnforcementAction, Post
from pipeline.platform_client import (
    EnforcementRequest,
    PermanentPlatformError,
    TransientPlatformError,
)
from pipeline.repository.actions import stale_pending_action_ids
from pipeline.tasks import enforce
from runtime.container import Runtime
from tests.conftest import stored
from tests.pipeline.factories import add_scored_post, lease_runs_out

SYSTEM = Actor.system("test")
LEASE = 30.0


class Platform:
    """The platform: runs `during` while the call is in flight, then answers or raises."""

    def __init__(
        self, during: Callable[[], object] | None = None, error: Exception | None = None
    ) -> None:
        self.during, self.error, self.calls = during, error, 0

    def enforce(self, request: EnforcementRequest) -> str:
        self.calls += 1
        if self.during is not None:
            self.during()
        if self.error is not None:
            raise self.error
        return f"ref-{self.calls}"


def _removal(rt: Runtime) -> str:
    with transaction(rt.sessions) as session:
        post = add_scored_post(session)
        return request_action(session, post, "remove", {}, f"remove-{post.id}", SYSTEM).id


def _run(rt: Runtime, action_id: str, platform: Platform) -> Outcome:
    return execute_action(rt.sessions, action_id, platform, max_attempts=5, lease_seconds=LEASE)


def _logged(rt: Runtime, action_id: str) -> list[str]:
    """What the log says about the action's post, in order."""
    post_id = stored(rt, EnforcementAction, action_id).post_id
    with rt.sessions() as session:
        query = select(AuditEvent.action).where(AuditEvent.post_id == post_id)
        return list(session.scalars(query.order_by(AuditEvent.timestamp, AuditEvent.seq)))


def test_an_attempt_in_flight_is_not_sent_again_by_a_redelivered_task_or_the_sweep(
    any_rt: Runtime,
) -> None:
    action_id = _removal(any_rt)
    seen: dict[str, object] = {}
    second = Platform()

    def meanwhile() -> None:
        seen["redelivered"] = _run(any_rt, action_id, second)
        with any_rt.sessions() as session:
            seen["swept"] = stale_pending_action_ids(session, utcnow(), 100)

    assert _run(any_rt, action_id, Platform(during=meanwhile)).status == "confirmed"
    redelivered = seen["redelivered"]
    assert isinstance(redelivered, Outcome) and redelivered.status == "retry"
    assert redelivered.retry_in > 0
    assert second.calls == 0
    assert seen["swept"] == []
    assert stored(any_rt, EnforcementAction, action_id).attempts == 1


@pytest.mark.parametrize(
    "late",
    [PermanentPlatformError("platform refused with 409"), TransientPlatformError("answered 500")],
    ids=["permanent", "transient"],
)
def test_a_late_failure_leaves_an_action_another_attempt_confirmed_confirmed(
    any_rt: Runtime, late: Exception
) -> None:
    action_id = _removal(any_rt)

    def overtaken() -> None:
        lease_runs_out(any_rt.sessions, EnforcementAction, action_id)
        assert _run(any_rt, action_id, Platform()).status == "confirmed"

    outcome = _run(any_rt, action_id, Platform(during=overtaken, error=late))

    assert outcome.status == "skipped"
    action = stored(any_rt, EnforcementAction, action_id)
    assert action.status == ActionStatus.CONFIRMED
    assert action.confirmed_at is not None
    assert (action.last_error, action.next_attempt_at) == (None, None)
    assert _logged(any_rt, action_id) == [
        Action.ENFORCEMENT_REQUESTED.value,
        Action.ENFORCEMENT_CONFIRMED.value,
    ]


def test_a_late_failure_of_an_earlier_attempt_does_not_settle_the_later_one(
    any_rt: Runtime,
) -> None:
    action_id = _removal(any_rt)

    def overtaken() -> None:
        lease_runs_out(any_rt.sessions, EnforcementAction, action_id)
        assert _run(any_rt, action_id, Platform(error=TransientPlatformError("500"))).status == (
            "retry"
        )

    late = PermanentPlatformError("platform refused with 409")
    assert _run(any_rt, action_id, Platform(during=overtaken, error=late)).status == "skipped"

    action = stored(any_rt, EnforcementAction, action_id)
    assert (action.status, action.attempts, action.last_error) == (ActionStatus.PENDING, 2, "500")
    assert _logged(any_rt, action_id).count(Action.ENFORCEMENT_DEAD_LETTERED.value) == 0


def test_a_late_confirmation_corrects_a_dead_letter_the_platform_acted_after_all(
    any_rt: Runtime,
) -> None:
    action_id = _removal(any_rt)

    def refused_meanwhile() -> None:
        lease_runs_out(any_rt.sessions, EnforcementAction, action_id)
        late = Platform(error=PermanentPlatformError("platform refused with 409"))
        assert _run(any_rt, action_id, late).status == "dead"

    assert _run(any_rt, action_id, Platform(during=refused_meanwhile)).status == "confirmed"

    action = stored(any_rt, EnforcementAction, action_id)
    assert (action.status, action.next_attempt_at) == (ActionStatus.CONFIRMED, None)
    with any_rt.sessions() as session:
        post = session.get(Post, action.post_id)
        assert post is not None and post.status == "removed"


def test_the_task_holds_an_attempt_for_longer_than_the_platform_clients_timeout(
    rt: Runtime,
) -> None:
    """The lease comes from the configured timeout, so a slow platform call is not sent again
    by the sweep while it may still succeed (the default lease was shorter than a 60 s timeout)."""
    action_id = _removal(rt)
    slow = rt.settings.model_copy(
        update={"platform": rt.settings.platform.model_copy(update={"timeout": 60.0})}
    )
    leases: list[float] = []

    def meanwhile() -> None:
        held = stored(rt, EnforcementAction, action_id).next_attempt_at
        assert held is not None
        leases.append((held - utcnow()).total_seconds())

    runtime = replace(rt, settings=slow, platform_override=Platform(during=meanwhile))
    assert enforce(runtime, action_id).status == "confirmed"
    assert leases and leases[0] > 60.0
