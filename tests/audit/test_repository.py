"""audit.repository: finished exports as their `log.exported` events recorded them, and what the
review console reads from the action log, on SQLite and on PostgreSQL: a post's history, a
reviewer's counts, the cases they saw, escalations and restorations, each leaving out what it
should."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from audit import repository as q
from audit.events import Action, Subject
from audit.holds import HoldSubject, release_hold, set_hold
from audit.models import AuditEvent
from audit.service import record
from core.actors import Actor, ActorType
from core.clock import as_utc, utcnow
from core.db import transaction
from runtime.container import Runtime
from tests.audit.factories import REVIEWER, add_case, write_events
from tests.pipeline.factories import add_scored_post

NOW = utcnow()
ANN = Actor(name="ann", type=ActorType.HUMAN, roles=("reviewer",))
BOB = Actor(name="bob", type=ActorType.HUMAN, roles=("senior_reviewer",))


def _exported(rt: Runtime, export_id: str) -> None:
    with transaction(rt.sessions) as session:
        record(
            session,
            Action.LOG_EXPORTED,
            REVIEWER,
            Subject(other={"export_id": export_id}),
            after={"export_id": export_id, "count": 3},
        )


def _export_id(event: AuditEvent) -> str:
    veracity: Any = event.document["veracity"]
    return str(veracity["after"]["export_id"])


def test_recent_exports_are_newest_first_and_only_exports(rt: Runtime) -> None:
    _exported(rt, "x1")
    write_events(rt, 2)  # decisions, not exports
    _exported(rt, "x2")
    _exported(rt, "x3")
    with rt.sessions() as session:
        found = q.export_events_newest_first(session, limit=2)
        assert [e.action for e in found] == [Action.LOG_EXPORTED.value] * 2
        assert [_export_id(e) for e in found] == ["x3", "x2"]


def test_a_manifest_is_found_by_its_export_id(rt: Runtime) -> None:
    _exported(rt, "x1")
    _exported(rt, "x2")
    with rt.sessions() as session:
        assert q.export_manifest(session, "x2") == {"export_id": "x2", "count": 3}
        assert q.export_manifest(session, "nope") is None


def _log(
    session: Session,
    action: Action,
    actor: Actor = ANN,
    *,
    post: str | None = "p-1",
    case: str | None = "c-1",
    hours_ago: float = 1,
    **fields: Any,
) -> None:
    when = NOW - timedelta(hours=hours_ago)
    record(session, action, actor, Subject(post_id=post, case_id=case), at=when, **fields)


def test_a_posts_history_is_its_newest_events_of_the_asked_kinds(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        _log(session, Action.POST_ROUTED, after={"rule": "old"})
        _log(session, Action.CASE_CLAIMED)
        _log(session, Action.POST_ROUTED, after={"rule": "newest"})
        _log(session, Action.CASE_DECIDED)
        _log(session, Action.CASE_CLAIMED, post="p-2")
    shown = [Action.CASE_CLAIMED.value, Action.CASE_DECIDED.value]
    with any_rt.sessions() as session:
        events = q.post_events_newest_first(session, "p-1", shown, 10)
        assert [e.action for e in events] == [Action.CASE_DECIDED, Action.CASE_CLAIMED]
        assert len(q.post_events_newest_first(session, "p-1", shown, 1)) == 1
        routed = q.latest_post_event(session, "p-1", Action.POST_ROUTED.value)
        assert routed is not None
        assert routed.document["veracity"]["after"] == {"rule": "newest"}  # type: ignore[index]
        assert q.latest_post_event(session, "p-2", Action.POST_ROUTED.value) is None


def test_a_reviewers_counts_are_their_own_since_the_time_asked(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        _log(session, Action.CASE_SKIPPED)
        _log(session, Action.CASE_SKIPPED, case="c-2")
        _log(session, Action.CASE_RELEASED)
        _log(session, Action.CASE_SKIPPED, hours_ago=10)  # before the shift
        _log(session, Action.CASE_SKIPPED, BOB)
        _log(session, Action.CASE_CLAIMED)  # not asked for
    since = NOW - timedelta(hours=8)
    asked = [Action.CASE_SKIPPED.value, Action.CASE_RELEASED.value, Action.CASE_ESCALATED.value]
    with any_rt.sessions() as session:
        assert q.actions_of_actor(session, "ann", since, asked) == {
            Action.CASE_SKIPPED.value: 2,
            Action.CASE_RELEASED.value: 1,
        }


def test_cases_seen_count_distinct_real_cases_and_those_reassigned_to_the_reviewer(
    any_rt: Runtime,
) -> None:
    with transaction(any_rt.sessions) as session:
        _log(session, Action.CASE_CLAIMED, case="c-1")
        _log(session, Action.CASE_DECIDED, case="c-1")  # the same case again
        _log(session, Action.CASE_SKIPPED, case="c-2")
        _log(session, Action.CASE_CLAIMED, case="c-drill", is_drill=True)
        _log(session, Action.CASE_CLAIMED, case="c-old", hours_ago=30)
        _log(session, Action.POST_ROUTED, case="c-routed")  # not one of the counted actions
        _log(session, Action.CASE_REASSIGNED, BOB, case="c-3", after={"claimed_by": "ann"})
        _log(session, Action.CASE_REASSIGNED, BOB, case="c-4", after={"claimed_by": "cy"})
    since = NOW - timedelta(hours=12)
    counted = [Action.CASE_CLAIMED.value, Action.CASE_DECIDED.value, Action.CASE_SKIPPED.value]
    with any_rt.sessions() as session:
        assert q.cases_seen_by(session, "ann", since, counted) == 3  # c-1, c-2, c-3
        assert q.cases_seen_by(session, "cy", since, counted) == 1
        assert q.cases_seen_by(session, "bob", since, counted) == 0


def test_escalations_and_restorations_leave_drills_and_older_events_out(
    any_rt: Runtime,
) -> None:
    with transaction(any_rt.sessions) as session:
        _log(session, Action.CASE_ESCALATED)
        _log(session, Action.CASE_ESCALATED, case="c-2")
        _log(session, Action.CASE_ESCALATED, BOB)
        _log(session, Action.CASE_ESCALATED, BOB, is_drill=True)
        _log(session, Action.CASE_ESCALATED, BOB, hours_ago=30)
        _log(session, Action.POST_RESTORED, hours_ago=2)
        _log(session, Action.POST_RESTORED, is_drill=True)
        _log(session, Action.POST_RESTORED, hours_ago=50)
    since = NOW - timedelta(hours=24)
    with any_rt.sessions() as session:
        assert q.escalations_per_actor(session, since) == {"ann": 2, "bob": 1}
        restored = q.restoration_times(session, since)
        assert [as_utc(at) for at in restored] == [NOW - timedelta(hours=2)]
        assert len(q.restoration_times(session, since, include_drills=True)) == 2


def test_holds_in_force_and_the_posts_of_held_cases_or_incidents(any_rt: Runtime) -> None:
    with transaction(any_rt.sessions) as session:
        add_case(session, "c-1")
        add_scored_post(session, post_id="p-9")
        released = set_hold(session, HoldSubject.CASE, "c-1", "old matter", BOB)
        session.flush()
        release_hold(session, released.id, "matter closed", BOB)
        set_hold(session, HoldSubject.CASE, "c-1", "subpoena", BOB)
        set_hold(session, HoldSubject.POST, "p-9", "order", BOB)
        _log(session, Action.CASE_CLAIMED, post="p-1", case="c-1")
        _log(session, Action.CASE_CLAIMED, post="p-1", case="c-1")  # the same post again
        _log(session, Action.CASE_CLAIMED, post="p-2", case="c-2")
        _log(session, Action.CASE_CLAIMED, post=None, case="c-1")
        record(session, Action.CASE_CLAIMED, ANN, Subject(post_id="p-3", incident_id="i-1"))
    with any_rt.sessions() as session:
        held = q.unreleased_holds_oldest_first(session)
        assert [(h.subject_type, h.subject_id, h.reason) for h in held] == [
            ("case", "c-1", "subpoena"),
            ("post", "p-9", "order"),
        ]
        found = q.unreleased_hold_on(session, "case", "c-1")
        assert found is not None and found.reason == "subpoena"
        assert q.unreleased_hold_on(session, "post", "c-1") is None
        assert sorted(q.post_ids_of(session, ["c-1"], [])) == ["p-1"]
        assert sorted(q.post_ids_of(session, ["c-1"], ["i-1"])) == ["p-1", "p-3"]
        assert q.post_ids_of(session, [], []) == []
