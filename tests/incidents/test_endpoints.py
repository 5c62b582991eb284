"""`/v1/incidents`: who may read, who may change, and the report in HTML and PDF."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from runtime.container import Runtime
from tests.conftest import auth, new_api_key, new_user_token
from tests.incidents.conftest import open_incident

READERS = ("reviewer", "senior_reviewer", "pr", "legal", "admin")


@pytest.mark.parametrize("role", READERS)
def test_every_role_reads_incidents(rt: Runtime, client: TestClient, role: str) -> None:
    incident_id = open_incident(rt)
    token = new_user_token(rt, role)
    listed = client.get("/v1/incidents", headers=auth(token))
    one = client.get(f"/v1/incidents/{incident_id}", headers=auth(token))
    assert listed.status_code == 200 and listed.json()["incidents"][0]["id"] == incident_id
    assert one.status_code == 200
    body = one.json()
    assert len(body["posts"]) == 30
    assert {c["name"] for c in body["clocks"]} >= {"first internal report"}
    assert body["clocks"][0]["remaining_seconds"] > 0


@pytest.mark.parametrize("role", ["reviewer", "senior_reviewer", "pr", "legal"])
def test_only_admins_grade_and_close(rt: Runtime, client: TestClient, role: str) -> None:
    incident_id = open_incident(rt)
    token = new_user_token(rt, role)
    graded = client.post(
        f"/v1/incidents/{incident_id}/grade", json={"grade": 1, "reason": "x"}, headers=auth(token)
    )
    closed = client.post(
        f"/v1/incidents/{incident_id}/close", json={"reason": "x"}, headers=auth(token)
    )
    assert graded.status_code == 403 and closed.status_code == 403


def test_platform_keys_cannot_read_incidents(rt: Runtime, client: TestClient) -> None:
    open_incident(rt)
    assert client.get("/v1/incidents", headers=auth(new_api_key(rt))).status_code == 403
    assert client.get("/v1/incidents").status_code == 401


def test_admin_grade_sticks_and_close_is_final(rt: Runtime, client: TestClient) -> None:
    incident_id = open_incident(rt)
    admin = auth(new_user_token(rt, "admin"))
    graded = client.post(
        f"/v1/incidents/{incident_id}/grade",
        json={"grade": 4, "reason": "satire account"},
        headers=admin,
    )
    assert graded.status_code == 200 and graded.json()["grade_label"] == "IV"
    bad = client.post(
        f"/v1/incidents/{incident_id}/grade", json={"grade": 7, "reason": "x"}, headers=admin
    )
    assert bad.status_code == 422
    closed = client.post(
        f"/v1/incidents/{incident_id}/close", json={"reason": "contained"}, headers=admin
    )
    again = client.post(
        f"/v1/incidents/{incident_id}/close", json={"reason": "contained"}, headers=admin
    )
    assert closed.json()["status"] == "closed"
    assert again.status_code == 409 and again.json()["error"]["code"] == "incident_closed"


def test_unknown_milestone_is_refused_with_a_reason(rt: Runtime, client: TestClient) -> None:
    incident_id = open_incident(rt)
    response = client.post(
        f"/v1/incidents/{incident_id}/milestones",
        json={"kind": "party"},
        headers=auth(new_user_token(rt, "pr")),
    )
    assert response.status_code == 422
    assert "internal_report" in response.json()["error"]["message"]


def test_report_renders_html_with_charts_and_pdf(rt: Runtime, client: TestClient) -> None:
    incident_id = open_incident(rt)
    pr = auth(new_user_token(rt, "pr"))
    statement = client.post(
        f"/v1/incidents/{incident_id}/milestones",
        json={"kind": "public_statement", "note": "posted on the newsroom"},
        headers=pr,
    )
    assert statement.status_code == 200
    html = client.get(f"/v1/incidents/{incident_id}/report", headers=pr)
    pdf = client.get(f"/v1/incidents/{incident_id}/report?format=pdf", headers=pr)
    assert html.status_code == 200 and html.text.count("data:image/png;base64,") == 2
    assert "first public statement" in html.text and "not reached" in html.text
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    refused = client.get(
        f"/v1/incidents/{incident_id}/report", headers=auth(new_user_token(rt, "reviewer"))
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("role", "status"), [("leadership", 200), ("admin", 200), ("reviewer", 403)]
)
def test_leadership_and_admins_record_lessons_a_reviewer_cannot(
    rt: Runtime, client: TestClient, role: str, status: int
) -> None:
    """The API matches the UI's "close with lessons" (leadership, admin); was admin-only."""
    incident_id = open_incident(rt)
    made = client.post(
        f"/v1/incidents/{incident_id}/lessons",
        json={"text": "Page the gateway team sooner"},
        headers=auth(new_user_token(rt, role)),
    )
    assert made.status_code == status
    plan_now = client.get("/v1/response-plan", headers=auth(new_user_token(rt, "admin"))).json()
    lessons = [x["text"] for x in plan_now["pending_lessons"]]
    assert lessons == (["Page the gateway team sooner"] if status == 200 else [])
