"""Regression: the statement clock stayed "running" after a statement about the incident was
published, until another post arrived and made the scan sync milestones. Publishing now
records the milestone with the published event, in the same transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import transaction
from incidents.models import Incident, IncidentClock, IncidentMilestone
from incidents.service import observe_post
from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.incidents.conftest import POLICY
from tests.incidents.factories import add_wave
from tests.statements.helpers import false_claim, statement_api


@pytest.fixture
def api(client: TestClient) -> Iterator[TestClient]:
    yield from statement_api(client)


def _statement_milestones(rt: Runtime, incident_id: str) -> list[str]:
    """The notes of the incident's public-statement milestones."""
    with rt.sessions() as session:
        return list(
            session.scalars(
                select(IncidentMilestone.note).where(
                    IncidentMilestone.incident_id == incident_id,
                    IncidentMilestone.kind == "public_statement",
                )
            )
        )


def _claim_incident(rt: Runtime, claim_id: str) -> str:
    with transaction(rt.sessions) as session:
        wave, _ = add_wave(session, wave=30, background=0)
    with transaction(rt.sessions) as session:
        for post_id in wave:
            observe_post(session, post_id, claim_id=claim_id, policy=POLICY)
    with rt.sessions() as session:
        return session.scalars(select(Incident.id)).one()


def _clock(rt: Runtime, incident_id: str, name: str) -> IncidentClock:
    with rt.sessions() as session:
        return session.scalars(
            select(IncidentClock).where(
                IncidentClock.incident_id == incident_id, IncidentClock.name == name
            )
        ).one()


def test_publishing_a_statement_about_the_claim_stops_the_statement_clock_at_once(
    rt: Runtime, api: TestClient
) -> None:
    claim = false_claim(rt)
    incident_id = _claim_incident(rt, claim.id)
    assert _clock(rt, incident_id, "public statement").status == "running"
    pr1, pr2 = auth(new_user_token(rt, "pr")), auth(new_user_token(rt, "pr"))
    made = api.post(
        "/v1/statements", json={"kind": "counter_statement", "claim_id": claim.id}, headers=pr1
    )
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    assert (
        api.post(f"/v1/statements/{sid}/approve", json={"version": 1}, headers=pr2).status_code
        == 200
    )
    published = api.post(f"/v1/statements/{sid}/publish", headers=pr1)
    assert published.status_code == 200 and published.json()["status"] == "published"
    # No post arrives and no scan runs: the clock is met all the same.
    clock = _clock(rt, incident_id, "public statement")
    assert clock.status == "met" and clock.resolved_at is not None
    assert _statement_milestones(rt, incident_id) == [f"statement {sid} published"]
    # Publishing again (idempotent) or a correction adds no second milestone.
    assert api.post(f"/v1/statements/{sid}/publish", headers=pr1).status_code == 200
    assert _statement_milestones(rt, incident_id) == [f"statement {sid} published"]


def test_a_breach_notice_linked_to_a_leak_meets_the_user_notice_clock(
    rt: Runtime, api: TestClient, lead: dict[str, str]
) -> None:
    leak = {
        "type": "data_leak",
        "title": "Export bucket public",
        "what": "An export bucket with user e-mail addresses was public for a day.",
        "scope": {"records": 200_000, "affected_users": 150_000, "personal_data": True},
    }
    incident = api.post("/v1/incidents", json=leak, headers=lead).json()
    activated = api.post(
        f"/v1/incidents/{incident['id']}/activate", json={"reason": "leak"}, headers=lead
    )
    assert activated.status_code == 200, activated.text
    assert "user notice" in {c["name"] for c in activated.json()["clocks"]}
    pr1, pr2 = auth(new_user_token(rt, "pr")), auth(new_user_token(rt, "pr"))
    facts = {
        "discovered_at": "29 November 2026",
        "what_happened": "a storage bucket holding e-mail addresses was publicly readable.",
        "data_affected": "e-mail addresses of 150,000 accounts.",
        "consequences": "more phishing e-mails than usual.",
        "what_we_did": "closed the bucket and checked its access logs.",
        "what_to_do": "be wary of e-mails asking for your password.",
        "dpo_contact": "dpo@veracity.example",
        "advisory_url": "https://veracity.example/security/2026-11",
    }
    body = {
        "kind": "data_breach_users",
        "incident_id": incident["id"],
        "facts": facts,
        "sources": ["https://veracity.example/security/2026-11"],
    }
    made = api.post("/v1/statements", json=body, headers=pr1)
    assert made.status_code == 201, made.text
    assert "data protection officer, dpo@veracity.example" in made.json()["body"]
    sid = made.json()["id"]
    assert (
        api.post(f"/v1/statements/{sid}/approve", json={"version": 1}, headers=pr2).status_code
        == 200
    ), sid
    assert api.post(f"/v1/statements/{sid}/publish", headers=pr1).status_code == 200
    page = api.get(f"/v1/incidents/{incident['id']}", headers=lead).json()
    assert {c["name"]: c["status"] for c in page["clocks"]}["user notice"] == "met"
    assert next(t for t in page["tasks"] if t["kind"] == "user_notice")["status"] == "done"
    regulator = api.post(
        "/v1/statements",
        json={**body, "kind": "data_breach_regulator", "channel": "x"},
        headers=pr1,
    )
    assert regulator.status_code == 422 and regulator.json()["error"]["code"] == "no_template"
