"""incidents.repository: the incident list the /v1 route and the incidents page share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from core.clock import utcnow
from core.db import transaction
from incidents.models import Incident, IncidentStatus
from incidents.repository import incidents_newest_first
from runtime.container import Runtime


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
