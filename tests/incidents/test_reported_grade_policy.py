"""A reported misinformation incident is graded by the incident policy in force (its grade
cut-offs), like a detected one, not by built-in numbers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import auth, new_user_token

RUMOUR = {
    "type": "misinformation",
    "title": "Vaccine microchip rumour",
    "what": "Posts claim the vaccine carries a tracking microchip.",
    "scope": {"reach": 200000, "regions": ["US"]},  # reach 2 + health 3 + spread 0 = 5 points
}


def test_a_reported_rumour_is_graded_by_the_cut_offs_in_force(any_rt: Runtime) -> None:
    rt = any_rt
    lead = auth(new_user_token(rt, "leadership"))
    with TestClient(create_app(rt)) as client:
        before = client.post("/v1/incidents", json=RUMOUR, headers=lead)
        assert before.status_code == 201, before.text
        assert before.json()["grade"] == 3  # 5 points under the built-in 10/7/4
        changed = client.patch(
            "/v1/response-plan/thresholds",
            json={"note": "t", "grade_cutoffs": [6, 5, 4]},
            headers=lead,
        )
        assert changed.status_code == 200, changed.text
        after = client.post("/v1/incidents", json=RUMOUR, headers=lead)
        assert after.status_code == 201, after.text
        assert after.json()["grade"] == 2  # 5 points under 6/5/4
