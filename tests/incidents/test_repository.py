"""incidents.repository: the incident list the /v1 route and the incidents page share, one
incident by id, what a post's narrative says of its incident, and the filters the service
modules rely on (live and unfinished incidents, milestones, running and overdue clocks,
notifications due, a narrative's window)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from core.clock import utcnow
from core.db import transaction
from incidents.models import (
    ClockStatus,
    Incident,
    IncidentClock,
    IncidentMilestone,
    IncidentStatus,
    NarrativePost,
    Notification,
)
from incidents.repository import response
from incidents.repository.incidents import (
    has_milestone,
    incident_by_id,
    incidents_newest_first,
    live_incident_of_key,
    milestone_kinds,
    unfinished_incidents,
)
from incidents.repository.narratives import (
    counted_under,
    members_since,
    narrative_incident,
    narrative_post_ids,
)
from runtime.container import Runtime
from tests.incidents.factories import add_post


def _incident(title: str, hours_ago: int, **extra: object) -> Incident:
    at = utcnow() - timedelta(hours=hours_ago)
    fields: dict[str, object] = {"key": f"k:{title}", **extra}
    return Incident(title=title, first_seen_at=at, opened_at=at, **fields)


def _titles(found: Sequence[Incident]) -> list[str]:
    return [i.title for i in found]


def test_newest_first_with_each_filter_and_drills_only_when_asked(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        session.add_all(
            [
                _incident("old leak", 5, grade=2, type="data_leak"),
                _incident("rumour", 3, grade=3, type="misinformation"),
                _incident("closed rumour", 2, grade=3, status=IncidentStatus.CLOSED),
                _incident("drill", 1, grade=3, is_drill=True),
            ]
        )
    with rt.sessions() as s:
        assert _titles(incidents_newest_first(s, limit=50)) == [
            "closed rumour",
            "rumour",
            "old leak",
        ]
        assert _titles(incidents_newest_first(s, limit=50, include_drills=True)) == [
            "drill",
            "closed rumour",
            "rumour",
            "old leak",
        ]
        assert _titles(incidents_newest_first(s, limit=50, type="data_leak")) == ["old leak"]
        assert _titles(incidents_newest_first(s, limit=50, grade=3)) == ["closed rumour", "rumour"]
        assert _titles(incidents_newest_first(s, limit=50, status="closed")) == ["closed rumour"]
        both = incidents_newest_first(s, limit=50, type="misinformation", grade=3, status="active")
        assert _titles(both) == ["rumour"]
        assert _titles(incidents_newest_first(s, limit=2)) == ["closed rumour", "rumour"]


def test_one_incident_by_id_and_the_incident_a_posts_narrative_is_filed_under(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        incident = _incident("rumour", 1, grade=3)
        session.add(incident)
        session.flush()
        for post_id in ("filed", "unfiled", "elsewhere"):
            add_post(session, post_id, f"text of {post_id}")
        session.add_all(
            [
                NarrativePost(key="k:rumour", post_id="filed", incident_id=incident.id),
                NarrativePost(key="k:quiet", post_id="unfiled"),
            ]
        )
        incident_id = incident.id
    with rt.sessions() as s:
        found = incident_by_id(s, incident_id)
        assert found is not None and found.title == "rumour"
        assert incident_by_id(s, "no-such-incident") is None
        assert narrative_incident(s, "filed") == incident_id
        assert narrative_incident(s, "unfiled") is None
        assert narrative_incident(s, "elsewhere") is None
        assert list(s.scalars(narrative_post_ids(incident_id))) == ["filed"]


def test_live_and_unfinished_incidents_and_their_milestones(rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        old = _incident("old", 5, grade=3, key="k:a")
        new = _incident("new", 1, grade=3, key="k:a")
        closed = _incident("closed", 0, grade=3, key="k:a", status=IncidentStatus.CLOSED)
        drill = _incident("drill", 0, grade=3, key="k:a", is_drill=True)
        session.add_all([old, new, closed, drill])
        session.flush()
        session.add(IncidentMilestone(incident_id=new.id, kind="assessment", actor="ann"))
        ids = {i.title: i.id for i in (old, new, closed, drill)}
    with rt.sessions() as s:
        live = live_incident_of_key(s, "k:a", False)
        assert live is not None and live.title == "new"  # newest not closed, drills apart
        live_drill = live_incident_of_key(s, "k:a", True)
        assert live_drill is not None and live_drill.title == "drill"
        assert live_incident_of_key(s, "k:b", False) is None
        assert {i.title for i in unfinished_incidents(s)} == {"old", "new", "drill"}
        about = [Incident.id == ids["old"], Incident.id == ids["closed"]]
        assert [i.title for i in unfinished_incidents(s, about)] == ["old"]
        assert has_milestone(s, ids["new"], "assessment")
        assert not has_milestone(s, ids["new"], "containment")
        assert not has_milestone(s, ids["old"], "assessment")
        assert milestone_kinds(s, ids["new"]) == {"assessment"}


def _names(clocks: Sequence[IncidentClock]) -> list[str]:
    return sorted(c.name for c in clocks)


def test_running_and_overdue_clocks_and_notifications_due(rt: Runtime) -> None:
    now = utcnow()
    with transaction(rt.sessions) as session:
        incident, other = _incident("a", 1, grade=3), _incident("b", 1, grade=3)
        session.add_all([incident, other])
        session.flush()

        def clock(name: str, milestone: str, due_in_h: int, status: str) -> IncidentClock:
            return IncidentClock(
                incident_id=incident.id,
                name=name,
                milestone=milestone,
                started_at=now,
                due_at=now + timedelta(hours=due_in_h),
                status=status,
            )

        def note(on: Incident, **fields: object) -> Notification:
            return Notification(incident_id=on.id, payload={}, **fields)

        session.add_all(
            [
                clock("statement", "public_statement", 2, ClockStatus.RUNNING),
                clock("late", "first_action", -1, ClockStatus.RUNNING),
                clock("met", "public_statement", -1, ClockStatus.MET),
                note(incident, next_attempt_at=None),
                note(incident, next_attempt_at=now - timedelta(minutes=1)),
                note(incident, next_attempt_at=now + timedelta(minutes=5)),  # not yet
                note(incident, sent_at=now),  # sent
                note(incident, attempts=5),  # spent
                note(other),
            ]
        )
        incident_id = incident.id
    with rt.sessions() as s:
        assert _names(response.running_clocks(s, incident_id)) == ["late", "statement"]
        assert _names(response.running_clocks(s, incident_id, "public_statement")) == ["statement"]
        assert _names(response.overdue_clocks(s, now)) == ["late"]
        assert response.clock_names(s, incident_id) == {"statement", "late", "met"}
        assert [c.name for c in response.clocks_by_due(s, incident_id)] == [
            "late",
            "met",
            "statement",
        ]
        assert len(response.due_notification_ids(s, now, 5)) == 3
        assert len(response.due_notification_ids(s, now, 5, incident_id)) == 2
        assert len(response.due_notification_ids(s, now, 6, incident_id)) == 3


def test_a_narratives_window_and_whether_a_post_was_counted(rt: Runtime) -> None:
    now = utcnow()
    with transaction(rt.sessions) as session:
        for post_id in ("p1", "p2", "p3", "p4"):
            add_post(session, post_id, f"text of {post_id}")
        session.add_all(
            [
                NarrativePost(key="k", post_id="p1", observed_at=now - timedelta(hours=3)),
                NarrativePost(key="k", post_id="p2", observed_at=now - timedelta(minutes=30)),
                NarrativePost(key="k", post_id="p3", observed_at=now - timedelta(minutes=50)),
                NarrativePost(key="k", post_id="p4", observed_at=now, is_drill=True),
                NarrativePost(key="other", post_id="p1", observed_at=now),
            ]
        )
    with rt.sessions() as s:
        since = now - timedelta(hours=1)
        assert [m.post_id for m in members_since(s, "k", False, since)] == ["p3", "p2"]
        assert [m.post_id for m in members_since(s, "k", True, since)] == ["p4"]
        assert counted_under(s, "k", "p1") and counted_under(s, "other", "p1")
        assert not counted_under(s, "other", "p2")
