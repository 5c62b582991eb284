"""Tasks of an activated incident through the API: who may work which, assign, start, done,
and a done task's plan step stopping its clock; every step in the timeline."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.incidents.test_reporting import OUTAGE


def _active_outage(rt: Runtime, client: TestClient) -> tuple[dict[str, Any], dict[str, str]]:
    made = client.post("/v1/incidents", json=OUTAGE, headers=auth(new_user_token(rt, "pr")))
    lead = auth(new_user_token(rt, "leadership", "lead-t"))
    url = f"/v1/incidents/{made.json()['id']}"
    activated = client.post(f"{url}/activate", json={"reason": "outage plan"}, headers=lead)
    assert activated.status_code == 200, activated.text
    body: dict[str, Any] = activated.json()
    return body, lead


def _task(incident: dict[str, Any], kind: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in incident["tasks"] if t["kind"] == kind)
    return found


def test_the_group_works_its_task_and_done_records_the_plan_step(
    rt: Runtime, client: TestClient
) -> None:
    incident, lead = _active_outage(rt, client)
    restore = _task(incident, "restore")
    assert restore["group"] == "technical_response" and restore["status"] == "open"
    tech = auth(new_user_token(rt, "technical_response", "tech-1"))
    pr = auth(new_user_token(rt, "pr"))
    refused = client.post(f"/v1/incidents/tasks/{restore['id']}/start", headers=pr)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_your_task"
    started = client.post(f"/v1/incidents/tasks/{restore['id']}/start", headers=tech)
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    assert started.json()["assignee"] == "tech-1"
    twice = client.post(f"/v1/incidents/tasks/{restore['id']}/start", headers=tech)
    assert twice.status_code == 409
    done = client.post(
        f"/v1/incidents/tasks/{restore['id']}/done", json={"note": "failover"}, headers=tech
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    page = client.get(f"/v1/incidents/{incident['id']}", headers=lead).json()
    assert page["status"] == "recovered"
    clocks = {c["name"]: c["status"] for c in page["clocks"]}
    assert clocks["service restored"] == "met"
    actions = [e["action"] for e in page["timeline"]]
    for step in ("incident.task_started", "incident.task_done", "incident.milestone"):
        assert step in actions, step
    done_event = next(e for e in page["timeline"] if e["action"] == "incident.task_done")
    assert done_event["actor"] == "tech-1" and done_event["subject"]["task_id"] == restore["id"]


def test_a_member_of_a_group_works_its_tasks_whatever_their_role(
    rt: Runtime, client: TestClient
) -> None:
    incident, lead = _active_outage(rt, client)
    staffing = _task(incident, "support_staffing")
    reviewer = auth(new_user_token(rt, "reviewer", "rev-logistics"))
    url = f"/v1/incidents/tasks/{staffing['id']}"
    assert client.post(f"{url}/start", headers=reviewer).status_code == 403
    added = client.post(
        "/v1/incidents/response-groups/logistics/members",
        json={"username": "rev-logistics", "email": "rev@example.org"},
        headers=lead,
    )
    assert added.status_code == 200, added.text
    assert added.json()["members"] == [
        {
            "group": "logistics",
            "username": "rev-logistics",
            "email": "rev@example.org",
            "added_by": "lead-t",
        }
    ]
    assert client.post(f"{url}/start", headers=reviewer).status_code == 200
    removed = client.delete(
        "/v1/incidents/response-groups/logistics/members/rev-logistics", headers=lead
    )
    assert removed.status_code == 200 and removed.json()["members"] == []
    other = auth(new_user_token(rt, "reviewer"))
    assert client.post(f"{url}/done", json={}, headers=other).status_code == 403
    # Starting it made them the assignee, who may finish it after leaving the group.
    assert client.post(f"{url}/done", json={}, headers=reviewer).status_code == 200


def test_leadership_adds_and_assigns_tasks_and_others_cannot(
    rt: Runtime, client: TestClient
) -> None:
    incident, lead = _active_outage(rt, client)
    new_user_token(rt, "legal", "legal-1")
    body = {"group": "legal", "title": "Check the SLA credits", "due_in_minutes": 120}
    url = f"/v1/incidents/{incident['id']}/tasks"
    for role in ("reviewer", "pr", "legal", "technical_response", "senior_reviewer"):
        refused = client.post(url, json=body, headers=auth(new_user_token(rt, role)))
        assert refused.status_code == 403, role
    made = client.post(url, json={**body, "assignee": "legal-1"}, headers=lead)
    assert made.status_code == 201, made.text
    assert made.json()["assignee"] == "legal-1" and made.json()["due_at"]
    bad_group = client.post(url, json={**body, "group": "marketing"}, headers=lead)
    assert bad_group.status_code == 422
    task_id = made.json()["id"]
    nobody = client.post(
        f"/v1/incidents/tasks/{task_id}/assign", json={"username": "ghost"}, headers=lead
    )
    assert nobody.status_code == 422 and nobody.json()["error"]["code"] == "unknown_user"
    listed = client.get(url, headers=auth(new_user_token(rt, "reviewer"))).json()["tasks"]
    assert task_id in {t["id"] for t in listed}
    assert client.post("/v1/incidents/tasks/nope/start", headers=lead).status_code == 404


@pytest.mark.parametrize("kind", ["user_notice"])
def test_a_published_notice_finishes_the_task_that_stands_for_it(
    rt: Runtime, client: TestClient, kind: str
) -> None:
    incident, lead = _active_outage(rt, client)
    made = client.post(
        f"/v1/incidents/{incident['id']}/milestones",
        json={"kind": kind, "note": "status page updated"},
        headers=auth(new_user_token(rt, "pr")),
    )
    assert made.status_code == 200, made.text
    page = client.get(f"/v1/incidents/{incident['id']}", headers=lead).json()
    assert _task(page, "user_notice")["status"] == "done"
    assert {c["name"]: c["status"] for c in page["clocks"]}["user notice"] == "met"
