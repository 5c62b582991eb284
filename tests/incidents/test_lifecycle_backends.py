"""Report → assess → activate → work a task → regrade → close, through the API, on SQLite and
PostgreSQL alike (the reserved-word column `group`, JSON scope, nullable group_id)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import auth, new_user_token

SECURITY = {
    "type": "security",
    "title": "Admin panel brute-forced",
    "what": "Repeated logins from one network succeeded on two admin accounts overnight.",
    "where": "admin panel",
    "scope": {"affected_users": 500, "personal_data": True, "regions": ["DE", "AT"]},
}


def test_the_whole_response_path_on_each_database(any_rt: Runtime) -> None:
    rt = any_rt
    with TestClient(create_app(rt)) as client:
        made = client.post(
            "/v1/incidents", json=SECURITY, headers=auth(new_user_token(rt, "reviewer"))
        )
        assert made.status_code == 201, made.text
        incident = made.json()
        assert (incident["type"], incident["status"], incident["grade"]) == (
            "security",
            "reported",
            2,
        )
        url = f"/v1/incidents/{incident['id']}"
        lead = auth(new_user_token(rt, "leadership", "lead-b"))
        member = {"username": "lead-b", "email": "lead-b@example.org"}
        added = client.post(
            "/v1/incidents/response-groups/leadership/members", json=member, headers=lead
        )
        assert added.status_code == 200, added.text
        assert (
            client.post(
                f"{url}/assess", json={"grade": 2, "reason": "admin accounts"}, headers=lead
            ).status_code
            == 200
        )
        active = client.post(f"{url}/activate", json={"reason": "contain now"}, headers=lead)
        assert active.status_code == 200, active.text
        contain = next(t for t in active.json()["tasks"] if t["kind"] == "contain")
        tech = auth(new_user_token(rt, "technical_response"))
        done = client.post(
            f"/v1/incidents/tasks/{contain['id']}/done",
            json={"note": "accounts locked"},
            headers=tech,
        )
        assert done.status_code == 200, done.text
        raised = client.post(
            f"{url}/grade", json={"grade": 1, "reason": "data taken"}, headers=lead
        )
        assert raised.status_code == 200 and raised.json()["status"] == "contained"
        page = client.get(url, headers=lead).json()
        kinds = {t["kind"] for t in page["tasks"]}
        assert {"contain", "internal_report", "legal_review", "draft_statement"} <= kinds
        closed = client.post(
            f"{url}/close", json={"reason": "post-incident review held"}, headers=lead
        )
        assert closed.status_code == 200 and closed.json()["status"] == "closed"
        listed = client.get("/v1/incidents?type=security&status=closed", headers=tech).json()
        assert [i["id"] for i in listed["incidents"]] == [incident["id"]]
