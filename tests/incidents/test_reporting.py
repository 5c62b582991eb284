"""Reporting an incident of any type, leadership's assessment and decision, through the API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from audit.models import AuditEvent
from core.db import transaction
from incidents.models import Incident, IncidentClock
from incidents.response import Report, report_incident
from incidents.severity import IncidentPolicy
from incidents.types import IncidentType, Scope
from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.incidents.conftest import open_incident

STAFF = ("reviewer", "senior_reviewer", "pr", "legal", "admin", "leadership", "technical_response")
OUTAGE = {
    "type": "outage",
    "title": "Login service down",
    "what": "Users cannot sign in on web and app; 502 from the auth gateway.",
    "where": "auth gateway, eu-west",
    "when": "2026-11-29T08:00:00+00:00",
    "scope": {"affected_users": 2_000_000, "services": ["login", "app"], "regions": ["DE", "FR"]},
}
MINOR = {
    "type": "other",
    "title": "Office badge reader broken",
    "what": "The badge reader at the side door rejects every card since this morning.",
    "scope": {"affected_users": 10, "ongoing": False},
}


def _report(client: TestClient, token: str, body: dict[str, Any]) -> dict[str, Any]:
    made = client.post("/v1/incidents", json=body, headers=auth(token))
    assert made.status_code == 201, made.text
    out: dict[str, Any] = made.json()
    return out


def _actions(rt: Runtime, incident_id: str) -> list[str]:
    with rt.sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.incident_id == incident_id)
                .order_by(AuditEvent.seq)
            )
        )


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_may_report_an_incident(
    rt: Runtime, client: TestClient, role: str
) -> None:
    body = _report(client, new_user_token(rt, role), OUTAGE)
    assert body["type"] == "outage" and body["status"] == "reported"
    assert body["reported_by"].startswith(role)
    assert body["where"] == "auth gateway, eu-west" and body["scope"]["services"] == [
        "login",
        "app",
    ]
    assert body["statement_kinds"] == ["service_interruption"]


def test_platform_keys_and_strangers_cannot_report(rt: Runtime, client: TestClient) -> None:
    from tests.conftest import new_api_key

    assert client.post("/v1/incidents", json=OUTAGE).status_code == 401
    keyed = client.post("/v1/incidents", json=OUTAGE, headers=auth(new_api_key(rt)))
    assert keyed.status_code == 403


def test_a_bad_report_is_refused_with_each_reason(rt: Runtime, client: TestClient) -> None:
    token = new_user_token(rt, "reviewer")
    bad = {
        "type": "volcano",
        "title": "  ",
        "what": "short",
        "when": "2999-01-01T00:00:00+00:00",
        "scope": {"affected_users": -1, "regions": ["not a region"]},
    }
    refused = client.post("/v1/incidents", json=bad, headers=auth(token))
    assert refused.status_code == 422
    text = refused.text
    for field in ("type", "title", "what", "when", "affected_users", "regions"):
        assert field in text, field
    naive = client.post(
        "/v1/incidents", json={**OUTAGE, "when": "2026-11-29T08:00:00"}, headers=auth(token)
    )
    assert naive.status_code == 422  # a time without its zone is ambiguous
    early = {**OUTAGE, "when": "0001-01-01T00:00:00+14:00"}  # before the year 1 in UTC
    unstorable = client.post("/v1/incidents", json=early, headers=auth(token))
    assert unstorable.status_code == 422, unstorable.text
    assert "outside the range of a UTC datetime" in unstorable.text
    extra = client.post("/v1/incidents", json={**OUTAGE, "grade": 1}, headers=auth(token))
    assert extra.status_code == 422  # a reporter does not grade


def test_each_type_grades_by_its_own_rules() -> None:
    from incidents.types import profile

    def grade(kind: IncidentType, scope: Scope, description: str = "") -> int:
        return profile(kind).grade(scope, description, IncidentPolicy())  # the built-in policy

    leak = profile(IncidentType.DATA_LEAK)
    big_leak = Scope(records=5_000_000, affected_users=1_000_000, personal_data=True)
    assert grade(IncidentType.DATA_LEAK, big_leak) == 1
    assert grade(IncidentType.DATA_LEAK, Scope(records=50, ongoing=False)) == 4
    outage = profile(IncidentType.OUTAGE)
    wide = Scope(affected_users=2_000_000, services=("a", "b"), regions=("DE", "FR"))
    assert grade(IncidentType.OUTAGE, wide)
    assert grade(IncidentType.OUTAGE, Scope(affected_users=2_000_000, services=("a",))) < grade(
        IncidentType.OUTAGE, Scope(affected_users=500, ongoing=False)
    )
    regulated = Scope(regulator=True, personal_data=True, affected_users=10_000)
    assert grade(IncidentType.COMPLIANCE, regulated) == 1
    assert grade(IncidentType.COMPLIANCE, Scope(regulator=True, personal_data=True)) == 2
    wave = Scope(reach=50_000_000, regions=tuple(f"R{i}" for i in range(10)))
    assert grade(IncidentType.MISINFORMATION, wave, "vaccine microchips") == 1
    assert grade(IncidentType.MISINFORMATION, Scope(reach=50_000), "a recipe") == 4
    # The clocks and tasks differ by type: a leak has the regulator's 72 hours.
    assert "regulator notice" in {c.name for c in leak.clocks_for(3)}
    assert {t.group.value for t in outage.tasks_for(2)} >= {"technical_response", "pr"}


def test_leadership_assesses_then_activates_and_the_groups_get_their_tasks(
    rt: Runtime, client: TestClient
) -> None:
    incident = _report(client, new_user_token(rt, "technical_response"), OUTAGE)
    assert incident["grade"] <= 2 and incident["needs_activation"]
    assert incident["tasks"] == []  # nobody works before leadership decides
    assert {"initial assessment", "first internal report"} <= {
        c["name"] for c in incident["clocks"]
    }
    lead = auth(new_user_token(rt, "leadership", "lead-1"))
    url = f"/v1/incidents/{incident['id']}"
    assessed = client.post(f"{url}/assess", json={"grade": 1, "reason": "EU-wide"}, headers=lead)
    assert assessed.status_code == 200 and assessed.json()["grade_label"] == "I"
    activated = client.post(f"{url}/activate", json={"reason": "plan applies"}, headers=lead)
    assert activated.status_code == 200, activated.text
    body = activated.json()
    assert body["status"] == "active" and body["owner"] == "lead-1"
    assert body["decision"]["reason"] == "plan applies"
    groups = {t["group"] for t in body["tasks"]}
    assert groups == {"technical_response", "pr", "leadership", "logistics"}
    assert {c["name"]: c["status"] for c in body["clocks"]}["initial assessment"] == "met"
    actions = _actions(rt, incident["id"])
    assert actions.index("incident.reported") < actions.index("incident.assessed")
    assert actions.index("incident.assessed") < actions.index("incident.activated")
    assert actions.count("incident.task_created") == 4
    again = client.post(f"{url}/activate", json={"reason": "twice"}, headers=lead)
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_reported"


def test_a_low_grade_report_activates_itself_under_the_plan(
    rt: Runtime, client: TestClient
) -> None:
    body = _report(client, new_user_token(rt, "reviewer"), MINOR)
    assert body["grade"] == 4 and body["status"] == "active" and not body["needs_activation"]
    assert [t["kind"] for t in body["tasks"]] == ["internal_report"]
    assert "initial assessment" not in {c["name"] for c in body["clocks"]}
    assert "incident.activated" in _actions(rt, body["id"])
    assert body["decision"]["by"] == "system:incidents"


def test_dismissal_needs_a_reason_is_logged_and_cancels_the_clocks(
    rt: Runtime, client: TestClient, lead: dict[str, str]
) -> None:
    incident = _report(client, new_user_token(rt, "pr"), OUTAGE)
    url = f"/v1/incidents/{incident['id']}"
    blank = client.post(f"{url}/dismiss", json={"reason": ""}, headers=lead)
    assert blank.status_code == 422
    spaces = client.post(f"{url}/dismiss", json={"reason": "   "}, headers=lead)
    assert spaces.status_code == 422 and spaces.json()["error"]["code"] == "reason_required"
    done = client.post(f"{url}/dismiss", json={"reason": "a test page"}, headers=lead)
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    with rt.sessions() as session:
        clocks = session.scalars(
            select(IncidentClock).where(IncidentClock.incident_id == incident["id"])
        ).all()
        logged = session.scalars(
            select(AuditEvent).where(
                AuditEvent.incident_id == incident["id"],
                AuditEvent.action == "incident.dismissed",
            )
        ).one()
    assert {c.status for c in clocks} <= {"cancelled", "met"}
    assert logged.document["veracity"]["reason"] == "a test page"  # type: ignore[index]
    late = client.post(f"{url}/activate", json={"reason": "changed my mind"}, headers=lead)
    assert late.status_code == 409
    closed = client.post(f"{url}/close", json={"reason": "x"}, headers=lead)
    assert closed.status_code == 409


@pytest.mark.parametrize("role", [r for r in STAFF if r != "leadership"])
def test_only_leadership_assesses_activates_dismisses_and_hands_over(
    rt: Runtime, client: TestClient, role: str
) -> None:
    incident = _report(client, new_user_token(rt, "reviewer"), OUTAGE)
    token = auth(new_user_token(rt, role))
    url = f"/v1/incidents/{incident['id']}"
    for path, body in (
        ("assess", {"grade": 1, "reason": "x"}),
        ("activate", {"reason": "x"}),
        ("dismiss", {"reason": "x"}),
        ("owner", {"username": "nobody"}),
    ):
        refused = client.post(f"{url}/{path}", json=body, headers=token)
        assert refused.status_code == 403, (role, path)
        assert refused.json()["error"]["code"] == "wrong_role"
        # the role is checked first, so the refusal does not tell which incidents exist
        unknown = client.post(f"/v1/incidents/no-such-incident/{path}", json=body, headers=token)
        assert unknown.status_code == 403, (role, path)
    regrade = client.post(f"{url}/grade", json={"grade": 1, "reason": "x"}, headers=token)
    close = client.post(f"{url}/close", json={"reason": "x"}, headers=token)
    expected = 200 if role == "admin" else 403
    assert (regrade.status_code, close.status_code) == (expected, expected), role


def test_list_filters_by_type_grade_and_status(rt: Runtime, client: TestClient) -> None:
    open_incident(rt)  # a detected misinformation wave
    token = new_user_token(rt, "technical_response")
    _report(client, token, OUTAGE)
    _report(client, token, MINOR)

    def listed(query: str) -> list[str]:
        got = client.get(f"/v1/incidents?{query}", headers=auth(token))
        assert got.status_code == 200, got.text
        return [i["type"] for i in got.json()["incidents"]]

    assert sorted(listed("")) == ["misinformation", "other", "outage"]
    assert listed("type=outage") == ["outage"]
    assert listed("status=reported") == ["outage"]
    assert listed("grade=4") == ["other"]
    assert client.get("/v1/incidents?type=volcano", headers=auth(token)).status_code == 422


@pytest.mark.parametrize(("wave", "grade"), [(12, 2), (30, 1)])
def test_a_detected_wave_is_misinformation_and_activates_itself_below_grade_one(
    rt: Runtime, wave: int, grade: int
) -> None:
    """It opens below grade I (at the policy's post count), so it activates at detection; a
    later rise to I keeps it active and tells leadership, whose channels meet every grade."""
    incident_id = open_incident(rt, wave=wave)
    with rt.sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        assert incident.type == "misinformation" and incident.reported_by is None
        assert (incident.grade, incident.status) == (grade, "active")
    assert "incident.activated" in _actions(rt, incident_id)


def test_a_report_with_a_grade_one_scope_waits_for_leadership(rt: Runtime) -> None:
    from core.actors import Actor, ActorType

    who = Actor("rev-1", ActorType.HUMAN, ("reviewer",))
    with transaction(rt.sessions) as session:
        incident = report_incident(
            session,
            Report(
                IncidentType.DATA_LEAK,
                "Customer table exposed",
                "A backup bucket with the customer table was public for two days.",
                scope=Scope(records=3_000_000, affected_users=2_000_000, personal_data=True),
            ),
            who,
        )
        assert (incident.grade, incident.status) == (1, "reported")


def test_activation_opens_the_types_statement_draft_for_pr_once(
    rt: Runtime, client: TestClient, lead: dict[str, str]
) -> None:
    from statements.models import Statement

    incident = _report(client, new_user_token(rt, "technical_response"), OUTAGE)
    url = f"/v1/incidents/{incident['id']}"
    client.post(f"{url}/assess", json={"grade": 1, "reason": "EU-wide"}, headers=lead)
    with rt.sessions() as session:  # nothing before leadership decides
        assert (
            session.scalars(select(Statement).where(Statement.incident_id == incident["id"])).all()
            == []
        )
    assert client.post(f"{url}/activate", json={"reason": "go"}, headers=lead).status_code == 200
    with rt.sessions() as session:
        drafts = session.scalars(
            select(Statement).where(Statement.incident_id == incident["id"])
        ).all()
        assert [(d.kind, d.status) for d in drafts] == [("service_interruption", "draft")]
        assert "$" not in drafts[0].body  # no raw template placeholders


def test_a_type_with_no_statement_activates_without_a_draft(
    rt: Runtime, client: TestClient
) -> None:
    from statements.models import Statement

    incident = _report(client, new_user_token(rt, "pr"), MINOR)
    assert incident["status"] == "active"  # low grade: activates itself
    with rt.sessions() as session:
        assert (
            session.scalars(select(Statement).where(Statement.incident_id == incident["id"])).all()
            == []
        )
