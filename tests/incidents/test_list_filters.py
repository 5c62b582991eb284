"""The incident list's filters: a status that does not exist is refused 422, not answered with
an empty list that reads as "no incidents"."""

from __future__ import annotations

from fastapi.testclient import TestClient

from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.incidents.conftest import open_incident


def test_an_unknown_status_is_refused_and_a_known_one_filters(
    rt: Runtime, client: TestClient
) -> None:
    incident_id = open_incident(rt)
    reader = auth(new_user_token(rt, "reviewer"))
    refused = client.get("/v1/incidents", params={"status": "bogus"}, headers=reader)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "invalid_request" and "status" in str(error["details"]), error
    listed = client.get("/v1/incidents", params={"status": "active"}, headers=reader)
    assert [i["id"] for i in listed.json()["incidents"]] == [incident_id]
    closed = client.get("/v1/incidents", params={"status": "closed"}, headers=reader)
    assert closed.status_code == 200 and closed.json()["incidents"] == []
