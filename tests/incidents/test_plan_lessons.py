"""Only lessons of real incidents are adopted into the response plan; a drill's lesson stays
in its drill report."""

from __future__ import annotations

from fastapi.testclient import TestClient

from incidents.types import IncidentType
from runtime.container import Runtime
from runtime.drill_run import run_chain_drill
from runtime.web import create_app
from tests.conftest import auth, new_user_token

RUMOUR = {
    "type": "misinformation",
    "title": "Vaccine microchip rumour",
    "what": "Posts claim the vaccine carries a tracking microchip.",
    "scope": {"reach": 200000, "regions": ["US"]},
}


def test_a_drills_lesson_is_not_adopted_into_the_real_plan(any_rt: Runtime) -> None:
    rt = any_rt
    run_chain_drill(rt, IncidentType.MISINFORMATION, with_incident_report=False)
    admin = auth(new_user_token(rt, "admin"))
    with TestClient(create_app(rt)) as client:
        made = client.post("/v1/incidents", json=RUMOUR, headers=admin)
        assert made.status_code == 201, made.text
        real = made.json()["id"]
        lesson = {"text": "Brief the fact-checkers first"}
        recorded = client.post(f"/v1/incidents/{real}/lessons", json=lesson, headers=admin)
        assert recorded.status_code == 200, recorded.text
        pending = client.get("/v1/response-plan", headers=admin).json()["pending_lessons"]
        assert [x["text"] for x in pending] == ["Brief the fact-checkers first"]
        published = client.post(
            "/v1/response-plan", json={"change_note": "quarterly"}, headers=admin
        )
        assert published.status_code == 200, published.text
        body = client.get("/v1/response-plan", headers=admin).json()["body"]
    assert "Drill:" not in body
    assert body.count(f"- Brief the fact-checkers first (incident {real})") == 1
    assert body.count("## Lessons adopted") == 1


def test_each_publication_lists_a_lesson_once_under_one_heading(any_rt: Runtime) -> None:
    rt = any_rt
    admin = auth(new_user_token(rt, "admin"))
    with TestClient(create_app(rt)) as client:
        real = client.post("/v1/incidents", json=RUMOUR, headers=admin).json()["id"]
        for n, text in enumerate(["Brief the fact-checkers first", "Translate the notice"]):
            recorded = client.post(
                f"/v1/incidents/{real}/lessons", json={"text": text}, headers=admin
            )
            assert recorded.status_code == 200, recorded.text
            note = {"change_note": f"quarterly {n}"}
            assert client.post("/v1/response-plan", json=note, headers=admin).status_code == 200
        body = client.get("/v1/response-plan", headers=admin).json()["body"]
    assert body.count("## Lessons adopted") == 1
    assert body.count("- Brief the fact-checkers first") == 1
    assert body.count("- Translate the notice") == 1
    assert body.index("Brief the fact-checkers") < body.index("Translate the notice")
