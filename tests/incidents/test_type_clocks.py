"""Every type's clocks live in the incident policy store: a plan edit of an outage's clocks is
what an activated outage runs and what the plan prints; the types not named keep theirs (was:
fixed in `type_rules.py`, so a plan change could not alter them)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.incidents.conftest import edit_plan

OUTAGE_CLOCKS = [
    {"name": "first internal report", "milestone": "internal_report", "within_minutes": 30},
    {"name": "user notice", "milestone": "user_notice", "within_minutes": 15, "from_grade": 3},
    {"name": "service restored", "milestone": "recovery", "within_minutes": 120, "from_grade": 2},
]
OUTAGE = {
    "type": "outage",
    "title": "Login service down",
    "what": "Users cannot sign in on web and app; 502 from the auth gateway.",
    "scope": {"affected_users": 2_000_000, "services": ["login", "app"], "regions": ["DE", "FR"]},
}


def _running(client: TestClient, url: str, headers: dict[str, str]) -> dict[str, timedelta]:
    clocks = client.get(url, headers=headers).json()["clocks"]
    return {
        c["name"]: datetime.fromisoformat(c["due_at"]) - datetime.fromisoformat(c["started_at"])
        for c in clocks
    }


def test_an_edited_outage_clock_is_the_one_started_on_activation(
    client: TestClient, lead: dict[str, str]
) -> None:
    changes = {"type_clocks": {"outage": OUTAGE_CLOCKS}, "note": "tell users within 15 min"}
    kept = edit_plan(client, lead, changes)["policy"]["type_clocks"]
    assert [c["within_minutes"] for c in kept["outage"]] == [30, 15, 120]
    assert {c["name"]: c["within_minutes"] for c in kept["data_leak"]}[
        "regulator notice"
    ] == 72 * 60
    document = client.get("/v1/response-plan/document", headers=lead).json()["document"]
    assert "Service outage: first internal report within 30 min" in document
    assert "user notice within 15 min (grade III+)" in document
    assert "regulator notice within 72 h (grade III+)" in document  # a leak keeps its own
    reported = client.post("/v1/incidents", json=OUTAGE, headers=lead)
    assert reported.status_code == 201, reported.text
    url = f"/v1/incidents/{reported.json()['id']}"
    if reported.json()["status"] == "reported":
        client.post(f"{url}/assess", json={"grade": 2, "reason": "two million"}, headers=lead)
        made = client.post(f"{url}/activate", json={"reason": "plan applies"}, headers=lead)
    else:
        made = client.post(f"{url}/grade", json={"grade": 2, "reason": "two million"}, headers=lead)
    assert made.status_code == 200, made.text
    running = _running(client, url, lead)
    assert running["user notice"] == timedelta(minutes=15)  # built-in: 1 h
    assert running["service restored"] == timedelta(minutes=120)  # built-in: 4 h


def test_the_built_in_policy_holds_every_types_clocks(rt: Runtime, client: TestClient) -> None:
    reader = auth(new_user_token(rt, "reviewer"))
    document = client.get("/v1/response-plan/document", headers=reader).json()["document"]
    assert "Service outage: first internal report within 30 min (grade IV+)" in document
    assert "service restored within 4 h (grade II+)" in document
    assert "Legal compliance: first internal report within 4 h" in document


@pytest.mark.parametrize(
    "type_clocks",
    [{"misinformation": OUTAGE_CLOCKS}, {"outage": []}, {"party": OUTAGE_CLOCKS}],
)
def test_bad_type_clock_edits_are_refused(
    rt: Runtime, client: TestClient, type_clocks: dict[str, object]
) -> None:
    made = client.patch(
        "/v1/response-plan/thresholds",
        json={"type_clocks": type_clocks, "note": "x"},
        headers=auth(new_user_token(rt, "admin")),
    )
    assert made.status_code == 422, made.text
