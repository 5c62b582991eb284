"""A closed or dismissed incident takes no more plan steps: a milestone is refused 409
`incident_closed`, like every other change to a finished incident, and nothing is stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from audit.events import Action
from audit.models import AuditEvent
from incidents.models import Incident, IncidentMilestone
from runtime.container import Runtime
from tests.conftest import auth, new_user_token

SECURITY = {
    "type": "security",
    "title": "Admin panel brute-forced",
    "what": "Repeated logins from one network succeeded on two admin accounts overnight.",
    "scope": {"affected_users": 50_000, "personal_data": True, "regions": ["DE"]},  # grade II
}


@pytest.mark.parametrize(("finish", "status"), [("close", "closed"), ("dismiss", "dismissed")])
def test_a_milestone_on_a_finished_incident_is_refused(
    any_rt: Runtime, any_client: TestClient, finish: str, status: str
) -> None:
    rt, client = any_rt, any_client
    lead = auth(new_user_token(rt, "leadership"))
    made = client.post("/v1/incidents", json=SECURITY, headers=lead)
    assert made.status_code == 201, made.text
    url = f"/v1/incidents/{made.json()['id']}"
    done = client.post(f"{url}/{finish}", json={"reason": "over"}, headers=lead)
    assert done.status_code == 200 and done.json()["status"] == status, done.text
    with rt.sessions() as session:
        before = session.scalar(select(func.count()).select_from(IncidentMilestone))
    refused = client.post(f"{url}/milestones", json={"kind": "containment"}, headers=lead)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "incident_closed"
    with rt.sessions() as session:
        incident = session.scalars(select(Incident)).one()
        after = session.scalar(select(func.count()).select_from(IncidentMilestone))
        logged = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.INCIDENT_CONTAINED)
        ).all()
    assert incident.status == status and incident.contained_at is None
    assert after == before and logged == []
