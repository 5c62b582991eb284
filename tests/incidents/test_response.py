"""Notifications to response groups, surge, deadline clocks, lessons and the plan."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from audit.events import Action
from audit.models import AuditEvent
from core.actors import Actor, ActorType
from core.clock import utcnow
from core.db import transaction
from core.outbound import gated_client, policy_from
from incidents import plan
from incidents.clocks import check_overdue
from incidents.detection import scan
from incidents.models import ClockStatus, Incident, IncidentClock, Notification, ResponseGroup
from incidents.notify import deliver_pending
from incidents.repository import plans
from incidents.service import record_milestone
from pipeline.models import ReviewCase
from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.incidents.conftest import POLICY, SECRET, Received, add_groups, open_incident
from tests.incidents.factories import add_wave

PR = Actor("pr-1", ActorType.HUMAN, ("pr",))


def _backoff_passes(rt: Runtime) -> None:
    """Time passes: every unsent notification's retry is due."""
    with transaction(rt.sessions) as session:
        session.execute(
            update(Notification)
            .where(Notification.sent_at.is_(None))
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


def test_opening_notifies_each_group_by_grade_with_a_signature(
    rt: Runtime, webhook_receiver: tuple[Received, str]
) -> None:
    received, url = webhook_receiver
    add_groups(rt, {"legal": 1}, pr=f"{url}/pr", legal=f"{url}/legal", ops=f"{url}/broken")
    open_incident(rt, wave=12)  # small wave: grade below I, so legal (I only) is not told
    with httpx.Client(timeout=5) as client:
        assert deliver_pending(rt.sessions, client) == 1
        _backoff_passes(rt)
        assert deliver_pending(rt.sessions, client) == 0  # delivered once; broken one retried
    paths = [path for path, _, _ in received.requests]
    assert paths.count("/pr") == 1 and "/legal" not in paths and paths.count("/broken") == 2
    _, headers, body = next(r for r in received.requests if r[0] == "/pr")
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Veracity-Signature"] == expected
    assert json.loads(body)["event"] == "incident.opened"
    with rt.sessions() as session:
        logged = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.INCIDENT_NOTIFIED)
        ).all()
    assert len(logged) == 1


def test_grade_two_or_worse_surges_the_incidents_open_cases(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        wave, background = add_wave(session, wave=30, background=10)
        for post_id in [*wave[:5], *background[:3]]:
            session.add(
                ReviewCase(
                    post_id=post_id,
                    band="review",
                    priority=5.0,
                    status="open",
                    policy_version="t",
                    due_at=utcnow() + timedelta(hours=24),
                )
            )
    with transaction(rt.sessions) as session:
        scan(session, policy=POLICY)
        scan(session, policy=POLICY)
    with rt.sessions() as session:
        incident = session.scalars(select(Incident)).one()
        priorities = {c.post_id: c.priority for c in session.scalars(select(ReviewCase))}
    assert incident.grade <= 2 and incident.surge
    assert all(priorities[p] == 5.0 + POLICY.surge_boost for p in wave[:5])  # boosted once
    assert all(priorities[p] == 5.0 for p in background[:3])


def test_clocks_are_met_by_milestones_or_logged_missed(rt: Runtime) -> None:
    incident_id = open_incident(rt)
    with transaction(rt.sessions) as session:
        record_milestone(session, incident_id, "internal_report", PR)
    with transaction(rt.sessions) as session:
        assert check_overdue(session, utcnow() + timedelta(hours=5)) == 2
    with rt.sessions() as session:
        status = {
            c.name: c.status
            for c in session.scalars(
                select(IncidentClock).where(IncidentClock.incident_id == incident_id)
            )
        }
        missed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.INCIDENT_CLOCK_MISSED)
        ).all()
    assert status == {
        "first internal report": ClockStatus.MET,
        "public statement": ClockStatus.MISSED,
        "first enforcement action": ClockStatus.MISSED,
    }
    assert len(missed) == 2


def test_lessons_feed_a_new_plan_version(rt: Runtime) -> None:
    incident_id = open_incident(rt)
    admin = Actor("admin-1", ActorType.HUMAN, ("admin",))
    with transaction(rt.sessions) as session:
        plan.record_lesson(session, incident_id, "Pre-approve statement templates", admin)
        first = plan.publish_plan(session, None, "adopt lessons", admin)
    with transaction(rt.sessions) as session:
        second = plan.publish_plan(session, None, "no new lessons", admin)
        assert plans.pending_lessons(session) == []
    assert (first.version, second.version) == (1, 2)
    assert "Pre-approve statement templates" in first.body
    assert second.body == first.body


def test_a_second_wave_of_the_same_narrative_does_not_reopen(rt: Runtime) -> None:
    open_incident(rt)
    with transaction(rt.sessions) as session:
        from tests.incidents.factories import WAVE_TEMPLATES, add_post

        for i in range(5):
            add_post(session, f"again{i}", WAVE_TEMPLATES[0].format(n=900 + i))
    with transaction(rt.sessions) as session:
        scan(session, policy=POLICY)
    with rt.sessions() as session:
        incident = session.scalars(select(Incident)).one()
    assert incident.post_count == 35


def test_enforcement_in_the_log_meets_the_first_action_clock(rt: Runtime) -> None:
    from audit.events import Subject
    from audit.service import record

    incident_id = open_incident(rt)
    with rt.sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        post_id = session.scalars(
            select(AuditEvent.post_id).where(
                AuditEvent.incident_id == incident_id, AuditEvent.post_id.is_not(None)
            )
        ).first()
    with transaction(rt.sessions) as session:
        record(
            session,
            Action.ENFORCEMENT_CONFIRMED,
            Actor.system("enforcer"),
            Subject(post_id=post_id),
        )
    with transaction(rt.sessions) as session:
        from incidents.sync import sync_milestones

        assert sync_milestones(session) == 1
        assert sync_milestones(session) == 0
    with rt.sessions() as session:
        clock = session.scalars(
            select(IncidentClock).where(
                IncidentClock.incident_id == incident_id, IncidentClock.milestone == "first_action"
            )
        ).one()
    assert clock.status == ClockStatus.MET


def test_one_round_detects_and_notifies(
    rt: Runtime, webhook_receiver: tuple[Received, str]
) -> None:
    from incidents.tasks import run_round

    received, url = webhook_receiver
    add_groups(rt, pr=f"{url}/pr")
    with transaction(rt.sessions) as session:
        add_wave(session, wave=25, background=25)
    with httpx.Client(timeout=5) as client:
        first = run_round(rt, None, client)
        second = run_round(rt, None, client)
    events = [json.loads(body)["event"] for _, _, body in received.requests]
    assert first.scanned == 50 and first.notifications_sent == len(events)
    assert events[0] == "incident.opened" and set(events[1:]) <= {"incident.upgraded"}
    assert (second.scanned, second.notifications_sent) == (0, 0)


def test_a_group_with_an_unusable_url_fails_alone_and_the_others_are_told(
    rt: Runtime, webhook_receiver: tuple[Received, str]
) -> None:
    received, url = webhook_receiver
    # httpx raises InvalidURL (no HTTPError) for the first, UnicodeError for the second.
    add_groups(rt, ops="http://1.2.3.400/", it="http://a..b/hook", pr=f"{url}/pr")
    open_incident(rt, wave=12)
    with gated_client(policy_from(rt.settings), timeout=5) as client:
        assert deliver_pending(rt.sessions, client) == 1
        _backoff_passes(rt)
        assert deliver_pending(rt.sessions, client) == 0  # the bad ones retried, still failing
    assert [path for path, _, _ in received.requests] == ["/pr"]
    with rt.sessions() as session:
        notes = {
            group.role: note
            for note, group in session.execute(
                select(Notification, ResponseGroup).join(
                    ResponseGroup, ResponseGroup.id == Notification.group_id
                )
            )
        }
    assert notes["pr"].sent_at is not None
    for role in ("ops", "it"):
        assert notes[role].sent_at is None and notes[role].attempts == 2
        assert notes[role].last_error


def test_a_groups_error_body_is_not_kept_only_its_status(
    rt: Runtime, webhook_receiver: tuple[Received, str]
) -> None:
    _, url = webhook_receiver
    add_groups(rt, ops=f"{url}/broken")
    open_incident(rt, wave=12)
    with httpx.Client(timeout=5) as client:
        assert deliver_pending(rt.sessions, client) == 0
    with rt.sessions() as session:
        note = session.scalars(select(Notification)).one()
    assert note.last_error == "HTTP 500"


def test_a_response_group_url_is_refused_unless_it_is_public_or_allowed(
    rt: Runtime, client: TestClient
) -> None:
    admin = auth(new_user_token(rt, "admin"))
    body = {"role": "ops", "secret": SECRET, "min_grade": 4}
    for bad in (
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.7/hook",
        "http://2130706433/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://admin@93.184.216.34/hook",
    ):
        refused = client.post(
            "/v1/incidents/response-groups", json={**body, "url": bad}, headers=admin
        )
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["code"] == "outbound_url_refused", refused.text
    for good in ("https://93.184.216.34/hook", "http://127.0.0.1:9/hook"):  # public; allow-listed
        made = client.post(
            "/v1/incidents/response-groups", json={**body, "url": good}, headers=admin
        )
        assert made.status_code == 200, made.text
