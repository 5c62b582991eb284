"""incidents.repository: the incident list the /v1 route and the incidents page share, one
incident by id, and what a post's narrative says of its incident."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from core.clock import utcnow
from core.db import transaction
from incidents.models import Incident, IncidentStatus, NarrativePost
from incidents.repository.incidents import incident_by_id, incidents_newest_first
from incidents.repository.narratives import narrative_incident, narrative_post_ids
from runtime.container import Runtime
from tests.incidents.factories import add_post


def _incident(title: str, hours_ago: int, **extra: object) -> Incident:
    at = utcnow() - timedelta(hours=hours_ago)
    return Incident(key=f"k:{title}", title=title, first_seen_at=at, opened_at=at, **extra)


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
